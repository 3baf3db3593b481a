#pragma once
// The persistent article index: imported articles, their sections, per-language full-text
// indexes (SQLite FTS5 with our own tokenizer: ICU word breaking + Snowball stems) and the link
// from each section to an intent. One SQLite file in the data directory, WAL mode.

#include "knowledge/intent.hpp"
#include "knowledge/text.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

struct sqlite3;

namespace ab::knowledge::articles {

struct citation {
    std::string title;     ///< article title
    std::string section;   ///< section heading (empty for the article's lead)
    std::string url;       ///< learn.microsoft.com link, with the section anchor
    std::string passage;   ///< a short extract
    lang language = lang::en;
    intent label = intent::out_of_scope;
    double score = 0;
};

struct stored_section {
    std::string heading;
    std::string anchor;
    int level = 1;
    std::string body;
    intent label = intent::out_of_scope;
    float label_p = 0;
};

struct stored_link {
    std::string text;
    std::string url; ///< resolved: learn.microsoft.com with the article's locale, or as written
};

struct stored_article {
    std::string file;       ///< absolute path of the source file
    std::string variant;    ///< "localized" or "english-sxs"
    std::string locale;     ///< "nl-nl"
    lang language = lang::en;
    std::string url;
    std::string title;
    std::string doc_key;    ///< same key = same document (duplicates, revisions)
    int priority = 0;       ///< higher wins among duplicates
    std::string date;       ///< YYYYMMDD or empty
    std::uint64_t content_hash = 0;
    intent label = intent::out_of_scope;
    float label_p = 0;
    std::vector<stored_section> sections;
    std::vector<stored_link> links;
};

class index_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class article_index {
public:
    /// Opens (creating if needed) the index at `db_path`. Throws index_error.
    static std::unique_ptr<article_index> open(const std::filesystem::path& db_path);
    ~article_index();
    article_index(const article_index&) = delete;
    article_index& operator=(const article_index&) = delete;

    // --- writing (importer) -------------------------------------------------------------
    void begin();
    void commit();
    void rollback();
    /// Hash recorded for `file`, if it was imported successfully before.
    std::optional<std::string> file_hash(const std::string& file) const;
    /// Replaces everything stored for `file` with `articles`.
    void replace_file(const std::string& file, const std::string& root, const std::string& hash,
                      const std::vector<stored_article>& articles);
    /// Records a file that failed (its previous articles, if any, are removed).
    void record_failure(const std::string& file, const std::string& root, const std::string& hash, const std::string& error);
    /// Files recorded under `root`.
    std::vector<std::string> files_under(const std::string& root) const;
    void remove_file(const std::string& file);
    /// Marks one article per document key (and per identical content) active.
    void resolve_duplicates();

    // --- reading ----------------------------------------------------------------------------
    /// Up to `k` citations for `topic`, preferring `language`, falling back to English. The
    /// question `text` plus `profile` (the topic's own vocabulary: answer title, setting names)
    /// rank the sections with BM25; without a match the strength of the intent link decides.
    /// Recent results are kept (citation_cache_entries, least recently used first out) until
    /// the index changes, in this process or another (PRAGMA data_version).
    std::vector<citation> citations(intent topic, lang language, std::string_view text, std::size_t k,
                                    std::string_view profile = {}) const;
    nlohmann::json stats() const;
    /// The resolved links of the active article at `url` (any locale), for "read more" lists.
    std::vector<stored_link> links_of(const std::string& url) const;

private:
    explicit article_index(sqlite3* db);
    std::vector<citation> search(intent topic, lang language, std::string_view text, std::size_t k, std::string_view profile) const;
    std::vector<citation> search_language(intent topic, lang l, std::string_view text, std::string_view profile,
                                          std::size_t k, std::vector<std::string>& seen_articles) const;
    std::int64_t data_version() const;
    void forget_citations() const;

    sqlite3* db_;
    static constexpr std::size_t citation_cache_entries = 128; ///< ~2 KB each
    struct citation_cache {
        using entry_list = std::list<std::pair<std::string, std::vector<citation>>>;
        std::mutex mu;
        std::int64_t data_version = -1;
        entry_list entries; ///< most recently used first
        std::unordered_map<std::string, entry_list::iterator> index;
        void clear()
        {
            entries.clear();
            index.clear();
        }
    };
    mutable citation_cache cache_;
};

} // namespace ab::knowledge::articles
