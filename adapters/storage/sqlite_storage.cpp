#include "adapters/storage/sqlite_storage.hpp"

#include "bot/async_ops.hpp"
#include "bot/log.hpp"

#include <boost/asio/thread_pool.hpp>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
#include <limits>
#include <string_view>
#include <system_error>
#include <thread>

namespace ab::adapters::storage {

using ports::etag_match;
using ports::storage_errc;

namespace {

// --- Schema --------------------------------------------------------------------------------------

struct migration {
    int version;
    const char* sql;
};

// Applied in order, each once, inside one transaction at open; user_version records the last one.
// Append only: a migration that has shipped is never edited, a change is a new entry.
constexpr migration migrations[] = {
    {1, R"sql(
CREATE TABLE state (
    key        TEXT NOT NULL PRIMARY KEY,
    etag       TEXT NOT NULL,
    value      TEXT NOT NULL,           -- JSON
    updated_at TEXT NOT NULL            -- ISO-8601 UTC, ms
);
CREATE TABLE records (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL,
    idempotency_key TEXT NOT NULL DEFAULT '',
    recorded_at     TEXT NOT NULL,      -- ISO-8601 UTC, ms
    data            TEXT NOT NULL       -- JSON
);
CREATE INDEX records_by_kind ON records (kind, seq);
CREATE UNIQUE INDEX records_idempotency ON records (kind, idempotency_key) WHERE idempotency_key <> '';
)sql"},
    // The helpdesk outbox (issue 6): deliveries written in the same transaction as the state change.
    {2, R"sql(
CREATE TABLE outbox (
    id              TEXT NOT NULL PRIMARY KEY,
    sink            TEXT NOT NULL,
    payload         TEXT NOT NULL,           -- JSON
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'rejected')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,        -- unix ms
    last_error      TEXT NOT NULL DEFAULT '',
    external_id     TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL         -- unix ms
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at, created_at);
)sql"},
};
static_assert(std::size(migrations) == static_cast<std::size_t>(sqlite_schema_version),
              "sqlite_schema_version must equal the number of migrations");

// "ABOT": marks the file as ours (PRAGMA application_id), so that another application's SQLite
// file given by mistake is refused rather than migrated.
constexpr std::int64_t application_id = 0x41424F54;

// --- Connection and statements -------------------------------------------------------------------

struct connection_closer {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using connection = std::unique_ptr<sqlite3, connection_closer>;

struct statement_finalizer {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};

/// A statement prepared once at open and reused for every call.
class statement {
public:
    void prepare(sqlite3* db, const char* sql)
    {
        sqlite3_stmt* s = nullptr;
        const int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr);
        if (rc != SQLITE_OK)
            throw open_error("storage.migration_failed",
                             std::string("cannot prepare a statement (") + sqlite3_errmsg(db) + "): " + sql);
        stmt_.reset(s);
    }
    sqlite3_stmt* get() const noexcept { return stmt_.get(); }

private:
    std::unique_ptr<sqlite3_stmt, statement_finalizer> stmt_;
};

/// One use of a prepared statement: binds, steps, reads columns, and resets it at scope exit so
/// that it never keeps a read transaction (an old WAL snapshot) open between calls.
class use {
public:
    explicit use(const statement& s) noexcept : s_(s.get()) {}
    ~use()
    {
        sqlite3_reset(s_);
        sqlite3_clear_bindings(s_);
    }
    use(const use&) = delete;
    use& operator=(const use&) = delete;

    use& text(int i, std::string_view v)
    {
        sqlite3_bind_text64(s_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
        return *this;
    }
    use& integer(int i, std::int64_t v)
    {
        sqlite3_bind_int64(s_, i, v);
        return *this;
    }
    int step() noexcept { return sqlite3_step(s_); }
    std::string column_text(int c) const
    {
        const auto* p = sqlite3_column_text(s_, c);
        if (p == nullptr)
            return {};
        return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(s_, c))};
    }
    std::int64_t column_integer(int c) const noexcept { return sqlite3_column_int64(s_, c); }

private:
    sqlite3_stmt* s_;
};

int exec(sqlite3* db, const char* sql, std::string& message)
{
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
    message = err != nullptr ? err : (rc == SQLITE_OK ? "" : sqlite3_errstr(rc));
    sqlite3_free(err);
    return rc;
}

/// The first column of the first row of `sql` as an integer; the SQLite result code on failure.
int query_integer(sqlite3* db, const char* sql, std::int64_t& out)
{
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
    std::unique_ptr<sqlite3_stmt, statement_finalizer> s(raw);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(s.get());
    if (rc == SQLITE_ROW) {
        out = sqlite3_column_int64(s.get(), 0);
        return SQLITE_OK;
    }
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

bool is_damaged(int rc) noexcept
{
    return (rc & 0xFF) == SQLITE_CORRUPT || (rc & 0xFF) == SQLITE_NOTADB;
}

std::string describe(sqlite3* db, int rc)
{
    return std::string(sqlite3_errstr(rc)) + " (" + sqlite3_errmsg(db) + ", code " + std::to_string(rc) + ")";
}

/// A failed statement as a port error, logged with its id. Damage is `corrupt`; everything else
/// (SQLITE_BUSY after the busy timeout, I/O errors, a full disk, a read-only file) is
/// `unavailable`: the caller may retry later, nothing was changed.
boost::system::error_code failure(sqlite3* db, int rc, std::string_view op)
{
    const auto e = is_damaged(rc) ? storage_errc::corrupt : storage_errc::unavailable;
    log::error("storage.sqlite.failed", {{"error_id", e == storage_errc::corrupt ? "storage.corrupt" : "storage.unavailable"},
                                         {"op", op},
                                         {"sqlite_code", rc},
                                         {"sqlite_error", sqlite3_errmsg(db)}});
    return make_error_code(e);
}

boost::system::error_code unreadable_value(std::string_view op)
{
    log::error("storage.value.corrupt", {{"error_id", "storage.corrupt"}, {"op", op}});
    return make_error_code(storage_errc::corrupt);
}

/// 128 random bits as hex: a new ETag never repeats one the key had before (even after erase).
std::string new_etag()
{
    std::array<unsigned char, 16> bytes{};
    sqlite3_randomness(static_cast<int>(bytes.size()), bytes.data());
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const unsigned char b : bytes) {
        out.push_back(hex[b >> 4]);
        out.push_back(hex[b & 0xF]);
    }
    return out;
}

// --- Opening -------------------------------------------------------------------------------------

connection open_connection(const std::filesystem::path& file, std::chrono::milliseconds busy_timeout)
{
    if (file.has_parent_path()) {
        std::error_code ec;
        std::filesystem::create_directories(file.parent_path(), ec);
        if (ec)
            throw open_error("storage.unavailable",
                             "cannot create the folder " + file.parent_path().string() + ": " + ec.message());
    }
    sqlite3* raw = nullptr;
    // NOMUTEX: the connection is used by one thread at a time (open here, then only the pool).
    const int rc = sqlite3_open_v2(file.c_str(), &raw,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    connection db(raw);
    if (rc != SQLITE_OK)
        throw open_error("storage.unavailable",
                         "cannot open " + file.string() + ": " + (db ? describe(db.get(), rc) : sqlite3_errstr(rc)));
    sqlite3_extended_result_codes(db.get(), 1);
    sqlite3_busy_timeout(db.get(), static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(
                                       busy_timeout.count(), 0, std::numeric_limits<int>::max())));
    return db;
}

/// Reads the header and the schema without writing anything; refuses what is not ours to migrate.
/// Returns the file's schema version.
std::int64_t inspect(sqlite3* db, const std::filesystem::path& file)
{
    auto refuse = [&](int rc, const char* what) {
        if (is_damaged(rc))
            throw open_error("storage.corrupt", file.string() + " is not a readable SQLite database: " + describe(db, rc));
        throw open_error("storage.unavailable", std::string("cannot read ") + what + " of " + file.string() + ": " +
                                                    describe(db, rc));
    };
    std::int64_t tables = 0;
    std::int64_t version = 0;
    std::int64_t app = 0;
    // The first read of the header: a file that is not a database fails here (SQLITE_NOTADB).
    if (const int rc = query_integer(db, "SELECT count(*) FROM sqlite_schema", tables); rc != SQLITE_OK)
        refuse(rc, "the schema");
    if (const int rc = query_integer(db, "PRAGMA user_version", version); rc != SQLITE_OK)
        refuse(rc, "user_version");
    if (const int rc = query_integer(db, "PRAGMA application_id", app); rc != SQLITE_OK)
        refuse(rc, "application_id");
    if (app != 0 && app != application_id)
        throw open_error("storage.foreign_database",
                         file.string() + " belongs to another application (application_id " + std::to_string(app) + ")");
    if (version > sqlite_schema_version)
        throw open_error("storage.schema_too_new", file.string() + " has schema version " + std::to_string(version) +
                                                       ", newer than this build knows (" +
                                                       std::to_string(sqlite_schema_version) + "); upgrade access-bot");
    if (version == 0 && tables != 0)
        throw open_error("storage.foreign_database",
                         file.string() + " holds tables but no access-bot schema version; not migrating it");
    return version;
}

void configure(sqlite3* db, const std::filesystem::path& file)
{
    std::string message;
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &raw, nullptr);
    std::unique_ptr<sqlite3_stmt, statement_finalizer> s(raw);
    std::string mode;
    if (rc == SQLITE_OK && (rc = sqlite3_step(s.get())) == SQLITE_ROW) {
        const auto* p = sqlite3_column_text(s.get(), 0);
        mode = p != nullptr ? reinterpret_cast<const char*>(p) : "";
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK)
        throw open_error(is_damaged(rc) ? "storage.corrupt" : "storage.unavailable",
                         "cannot switch " + file.string() + " to WAL: " + describe(db, rc));
    if (mode != "wal")
        throw open_error("storage.unavailable", file.string() + " cannot use WAL (journal_mode is " + mode +
                                                    "); several processes could not share it");
    for (const char* pragma : {"PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"}) {
        if (rc = exec(db, pragma, message); rc != SQLITE_OK)
            throw open_error("storage.unavailable", std::string(pragma) + " failed on " + file.string() + ": " + message);
    }
}

/// Applies the missing migrations in one IMMEDIATE transaction (the write lock is taken first, so
/// two processes opening a new file at once migrate it once). Returns the version found.
std::int64_t migrate(sqlite3* db, const std::filesystem::path& file)
{
    std::string message;
    if (const int rc = exec(db, "BEGIN IMMEDIATE", message); rc != SQLITE_OK)
        throw open_error("storage.unavailable", "cannot lock " + file.string() + " to migrate it: " + message);
    auto rollback_and_throw = [&](std::string id, std::string detail) {
        std::string ignored;
        exec(db, "ROLLBACK", ignored);
        throw open_error(std::move(id), detail);
    };
    std::int64_t version = 0;
    // Again under the lock: another process may have migrated since inspect().
    if (const int rc = query_integer(db, "PRAGMA user_version", version); rc != SQLITE_OK)
        rollback_and_throw("storage.unavailable", "cannot read user_version of " + file.string() + ": " + describe(db, rc));
    if (version > sqlite_schema_version)
        rollback_and_throw("storage.schema_too_new",
                           file.string() + " has schema version " + std::to_string(version) + ", newer than this build knows (" +
                               std::to_string(sqlite_schema_version) + "); upgrade access-bot");
    const std::int64_t found = version;
    for (const auto& m : migrations) {
        if (m.version <= version)
            continue;
        if (const int rc = exec(db, m.sql, message); rc != SQLITE_OK)
            rollback_and_throw("storage.migration_failed",
                               "migration " + std::to_string(m.version) + " failed on " + file.string() + ": " + message);
        version = m.version;
    }
    if (found != version) {
        const std::string stamp = "PRAGMA application_id=" + std::to_string(application_id) +
                                  "; PRAGMA user_version=" + std::to_string(version);
        if (const int rc = exec(db, stamp.c_str(), message); rc != SQLITE_OK)
            rollback_and_throw("storage.migration_failed", "cannot record the schema version in " + file.string() + ": " + message);
    }
    if (const int rc = exec(db, "COMMIT", message); rc != SQLITE_OK)
        rollback_and_throw("storage.migration_failed", "cannot commit the migration of " + file.string() + ": " + message);
    return found;
}

} // namespace

open_error::open_error(std::string id, const std::string& detail)
    : std::runtime_error("[" + id + "] " + detail), id_(std::move(id))
{
}

// --- The connection and what runs on the pool thread ---------------------------------------------

struct sqlite_storage::impl {
    std::filesystem::path file;
    wall_clock clock;
    connection db; // declared before the statements and the pool: destroyed after them

    statement load;
    statement save_any;
    statement save_absent;
    statement save_equals;
    statement exists;
    statement erase_any;
    statement erase_equals;
    statement append;
    statement find_idempotent;
    statement list;
    statement begin;
    statement begin_read;
    statement commit;
    statement rollback;
    statement enqueue;
    statement due;
    statement lease;
    statement attempt;
    statement get_delivery;
    statement count_deliveries;
    statement list_deliveries;

    net::thread_pool pool{1}; // the only thread that touches `db` after open

    impl(std::filesystem::path f, wall_clock c, connection d) : file(std::move(f)), clock(std::move(c)), db(std::move(d))
    {
        sqlite3* h = db.get();
        load.prepare(h, "SELECT etag, value FROM state WHERE key = ?1");
        save_any.prepare(h, "INSERT INTO state (key, etag, value, updated_at) VALUES (?1, ?2, ?3, ?4) "
                            "ON CONFLICT (key) DO UPDATE SET etag = excluded.etag, value = excluded.value, "
                            "updated_at = excluded.updated_at");
        save_absent.prepare(h, "INSERT INTO state (key, etag, value, updated_at) VALUES (?1, ?2, ?3, ?4) "
                               "ON CONFLICT (key) DO NOTHING");
        // The compare-and-set: one statement, so no other writer can come between check and write.
        save_equals.prepare(h, "UPDATE state SET etag = ?2, value = ?3, updated_at = ?4 WHERE key = ?1 AND etag = ?5");
        exists.prepare(h, "SELECT 1 FROM state WHERE key = ?1");
        erase_any.prepare(h, "DELETE FROM state WHERE key = ?1");
        erase_equals.prepare(h, "DELETE FROM state WHERE key = ?1 AND etag = ?2");
        append.prepare(h, "INSERT INTO records (kind, idempotency_key, recorded_at, data) VALUES (?1, ?2, ?3, ?4) "
                          "ON CONFLICT DO NOTHING");
        find_idempotent.prepare(h, "SELECT seq FROM records WHERE kind = ?1 AND idempotency_key = ?2 "
                                   "AND idempotency_key <> ''");
        list.prepare(h, "SELECT seq, idempotency_key, recorded_at, data FROM records "
                        "WHERE kind = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3");
        begin.prepare(h, "BEGIN IMMEDIATE");
        begin_read.prepare(h, "BEGIN"); // deferred: takes the read lock at the first SELECT, no write lock
        commit.prepare(h, "COMMIT");
        rollback.prepare(h, "ROLLBACK");
        enqueue.prepare(h, "INSERT INTO outbox (id, sink, payload, next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5) "
                           "ON CONFLICT (id) DO NOTHING");
        due.prepare(h, "SELECT id, sink, payload, status, attempts, next_attempt_at, last_error, external_id, created_at FROM outbox "
                       "WHERE status = 'pending' AND next_attempt_at <= ?1 ORDER BY created_at, id LIMIT ?2");
        lease.prepare(h, "UPDATE outbox SET next_attempt_at = ?2 WHERE id = ?1 AND status = 'pending'");
        attempt.prepare(h, "UPDATE outbox SET status = ?2, attempts = attempts + 1, next_attempt_at = ?3, last_error = ?4, "
                           "external_id = CASE WHEN ?5 = '' THEN external_id ELSE ?5 END WHERE id = ?1 AND status = 'pending'");
        get_delivery.prepare(h, "SELECT id, sink, payload, status, attempts, next_attempt_at, last_error, external_id, created_at "
                                "FROM outbox WHERE id = ?1");
        count_deliveries.prepare(h, "SELECT sink, status, count(*) FROM outbox GROUP BY sink, status");
        list_deliveries.prepare(h, "SELECT id, sink, payload, status, attempts, next_attempt_at, last_error, external_id, created_at "
                                   "FROM outbox WHERE ?1 = '' OR status = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2");
    }

    /// Runs `body` in one IMMEDIATE transaction: committed when it returns a value, rolled back otherwise.
    template <class T, class F>
    boost::system::result<T> in_transaction(const char* op, F&& body)
    {
        {
            use q(begin);
            if (const int rc = q.step(); rc != SQLITE_DONE)
                return failure(db.get(), rc, op);
        }
        auto out = body();
        if (!out) {
            use q(rollback);
            (void)q.step();
            return out;
        }
        use q(commit);
        if (const int rc = q.step(); rc != SQLITE_DONE) {
            use r(rollback);
            (void)r.step();
            return failure(db.get(), rc, op);
        }
        return out;
    }

    boost::system::result<ports::outbox_delivery> delivery_row(use& q, const char* op)
    {
        ports::outbox_delivery d;
        d.id = q.column_text(0);
        d.sink = q.column_text(1);
        auto payload = decode_value(q.column_text(2));
        if (!payload)
            return unreadable_value(op);
        d.payload = std::move(*payload);
        d.status = q.column_text(3);
        d.attempts = static_cast<int>(q.column_integer(4));
        d.next_attempt_at = q.column_integer(5);
        d.last_error = q.column_text(6);
        d.external_id = q.column_text(7);
        d.created_at = q.column_integer(8);
        return d;
    }

    boost::system::result<std::string> save_and_enqueue_now(const std::string& key, const nlohmann::json& value, const etag_match& expected,
                                                            const std::vector<ports::outbox_delivery>& deliveries)
    {
        std::vector<std::string> payloads;
        for (const auto& d : deliveries) {
            auto text = encode_value(d.payload);
            if (!text)
                return text.error();
            payloads.push_back(std::move(*text));
        }
        return in_transaction<std::string>("save_and_enqueue", [&]() -> boost::system::result<std::string> {
            auto saved = save_now(key, value, expected);
            if (!saved)
                return saved;
            for (std::size_t i = 0; i < deliveries.size(); ++i) {
                use q(enqueue);
                q.text(1, deliveries[i].id).text(2, deliveries[i].sink).text(3, payloads[i]);
                q.integer(4, deliveries[i].next_attempt_at).integer(5, deliveries[i].created_at);
                if (const int rc = q.step(); rc != SQLITE_DONE)
                    return failure(db.get(), rc, "save_and_enqueue");
            }
            return saved;
        });
    }

    /// Rows of a delivery query.
    boost::system::result<std::vector<ports::outbox_delivery>> deliveries_of(use& q, const char* op)
    {
        std::vector<ports::outbox_delivery> out;
        for (;;) {
            const int rc = q.step();
            if (rc == SQLITE_DONE)
                return out;
            if (rc != SQLITE_ROW)
                return failure(db.get(), rc, op);
            auto d = delivery_row(q, op);
            if (!d)
                return d.error();
            out.push_back(std::move(*d));
        }
    }

    boost::system::result<std::vector<ports::outbox_delivery>> take_due_now(std::int64_t now_ms, std::int64_t lease_ms, std::size_t limit)
    {
        using rows = std::vector<ports::outbox_delivery>;
        return in_transaction<rows>("take_due", [&]() -> boost::system::result<rows> {
            boost::system::result<rows> out = rows{};
            {
                use q(due);
                q.integer(1, now_ms).integer(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, 1u << 20)));
                out = deliveries_of(q, "take_due");
            }
            if (!out)
                return out;
            for (auto& d : *out) {
                d.next_attempt_at = now_ms + lease_ms;
                use q(lease);
                q.text(1, d.id).integer(2, d.next_attempt_at);
                if (const int rc = q.step(); rc != SQLITE_DONE)
                    return failure(db.get(), rc, "take_due");
            }
            return out;
        });
    }

    boost::system::result<void> record_attempt_now(const std::string& id, const std::string& status, std::int64_t next_attempt_at,
                                                   const std::string& error, const std::string& external_id)
    {
        use q(attempt);
        q.text(1, id).text(2, status).integer(3, next_attempt_at).text(4, error).text(5, external_id);
        if (const int rc = q.step(); rc != SQLITE_DONE)
            return failure(db.get(), rc, "record_attempt");
        return {};
    }

    boost::system::result<std::optional<ports::outbox_delivery>> delivery_now(const std::string& id)
    {
        use q(get_delivery);
        q.text(1, id);
        auto rows = deliveries_of(q, "delivery");
        if (!rows)
            return rows.error();
        if (rows->empty())
            return std::optional<ports::outbox_delivery>{};
        return std::optional<ports::outbox_delivery>{std::move(rows->front())};
    }

    boost::system::result<std::vector<ports::outbox_delivery>> list_deliveries_now(const std::string& status, std::size_t limit)
    {
        use q(list_deliveries);
        q.text(1, status).integer(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, 1u << 20)));
        return deliveries_of(q, "list_deliveries");
    }

    boost::system::result<ports::outbox_counts> counts_now()
    {
        ports::outbox_counts out;
        use q(count_deliveries);
        for (;;) {
            const int rc = q.step();
            if (rc == SQLITE_DONE)
                return out;
            if (rc != SQLITE_ROW)
                return failure(db.get(), rc, "counts");
            out[q.column_text(0)][q.column_text(1)] = q.column_integer(2);
        }
    }

    ~impl() { pool.join(); } // statements in flight finish first

    impl(const impl&) = delete;
    impl& operator=(const impl&) = delete;

    boost::system::result<std::optional<ports::stored_document>> load_now(const std::string& key)
    {
        use q(load);
        q.text(1, key);
        const int rc = q.step();
        if (rc == SQLITE_DONE)
            return std::optional<ports::stored_document>{};
        if (rc != SQLITE_ROW)
            return failure(db.get(), rc, "load");
        auto value = decode_value(q.column_text(1));
        if (!value)
            return unreadable_value("load");
        return std::optional<ports::stored_document>{ports::stored_document{std::move(*value), q.column_text(0)}};
    }

    /// The keys' documents in one read transaction: one snapshot, the database's locks taken
    /// and released once instead of once per key.
    boost::system::result<std::vector<std::optional<ports::stored_document>>> load_many_now(const std::vector<std::string>& keys)
    {
        std::vector<std::optional<ports::stored_document>> out;
        out.reserve(keys.size());
        {
            use q(begin_read);
            if (const int rc = q.step(); rc != SQLITE_DONE)
                return failure(db.get(), rc, "load");
        }
        boost::system::error_code error;
        for (const auto& key : keys) {
            auto one = load_now(key);
            if (!one) {
                error = one.error();
                break;
            }
            out.push_back(std::move(*one));
        }
        // Ending a read-only transaction cannot lose anything; COMMIT only fails while a
        // statement is still running, and every use above has been reset.
        use q(error ? rollback : commit);
        if (const int rc = q.step(); rc != SQLITE_DONE && !error)
            return failure(db.get(), rc, "load");
        if (error)
            return error;
        return out;
    }

    boost::system::result<std::string> save_now(const std::string& key, const nlohmann::json& value,
                                                const etag_match& expected)
    {
        auto text = encode_value(value);
        if (!text)
            return text.error();
        std::string etag = new_etag();
        const std::string now = format_recorded_at(clock());
        const statement& s = expected.what == etag_match::kind::any      ? save_any
                             : expected.what == etag_match::kind::absent ? save_absent
                                                                         : save_equals;
        use q(s);
        q.text(1, key).text(2, etag).text(3, *text).text(4, now);
        if (expected.what == etag_match::kind::equals)
            q.text(5, expected.etag);
        if (const int rc = q.step(); rc != SQLITE_DONE)
            return failure(db.get(), rc, "save");
        // absent: the insert did nothing because the key exists; equals: no row had that ETag.
        if (expected.what != etag_match::kind::any && sqlite3_changes(db.get()) == 0)
            return make_error_code(storage_errc::conflict);
        return etag;
    }

    boost::system::result<void> erase_now(const std::string& key, const etag_match& expected)
    {
        if (expected.what == etag_match::kind::absent) {
            // Holds only when there is nothing to remove.
            use q(exists);
            q.text(1, key);
            const int rc = q.step();
            if (rc == SQLITE_ROW)
                return make_error_code(storage_errc::conflict);
            if (rc != SQLITE_DONE)
                return failure(db.get(), rc, "erase");
            return {};
        }
        const bool equals = expected.what == etag_match::kind::equals;
        use q(equals ? erase_equals : erase_any);
        q.text(1, key);
        if (equals)
            q.text(2, expected.etag);
        if (const int rc = q.step(); rc != SQLITE_DONE)
            return failure(db.get(), rc, "erase");
        if (equals && sqlite3_changes(db.get()) == 0)
            return make_error_code(storage_errc::conflict);
        return {};
    }

    boost::system::result<std::int64_t> append_now(const std::string& kind, const nlohmann::json& data,
                                                   const std::string& idempotency_key)
    {
        auto text = encode_value(data);
        if (!text)
            return text.error();
        {
            use q(append);
            q.text(1, kind).text(2, idempotency_key).text(3, format_recorded_at(clock())).text(4, *text);
            if (const int rc = q.step(); rc != SQLITE_DONE)
                return failure(db.get(), rc, "append");
            if (sqlite3_changes(db.get()) == 1)
                return sqlite3_last_insert_rowid(db.get());
        }
        // Nothing inserted: (kind, idempotency_key) exists. Records are never deleted, so it is there.
        use q(find_idempotent);
        q.text(1, kind).text(2, idempotency_key);
        const int rc = q.step();
        if (rc == SQLITE_ROW)
            return q.column_integer(0);
        return failure(db.get(), rc == SQLITE_DONE ? SQLITE_ERROR : rc, "append");
    }

    boost::system::result<std::vector<ports::record>> list_now(const std::string& kind, std::int64_t after_seq,
                                                               std::size_t limit)
    {
        std::vector<ports::record> out;
        use q(list);
        q.text(1, kind).integer(2, after_seq);
        q.integer(3, static_cast<std::int64_t>(std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max())));
        for (;;) {
            const int rc = q.step();
            if (rc == SQLITE_DONE)
                return out;
            if (rc != SQLITE_ROW)
                return failure(db.get(), rc, "list");
            auto data = decode_value(q.column_text(3));
            if (!data)
                return unreadable_value("list");
            out.push_back(ports::record{q.column_integer(0), kind, q.column_text(1), q.column_text(2), std::move(*data)});
        }
    }
};

// --- The ports -----------------------------------------------------------------------------------
// Each method checks what needs no database on the calling thread, then runs one job on the pool.
// The job is a named local (house style rule 27: no capturing lambda inside the co_await).

std::unique_ptr<sqlite_storage> sqlite_storage::open(std::filesystem::path file, sqlite_options options)
{
    // Two processes creating the same new file at once: SQLite may answer SQLITE_BUSY at once
    // (without the busy handler) while the other one switches the file to WAL. That is transient:
    // start over until the busy timeout has passed. Anything else is final.
    const auto deadline = std::chrono::steady_clock::now() + options.busy_timeout;
    connection db;
    std::int64_t found = 0;
    for (;;) {
        db = open_connection(file, options.busy_timeout);
        try {
            found = inspect(db.get(), file); // before any write: a refused file stays as it was
            configure(db.get(), file);
            if (found < sqlite_schema_version)
                migrate(db.get(), file);
            break;
        } catch (const open_error& e) {
            const int rc = sqlite3_errcode(db.get()) & 0xff;
            const bool transient = e.id() == "storage.unavailable" && (rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
            if (!transient || std::chrono::steady_clock::now() >= deadline)
                throw;
        }
        db.reset();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!options.clock)
        options.clock = [] { return std::chrono::system_clock::now(); };
    auto i = std::make_unique<impl>(file, std::move(options.clock), std::move(db));
    log::info("storage.opened", {{"backend", "sqlite"},
                                 {"file", file.string()},
                                 {"schema_version", sqlite_schema_version},
                                 {"migrated_from", found}});
    return std::unique_ptr<sqlite_storage>(new sqlite_storage(std::move(i)));
}

sqlite_storage::sqlite_storage(std::unique_ptr<impl> i) : impl_(std::move(i)) {}

sqlite_storage::~sqlite_storage() = default;

const std::filesystem::path& sqlite_storage::file() const noexcept
{
    return impl_->file;
}

task<boost::system::result<std::optional<ports::stored_document>>> sqlite_storage::load(std::string key)
{
    if (auto ec = check_key(key))
        co_return ec;
    auto job = [i = impl_.get(), key = std::move(key)] { return i->load_now(key); };
    auto r = co_await offload(impl_->pool, std::move(job));
    co_return r;
}

task<boost::system::result<std::vector<std::optional<ports::stored_document>>>> sqlite_storage::load_many(std::vector<std::string> keys)
{
    for (const auto& key : keys)
        if (auto ec = check_key(key))
            co_return ec;
    if (keys.empty())
        co_return std::vector<std::optional<ports::stored_document>>{};
    auto job = [i = impl_.get(), keys = std::move(keys)] { return i->load_many_now(keys); };
    auto r = co_await offload(impl_->pool, std::move(job));
    co_return r;
}

task<boost::system::result<std::string>> sqlite_storage::save(std::string key, nlohmann::json value,
                                                              etag_match expected)
{
    if (auto ec = check_key(key))
        co_return ec;
    auto job = [i = impl_.get(), key = std::move(key), value = std::move(value), expected = std::move(expected)] {
        return i->save_now(key, value, expected);
    };
    auto r = co_await offload(impl_->pool, std::move(job));
    co_return r;
}

task<boost::system::result<void>> sqlite_storage::erase(std::string key, etag_match expected)
{
    if (auto ec = check_key(key))
        co_return ec;
    auto job = [i = impl_.get(), key = std::move(key), expected = std::move(expected)] {
        return i->erase_now(key, expected);
    };
    auto r = co_await offload(impl_->pool, std::move(job));
    co_return r;
}

task<boost::system::result<std::int64_t>> sqlite_storage::append(std::string kind, nlohmann::json data,
                                                                 std::string idempotency_key)
{
    if (auto ec = check_key(kind))
        co_return ec;
    if (idempotency_key.size() > ports::max_key_bytes)
        co_return make_error_code(storage_errc::bad_key);
    auto job = [i = impl_.get(), kind = std::move(kind), data = std::move(data), key = std::move(idempotency_key)] {
        return i->append_now(kind, data, key);
    };
    auto r = co_await offload(impl_->pool, std::move(job));
    co_return r;
}

task<boost::system::result<std::vector<ports::record>>> sqlite_storage::list(std::string kind, std::int64_t after_seq,
                                                                             std::size_t limit)
{
    if (auto ec = check_key(kind))
        co_return ec;
    auto job = [i = impl_.get(), kind = std::move(kind), after_seq, limit] { return i->list_now(kind, after_seq, limit); };
    auto r = co_await offload(impl_->pool, std::move(job));
    co_return r;
}

// --- The outbox (bot/ports/outbox.hpp) -------------------------------------------------------------

task<boost::system::result<std::string>> sqlite_storage::save_and_enqueue(std::string key, nlohmann::json value, etag_match expected,
                                                                          std::vector<ports::outbox_delivery> deliveries)
{
    if (auto ec = check_key(key))
        co_return ec;
    auto job = [i = impl_.get(), key = std::move(key), value = std::move(value), expected = std::move(expected),
                deliveries = std::move(deliveries)] { return i->save_and_enqueue_now(key, value, expected, deliveries); };
    auto r = co_await offload(impl_->pool, std::move(job));
    co_return r;
}

task<boost::system::result<std::vector<ports::outbox_delivery>>> sqlite_storage::take_due(std::int64_t now_ms, std::int64_t lease_ms,
                                                                                         std::size_t limit)
{
    auto job = [i = impl_.get(), now_ms, lease_ms, limit] { return i->take_due_now(now_ms, lease_ms, limit); };
    auto r = co_await offload(impl_->pool, std::move(job));
    co_return r;
}

task<boost::system::result<void>> sqlite_storage::record_attempt(std::string id, std::string status, std::int64_t next_attempt_at,
                                                                 std::string error, std::string external_id)
{
    auto job = [i = impl_.get(), id = std::move(id), status = std::move(status), next_attempt_at, error = std::move(error),
                external_id = std::move(external_id)] { return i->record_attempt_now(id, status, next_attempt_at, error, external_id); };
    auto r = co_await offload(impl_->pool, std::move(job));
    co_return r;
}

task<boost::system::result<std::optional<ports::outbox_delivery>>> sqlite_storage::delivery(std::string id)
{
    auto job = [i = impl_.get(), id = std::move(id)] { return i->delivery_now(id); };
    auto r = co_await offload(impl_->pool, std::move(job));
    co_return r;
}

task<boost::system::result<ports::outbox_counts>> sqlite_storage::counts()
{
    auto job = [i = impl_.get()] { return i->counts_now(); };
    auto r = co_await offload(impl_->pool, std::move(job));
    co_return r;
}

task<boost::system::result<std::vector<ports::outbox_delivery>>> sqlite_storage::list(std::string status, std::size_t limit)
{
    auto job = [i = impl_.get(), status = std::move(status), limit] { return i->list_deliveries_now(status, limit); };
    auto r = co_await offload(impl_->pool, std::move(job));
    co_return r;
}

} // namespace ab::adapters::storage
