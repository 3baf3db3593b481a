#pragma once
// Both storage ports on one SQLite file (e.g. DATA/state.sqlite), shared safely by several
// processes: WAL journal, synchronous=NORMAL, a busy timeout, and single-statement writes whose
// WHERE clause is the ETag check (an atomic compare-and-set). The schema is versioned in
// `PRAGMA user_version` and migrated at open (sqlite_storage.cpp, `migrations`).
//
// Threading: the object owns a thread pool of ONE thread that holds the connection; every
// statement runs there through ab::offload, and the calling coroutine resumes on its own
// executor. So the port methods never block the I/O thread and may be called from any thread.
// The object must outlive every call on it.

#include "adapters/storage/rules.hpp"
#include "bot/ports/outbox.hpp"
#include "bot/ports/storage.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

namespace ab::adapters::storage {

/// The schema version this build writes (= the number of migrations it knows).
inline constexpr int sqlite_schema_version = 2;

/// Why sqlite_storage::open refused a file. what() starts with the stable id in brackets.
class open_error : public std::runtime_error {
public:
    open_error(std::string id, const std::string& detail);
    /// The stable id without brackets:
    ///  - storage.corrupt: not a SQLite database, or damaged (the file is left as it was);
    ///  - storage.schema_too_new: written by a newer build (user_version above ours; untouched);
    ///  - storage.foreign_database: a SQLite database of something else (other application_id,
    ///    or tables without our version; untouched);
    ///  - storage.unavailable: cannot create the folder or open/lock the file, or no WAL;
    ///  - storage.migration_failed: a migration failed (rolled back, the file keeps its version).
    const std::string& id() const noexcept { return id_; }

private:
    std::string id_;
};

struct sqlite_options {
    /// How long a statement waits for another process's lock before storage_errc::unavailable.
    std::chrono::milliseconds busy_timeout{5000};
    /// Sets recorded_at and updated_at (default: the system clock).
    wall_clock clock;
};

class sqlite_storage final : public ports::state_store, public ports::record_log, public ports::outbox {
public:
    /// Opens (creating it and its folder if missing) and migrates the database at `file`.
    /// Blocking: call at start-up, before the I/O thread runs. Throws open_error (see its ids);
    /// a refused file is never modified or deleted.
    static std::unique_ptr<sqlite_storage> open(std::filesystem::path file, sqlite_options options = {});

    /// Waits for statements in flight, then closes the connection.
    ~sqlite_storage() override;
    sqlite_storage(const sqlite_storage&) = delete;
    sqlite_storage& operator=(const sqlite_storage&) = delete;

    // The ports (bot/ports/storage.hpp). Expected failures are values: bad_key and too_large are
    // checked before anything is written; SQLITE_BUSY and I/O errors give unavailable, a damaged
    // file or a row that is not JSON gives corrupt (both logged with their error id). A value
    // with a string that is not UTF-8 throws nlohmann::json::type_error (a bug in the caller).
    task<boost::system::result<std::optional<ports::stored_document>>> load(std::string key) override;
    /// One read transaction for all keys, one trip to the connection's thread.
    task<boost::system::result<std::vector<std::optional<ports::stored_document>>>> load_many(std::vector<std::string> keys) override;
    task<boost::system::result<std::string>> save(std::string key, nlohmann::json value,
                                                  ports::etag_match expected) override;
    task<boost::system::result<void>> erase(std::string key, ports::etag_match expected) override;

    task<boost::system::result<std::int64_t>> append(std::string kind, nlohmann::json data,
                                                     std::string idempotency_key) override;
    task<boost::system::result<std::vector<ports::record>>> list(std::string kind, std::int64_t after_seq,
                                                                 std::size_t limit) override;

    task<boost::system::result<std::string>> save_and_enqueue(std::string key, nlohmann::json value, ports::etag_match expected,
                                                              std::vector<ports::outbox_delivery> deliveries) override;
    task<boost::system::result<std::vector<ports::outbox_delivery>>> take_due(std::int64_t now_ms, std::int64_t lease_ms,
                                                                               std::size_t limit) override;
    task<boost::system::result<void>> record_attempt(std::string id, std::string status, std::int64_t next_attempt_at,
                                                     std::string error, std::string external_id) override;
    task<boost::system::result<std::optional<ports::outbox_delivery>>> delivery(std::string id) override;
    task<boost::system::result<ports::outbox_counts>> counts() override;
    task<boost::system::result<std::vector<ports::outbox_delivery>>> list(std::string status, std::size_t limit) override;

    const std::filesystem::path& file() const noexcept;

private:
    struct impl; // the connection, its prepared statements and the pool (keeps <sqlite3.h> here out)
    explicit sqlite_storage(std::unique_ptr<impl> i);

    std::unique_ptr<impl> impl_;
};

} // namespace ab::adapters::storage
