#include "knowledge/articles/index.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <set>

namespace ab::knowledge::articles {

namespace {

constexpr std::array<lang, 7> indexed_langs = {lang::en, lang::nl, lang::sv, lang::de, lang::fr, lang::es, lang::ja};

std::string fts_table(lang l)
{
    return "fts_" + std::string(lang_code(l == lang::other ? lang::en : l));
}

class stmt {
public:
    stmt(sqlite3* db, const char* sql)
    {
        if (sqlite3_prepare_v2(db, sql, -1, &s_, nullptr) != SQLITE_OK)
            throw index_error(std::string("[kb.sql] ") + sqlite3_errmsg(db) + " in: " + sql);
    }
    stmt(sqlite3* db, const std::string& sql) : stmt(db, sql.c_str()) {}
    ~stmt() { sqlite3_finalize(s_); }
    stmt(const stmt&) = delete;
    stmt& operator=(const stmt&) = delete;

    stmt& bind(int i, std::string_view v)
    {
        sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        return *this;
    }
    stmt& bind(int i, std::int64_t v)
    {
        sqlite3_bind_int64(s_, i, v);
        return *this;
    }
    stmt& bind(int i, double v)
    {
        sqlite3_bind_double(s_, i, v);
        return *this;
    }
    stmt& bind_null(int i)
    {
        sqlite3_bind_null(s_, i);
        return *this;
    }
    /// true while a row is available
    bool step()
    {
        const int rc = sqlite3_step(s_);
        if (rc == SQLITE_ROW)
            return true;
        if (rc == SQLITE_DONE)
            return false;
        throw index_error(std::string("[kb.sql] ") + sqlite3_errmsg(sqlite3_db_handle(s_)));
    }
    void run()
    {
        while (step()) {
        }
    }
    void reset()
    {
        sqlite3_reset(s_);
        sqlite3_clear_bindings(s_);
    }
    std::string text(int col) const
    {
        const auto* p = sqlite3_column_text(s_, col);
        return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(s_, col))) : std::string();
    }
    std::int64_t integer(int col) const { return sqlite3_column_int64(s_, col); }
    double real(int col) const { return sqlite3_column_double(s_, col); }

private:
    sqlite3_stmt* s_ = nullptr;
};

void exec(sqlite3* db, const char* sql)
{
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        throw index_error("[kb.sql] " + msg);
    }
}

// --- FTS5 tokenizer "ab <lang>": ICU words, elisions stripped, stop words dropped, Snowball stems.

struct tokenizer {
    lang language;
};

int tok_create(void*, const char** args, int nargs, Fts5Tokenizer** out)
{
    auto* t = new tokenizer{nargs > 0 ? lang_from_code(args[0]) : lang::en};
    *out = reinterpret_cast<Fts5Tokenizer*>(t);
    return SQLITE_OK;
}

void tok_delete(Fts5Tokenizer* t)
{
    delete reinterpret_cast<tokenizer*>(t);
}

int tok_tokenize(Fts5Tokenizer* t, void* ctx, int, const char* text, int n,
                 int (*emit)(void*, int, const char*, int, int, int))
{
    const lang l = reinterpret_cast<tokenizer*>(t)->language;
    try {
        const std::string_view s(text, static_cast<std::size_t>(n));
        for (const auto& w : split_words(s)) {
            if (!w.has_letter && w.text.size() < 2)
                continue;
            const std::string_view base = strip_elision(l, w.text);
            if (is_stopword(l, base))
                continue;
            const std::string token = w.is_cjk ? std::string(base) : stem(l, base);
            if (token.empty())
                continue;
            const int rc = emit(ctx, 0, token.data(), static_cast<int>(token.size()), static_cast<int>(w.begin),
                                static_cast<int>(w.end));
            if (rc != SQLITE_OK)
                return rc;
        }
    } catch (...) {
        return SQLITE_ERROR; // an exception must not cross the C boundary
    }
    return SQLITE_OK;
}

void register_tokenizer(sqlite3* db)
{
    fts5_api* api = nullptr;
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, nullptr) != SQLITE_OK)
        throw index_error("[kb.fts5_missing] this SQLite has no FTS5");
    sqlite3_bind_pointer(s, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
    sqlite3_step(s);
    sqlite3_finalize(s);
    if (api == nullptr)
        throw index_error("[kb.fts5_missing] this SQLite has no FTS5");
    static fts5_tokenizer tok = {tok_create, tok_delete, tok_tokenize};
    if (api->xCreateTokenizer(api, "ab", nullptr, &tok, nullptr) != SQLITE_OK)
        throw index_error("[kb.fts5_tokenizer] cannot register the tokenizer");
}

constexpr const char* schema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files(
  path TEXT PRIMARY KEY, root TEXT NOT NULL, hash TEXT NOT NULL, status TEXT NOT NULL,
  error TEXT, imported_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS articles(
  id INTEGER PRIMARY KEY, file TEXT NOT NULL, variant TEXT NOT NULL, locale TEXT NOT NULL,
  lang TEXT NOT NULL, url TEXT NOT NULL, title TEXT NOT NULL, doc_key TEXT NOT NULL,
  priority INTEGER NOT NULL, date TEXT NOT NULL, content_hash TEXT NOT NULL,
  intent TEXT NOT NULL, intent_p REAL NOT NULL, active INTEGER NOT NULL DEFAULT 1);
CREATE INDEX IF NOT EXISTS articles_file ON articles(file);
CREATE INDEX IF NOT EXISTS articles_key ON articles(doc_key);
CREATE TABLE IF NOT EXISTS sections(
  id INTEGER PRIMARY KEY, article_id INTEGER NOT NULL, lang TEXT NOT NULL, ord INTEGER NOT NULL,
  heading TEXT NOT NULL, anchor TEXT NOT NULL, level INTEGER NOT NULL, body TEXT NOT NULL,
  intent TEXT NOT NULL, intent_p REAL NOT NULL);
CREATE INDEX IF NOT EXISTS sections_article ON sections(article_id);
CREATE INDEX IF NOT EXISTS sections_topic ON sections(lang, intent, intent_p);
CREATE TABLE IF NOT EXISTS links(article_id INTEGER NOT NULL, ord INTEGER NOT NULL, text TEXT NOT NULL, url TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS links_article ON links(article_id);
)sql";

constexpr int schema_version = 2;

std::string passage_of(const std::string& body, std::size_t max_len = 240)
{
    std::string p;
    for (char c : body)
        p.push_back(c == '\n' ? ' ' : c);
    if (p.size() <= max_len)
        return p;
    std::size_t cut = p.rfind(' ', max_len);
    if (cut == std::string::npos || cut < max_len / 2)
        cut = max_len;
    while (cut > 0 && (static_cast<unsigned char>(p[cut]) & 0xC0) == 0x80)
        --cut; // never split a UTF-8 sequence
    return p.substr(0, cut) + "…";
}

} // namespace

article_index::article_index(sqlite3* db) : db_(db) {}

article_index::~article_index()
{
    sqlite3_close(db_);
}

std::unique_ptr<article_index> article_index::open(const std::filesystem::path& db_path)
{
    std::error_code ec;
    if (db_path.has_parent_path())
        std::filesystem::create_directories(db_path.parent_path(), ec);
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
        std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close(db);
        throw index_error("[kb.open] " + db_path.string() + ": " + msg);
    }
    std::unique_ptr<article_index> idx(new article_index(db));
    sqlite3_busy_timeout(db, 5000);
    // A 512 KiB page cache instead of SQLite's 2 MB: the bot's resident memory budget is 30 MB,
    // citations() keeps its recent answers, and the OS caches the file anyway.
    exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-512;");
    register_tokenizer(db);
    exec(db, schema);
    for (lang l : indexed_langs) {
        const std::string sql = "CREATE VIRTUAL TABLE IF NOT EXISTS " + fts_table(l) +
                                " USING fts5(title, heading, body, tokenize='ab " + std::string(lang_code(l)) + "')";
        exec(db, sql.c_str());
    }
    stmt v(db, "SELECT value FROM meta WHERE key='schema_version'");
    if (v.step()) {
        if (std::stoi(v.text(0)) != schema_version)
            throw index_error("[kb.schema_version] " + db_path.string() + " was written by another version; delete it and import again");
    } else {
        stmt w(db, "INSERT INTO meta(key, value) VALUES('schema_version', ?1)");
        w.bind(1, std::to_string(schema_version)).run();
    }
    return idx;
}

void article_index::begin()
{
    exec(db_, "BEGIN IMMEDIATE");
}

void article_index::commit()
{
    exec(db_, "COMMIT");
    forget_citations(); // data_version does not count this connection's own changes
}

void article_index::rollback()
{
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    forget_citations();
}

std::optional<std::string> article_index::file_hash(const std::string& file) const
{
    stmt s(db_, "SELECT hash FROM files WHERE path=?1 AND status='ok'");
    s.bind(1, file);
    if (s.step())
        return s.text(0);
    return std::nullopt;
}

void article_index::remove_file(const std::string& file)
{
    forget_citations();
    // FTS rows first (they are keyed by section id), then sections, articles and the file row.
    stmt sel(db_, "SELECT s.id, s.lang FROM sections s JOIN articles a ON a.id = s.article_id WHERE a.file=?1");
    sel.bind(1, file);
    std::vector<std::pair<std::int64_t, std::string>> ids;
    while (sel.step())
        ids.emplace_back(sel.integer(0), sel.text(1));
    for (const auto& [id, l] : ids) {
        stmt del(db_, "DELETE FROM " + fts_table(lang_from_code(l)) + " WHERE rowid=?1");
        del.bind(1, id).run();
    }
    stmt(db_, "DELETE FROM sections WHERE article_id IN (SELECT id FROM articles WHERE file=?1)").bind(1, file).run();
    stmt(db_, "DELETE FROM links WHERE article_id IN (SELECT id FROM articles WHERE file=?1)").bind(1, file).run();
    stmt(db_, "DELETE FROM articles WHERE file=?1").bind(1, file).run();
    stmt(db_, "DELETE FROM files WHERE path=?1").bind(1, file).run();
}

void article_index::replace_file(const std::string& file, const std::string& root, const std::string& hash,
                                 const std::vector<stored_article>& articles)
{
    remove_file(file);
    stmt f(db_, "INSERT INTO files(path, root, hash, status, error, imported_at) VALUES(?1, ?2, ?3, 'ok', NULL, strftime('%s','now'))");
    f.bind(1, file).bind(2, root).bind(3, hash).run();
    stmt a(db_, "INSERT INTO articles(file, variant, locale, lang, url, title, doc_key, priority, date, content_hash, intent, intent_p)"
                " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    stmt s(db_, "INSERT INTO sections(article_id, lang, ord, heading, anchor, level, body, intent, intent_p)"
                " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    for (const auto& art : articles) {
        a.reset();
        a.bind(1, file).bind(2, art.variant).bind(3, art.locale).bind(4, lang_code(art.language)).bind(5, art.url);
        a.bind(6, art.title).bind(7, art.doc_key).bind(8, static_cast<std::int64_t>(art.priority)).bind(9, art.date);
        a.bind(10, std::to_string(art.content_hash)).bind(11, intent_name(art.label)).bind(12, static_cast<double>(art.label_p));
        a.run();
        const auto article_id = static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_));
        stmt fts(db_, "INSERT INTO " + fts_table(art.language) + "(rowid, title, heading, body) VALUES(?1, ?2, ?3, ?4)");
        stmt ln(db_, "INSERT INTO links(article_id, ord, text, url) VALUES(?1, ?2, ?3, ?4)");
        std::int64_t link_ord = 0;
        for (const auto& l : art.links) {
            ln.reset();
            ln.bind(1, article_id).bind(2, link_ord++).bind(3, l.text).bind(4, l.url).run();
        }
        std::int64_t ord = 0;
        for (const auto& sec : art.sections) {
            s.reset();
            s.bind(1, article_id).bind(2, lang_code(art.language)).bind(3, ord++).bind(4, sec.heading).bind(5, sec.anchor);
            s.bind(6, static_cast<std::int64_t>(sec.level)).bind(7, sec.body).bind(8, intent_name(sec.label));
            s.bind(9, static_cast<double>(sec.label_p));
            s.run();
            fts.reset();
            fts.bind(1, static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_))).bind(2, art.title).bind(3, sec.heading).bind(4, sec.body).run();
        }
    }
}

void article_index::record_failure(const std::string& file, const std::string& root, const std::string& hash,
                                   const std::string& error)
{
    remove_file(file);
    stmt f(db_, "INSERT INTO files(path, root, hash, status, error, imported_at) VALUES(?1, ?2, ?3, 'failed', ?4, strftime('%s','now'))");
    f.bind(1, file).bind(2, root).bind(3, hash).bind(4, error).run();
}

std::vector<std::string> article_index::files_under(const std::string& root) const
{
    stmt s(db_, "SELECT path FROM files WHERE root=?1");
    s.bind(1, root);
    std::vector<std::string> out;
    while (s.step())
        out.push_back(s.text(0));
    return out;
}

void article_index::resolve_duplicates()
{
    forget_citations();
    // One winner per document key: highest priority, then newest date, then the last imported.
    exec(db_, R"sql(
UPDATE articles SET active = (id = (
  SELECT a2.id FROM articles a2 WHERE a2.doc_key = articles.doc_key
  ORDER BY a2.priority DESC, a2.date DESC, a2.id DESC LIMIT 1));
UPDATE articles SET active = 0 WHERE active = 1 AND EXISTS (
  SELECT 1 FROM articles a2 WHERE a2.active = 1 AND a2.lang = articles.lang
    AND a2.content_hash = articles.content_hash AND a2.id <> articles.id
    AND (a2.priority > articles.priority OR (a2.priority = articles.priority AND a2.id < articles.id)));
)sql");
}

std::vector<citation> article_index::search_language(intent topic, lang l, std::string_view text, std::string_view profile,
                                                     std::size_t k, std::vector<std::string>& seen) const
{
    std::vector<citation> out;
    const std::string topic_name(intent_name(topic));
    // Rows come best first; the first k distinct URLs are taken. Columns: title, heading, url,
    // anchor, ord, score, then the passage source (a section body or an FTS rowid).
    auto take = [&](stmt& s, std::vector<std::int64_t>* rowids) {
        while (out.size() < k && s.step()) {
            const std::string url = s.text(2);
            if (std::find(seen.begin(), seen.end(), url) != seen.end())
                continue;
            seen.push_back(url);
            citation c;
            c.title = s.text(0);
            c.section = s.text(1);
            const std::string anchor = s.text(3);
            const bool lead = s.integer(4) == 0;
            c.url = lead || anchor.empty() ? url : url + "#" + anchor;
            if (rowids)
                rowids->push_back(s.integer(6));
            else
                c.passage = passage_of(s.text(6));
            c.language = l;
            c.label = topic;
            c.score = s.real(5);
            out.push_back(std::move(c));
        }
    };
    // 1. Full-text match on the question, restricted to sections linked to the intent.
    std::string query;
    std::vector<std::string> terms;
    for (std::string_view part : {text, profile})
        for (const auto& w : split_folded(part)) {
            if (!w.has_letter || w.text.find('"') != std::string::npos)
                continue;
            const std::string base(strip_elision(l, w.text));
            if (is_stopword(l, base) || base.size() < 2 || std::find(terms.begin(), terms.end(), base) != terms.end())
                continue;
            terms.push_back(base);
            if (!query.empty())
                query += " OR ";
            query += "\"" + base + "\"";
        }
    const std::string fts = fts_table(l);
    if (!query.empty()) {
        // Ranked without the passages: SQLite computes every result column of every matching row
        // before it sorts, and snippet() tokenizes the whole section (ICU word breaking, folding,
        // stemming). With it in this query, a common question cost 10-30 ms of CPU.
        std::vector<std::int64_t> rowids;
        {
            stmt s(db_, "SELECT a.title, s.heading, a.url, s.anchor, s.ord, -bm25(" + fts + ", 3.0, 2.0, 1.0) AS score, " + fts +
                            ".rowid FROM " + fts + " JOIN sections s ON s.id = " + fts + ".rowid JOIN articles a ON a.id = s.article_id"
                            " WHERE " + fts + " MATCH ?1 AND a.active = 1 AND a.intent = ?2 AND s.intent <> 'out_of_scope'"
                            " ORDER BY (s.intent = ?2) DESC, bm25(" + fts + ", 3.0, 2.0, 1.0) LIMIT 40");
            s.bind(1, query).bind(2, topic_name);
            take(s, &rowids);
        }
        // Then the passage of the few sections taken: the fragment around the question's terms.
        stmt p(db_, "SELECT snippet(" + fts + ", 2, '', '', '…', 28), s.body FROM " + fts + " JOIN sections s ON s.id = " + fts +
                        ".rowid WHERE " + fts + " MATCH ?1 AND " + fts + ".rowid = ?2");
        for (std::size_t i = 0; i < rowids.size(); ++i) {
            citation& c = out[out.size() - rowids.size() + i];
            p.reset();
            p.bind(1, query).bind(2, rowids[i]);
            if (p.step()) {
                c.passage = passage_of(p.text(0), 320);
                if (c.passage.empty())
                    c.passage = passage_of(p.text(1));
            }
        }
    }
    // 2. The sections most strongly linked to the intent.
    if (out.size() < k) {
        stmt s(db_, "SELECT a.title, s.heading, a.url, s.anchor, s.ord, s.intent_p, s.body"
                    " FROM sections s JOIN articles a ON a.id = s.article_id"
                    " WHERE s.lang = ?1 AND a.active = 1 AND s.intent = ?2 AND a.intent = ?2"
                    " ORDER BY s.intent_p + a.intent_p DESC, s.ord LIMIT 40");
        s.bind(1, lang_code(l)).bind(2, topic_name);
        take(s, nullptr);
    }
    return out;
}

std::int64_t article_index::data_version() const
{
    stmt s(db_, "PRAGMA data_version");
    return s.step() ? s.integer(0) : -1;
}

void article_index::forget_citations() const
{
    std::lock_guard lock(cache_.mu);
    cache_.clear();
}

std::vector<citation> article_index::citations(intent topic, lang language, std::string_view text, std::size_t k,
                                               std::string_view profile) const
{
    // The full-text search costs a few milliseconds; a question asked again (an FAQ, a retry, the
    // same words in another order do not count) is answered from the cache.
    std::string key = std::string(lang_code(language)) + '\x1f' + std::string(intent_name(topic)) + '\x1f' + std::to_string(k) + '\x1f';
    key.append(text).append(1, '\x1f').append(profile);
    {
        std::lock_guard lock(cache_.mu);
        const std::int64_t version = data_version();
        if (version != cache_.data_version) {
            // Another connection (`kb import` in another process) changed the index.
            cache_.clear();
            cache_.data_version = version;
        }
        if (auto it = cache_.index.find(key); it != cache_.index.end()) {
            cache_.entries.splice(cache_.entries.begin(), cache_.entries, it->second);
            return it->second->second;
        }
    }
    auto out = search(topic, language, text, k, profile);
    std::lock_guard lock(cache_.mu);
    if (!cache_.index.contains(key)) {
        cache_.entries.emplace_front(key, out);
        cache_.index.emplace(std::move(key), cache_.entries.begin());
        if (cache_.entries.size() > citation_cache_entries) {
            cache_.index.erase(cache_.entries.back().first);
            cache_.entries.pop_back();
        }
    }
    return out;
}

std::vector<citation> article_index::search(intent topic, lang language, std::string_view text, std::size_t k,
                                            std::string_view profile) const
{
    std::vector<std::string> seen;
    std::vector<citation> out = search_language(topic, language, text, profile, k, seen);
    if (out.size() < k && language != lang::en) {
        // The English fallback is ranked by the intent link and the question's shared terms
        // (product names, cmdlets); the localized profile would not match English text.
        auto more = search_language(topic, lang::en, text, {}, k - out.size(), seen);
        out.insert(out.end(), more.begin(), more.end());
    }
    return out;
}

std::vector<stored_link> article_index::links_of(const std::string& url) const
{
    stmt s(db_, "SELECT l.text, l.url FROM links l JOIN articles a ON a.id = l.article_id"
                " WHERE a.url = ?1 AND a.active = 1 ORDER BY a.priority DESC, l.ord");
    s.bind(1, url);
    std::vector<stored_link> out;
    while (s.step())
        out.push_back(stored_link{s.text(0), s.text(1)});
    return out;
}

nlohmann::json article_index::stats() const
{
    nlohmann::json j;
    {
        stmt s(db_, "SELECT status, COUNT(*) FROM files GROUP BY status");
        nlohmann::json files = nlohmann::json::object();
        while (s.step())
            files[s.text(0)] = s.integer(1);
        j["files"] = files;
    }
    {
        stmt s(db_, "SELECT lang, COUNT(*), SUM(active) FROM articles GROUP BY lang ORDER BY lang");
        nlohmann::json per = nlohmann::json::object();
        while (s.step())
            per[s.text(0)] = {{"articles", s.integer(1)}, {"active", s.integer(2)}};
        j["articles"] = per;
    }
    {
        stmt s(db_, "SELECT s.lang, COUNT(*) FROM sections s JOIN articles a ON a.id = s.article_id WHERE a.active = 1 GROUP BY s.lang ORDER BY s.lang");
        nlohmann::json per = nlohmann::json::object();
        while (s.step())
            per[s.text(0)] = s.integer(1);
        j["sections"] = per;
    }
    {
        stmt s(db_, "SELECT s.intent, COUNT(*) FROM sections s JOIN articles a ON a.id = s.article_id WHERE a.active = 1 GROUP BY s.intent ORDER BY s.intent");
        nlohmann::json per = nlohmann::json::object();
        while (s.step())
            per[s.text(0)] = s.integer(1);
        j["sections_per_intent"] = per;
    }
    {
        stmt s(db_, "SELECT path, error FROM files WHERE status='failed' ORDER BY path LIMIT 50");
        nlohmann::json failed = nlohmann::json::array();
        while (s.step())
            failed.push_back({{"file", s.text(0)}, {"error", s.text(1)}});
        j["failed"] = failed;
    }
    {
        stmt s(db_, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()");
        if (s.step())
            j["database_bytes"] = s.integer(0);
    }
    return j;
}

} // namespace ab::knowledge::articles
