#pragma once
// `access-bot kb import DIR`: walks a tree of Microsoft Docs markdown, turns each article into
// sections (per language, with the English text of bilingual sxs files as a second version),
// links sections to intents with the classifier and stores them in the article index.
// Incremental: files whose content (including their includes) did not change are skipped, files
// that disappeared are removed. A broken file gets a clear per-file error; the rest goes on.

#include "knowledge/articles/index.hpp"
#include "knowledge/articles/markdown.hpp"
#include "knowledge/classifier.hpp"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ab::knowledge::articles {

struct import_progress {
    std::size_t done = 0;
    std::size_t total = 0;
    std::string file; ///< relative to the root
};

struct import_error {
    std::string file;
    std::string message;
};

struct import_report {
    std::size_t files = 0;       ///< articles seen (include fragments not counted)
    std::size_t imported = 0;    ///< parsed and stored
    std::size_t unchanged = 0;   ///< skipped: same content as last time
    std::size_t removed = 0;     ///< gone from the tree since the last import
    std::size_t failed = 0;
    std::size_t articles = 0;    ///< article versions stored (a bilingual file gives two)
    std::size_t sections = 0;
    double ms = 0;
    std::vector<import_error> errors;
};

/// Largest article accepted, in bytes.
inline constexpr std::uintmax_t max_article_bytes = 4u << 20;

/// Converts one file into the article versions it holds. `root` bounds include resolution.
/// Throws article_error with a stable id on bad input.
std::vector<stored_article> read_article(const std::filesystem::path& root, const std::filesystem::path& file,
                                         const classifier& engine);

/// The learn.microsoft.com URL of an article from its path inside a docs repository tree, or a
/// file: URL when the tree is not one we know.
std::string article_url(const std::filesystem::path& relative, std::string_view locale);
/// Resolves a link as written in an article at `relative` (same locale) to an absolute URL.
std::string resolve_link(std::string_view href, const std::filesystem::path& relative, std::string_view locale);

import_report import_tree(article_index& index, const classifier& engine, const std::filesystem::path& root,
                          const std::function<void(const import_progress&)>& progress = {});

} // namespace ab::knowledge::articles
