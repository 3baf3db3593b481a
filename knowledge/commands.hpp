#pragma once
// The knowledge commands of the access-bot CLI: ask, classify, eval, kb import, kb stats.
// Each returns the process exit code and writes to the given streams, so tests run them
// in-process.

#include "knowledge/classifier.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace ab::knowledge::commands {

struct environment {
    std::optional<std::filesystem::path> knowledge_dir; ///< content override (else the built-in copy)
    std::vector<std::filesystem::path> train_extra;     ///< labelled JSONL files added to training
    std::filesystem::path data_dir = "data";            ///< where the article index lives
};

/// The article index file inside a data directory.
std::filesystem::path index_path(const std::filesystem::path& data_dir);

content load_content(const environment& env);
classifier load_classifier(const environment& env, const content& c);

/// JSON form of a classification (the `classify` output line).
nlohmann::json to_json(const classification& c);

int ask(const environment& env, const std::string& question, const std::string& locale, bool as_json, std::ostream& out,
        std::ostream& err);
/// Interactive terminal chat: one question per line, answered as text.
int chat(const environment& env, const std::string& locale, std::istream& in, std::ostream& out, std::ostream& err);
int classify_lines(const environment& env, const std::string& default_locale, std::istream& in, std::ostream& out,
                   std::ostream& err);
int eval(const environment& env, const std::filesystem::path& file, int folds, bool as_json, bool list_errors,
         const std::vector<std::string>& parameters, std::ostream& out, std::ostream& err);
/// `terminal`: progress as one rewritten line; otherwise a line per tenth (when `progress`).
int kb_import(const environment& env, const std::filesystem::path& dir, bool terminal, bool progress, std::ostream& out,
              std::ostream& err);
int kb_stats(const environment& env, bool as_json, std::ostream& out, std::ostream& err);
/// Classification latency over the texts of a labelled file (warm, `rounds` passes).
int bench_classify(const environment& env, const std::filesystem::path& file, int rounds, std::ostream& out, std::ostream& err);
int content_check(const environment& env, std::ostream& out, std::ostream& err);

} // namespace ab::knowledge::commands
