#include "adapters/storage/sqlite_storage.hpp"

#include "bot/log.hpp"
#include "tests/support/run_sync.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/adapters_storage/outbox_contract.hpp"
#include "tests/unit/adapters_storage/storage_contract.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <latch>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

// At global scope so that ctest names read "SqliteStorage.<test><sqlite_backend>".
struct sqlite_backend {
    ab::test::temp_dir dir;
    std::unique_ptr<ab::adapters::storage::sqlite_storage> store =
        ab::adapters::storage::sqlite_storage::open(dir.path() / "data" / "state.sqlite");

    std::string skip_reason() const { return {}; }
    ab::bot::ports::state_store& state() { return *store; }
    ab::bot::ports::record_log& records() { return *store; }
    ab::bot::ports::outbox& outbox() { return *store; }
};

namespace ab::test::storage_contract {
INSTANTIATE_TYPED_TEST_SUITE_P(SqliteStorage, StorageContract, sqlite_backend);
} // namespace ab::test::storage_contract

namespace ab::test::outbox_contract {
INSTANTIATE_TYPED_TEST_SUITE_P(SqliteOutbox, OutboxContract, sqlite_backend);
} // namespace ab::test::outbox_contract

namespace {

using namespace ab;
using adapters::storage::open_error;
using adapters::storage::sqlite_options;
using adapters::storage::sqlite_storage;
using bot::ports::etag_match;
using bot::ports::storage_errc;
using nlohmann::json;

/// A plain connection, as another tool (or an operator with the sqlite3 shell) would open it.
class raw_db {
public:
    explicit raw_db(const std::filesystem::path& file)
    {
        if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK)
            throw std::runtime_error("cannot open " + file.string());
        sqlite3_busy_timeout(db_, 5000);
    }
    ~raw_db() { sqlite3_close_v2(db_); }
    raw_db(const raw_db&) = delete;
    raw_db& operator=(const raw_db&) = delete;

    void exec(const std::string& sql)
    {
        char* err = nullptr;
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
            std::string message = err != nullptr ? err : "?";
            sqlite3_free(err);
            throw std::runtime_error(message + " in: " + sql);
        }
    }
    std::string text(const std::string& sql)
    {
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string(sqlite3_errmsg(db_)) + " in: " + sql);
        std::string out;
        if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != nullptr)
            out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
        return out;
    }

private:
    sqlite3* db_ = nullptr;
};

std::string read_bytes(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> names_in(const std::filesystem::path& dir)
{
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

/// The id of the open_error that opening `file` throws ("" when it opens).
std::string open_failure(const std::filesystem::path& file, sqlite_options options = {})
{
    try {
        (void)sqlite_storage::open(file, std::move(options));
    } catch (const open_error& e) {
        EXPECT_EQ(std::string(e.what()).rfind("[" + e.id() + "] ", 0), 0u) << e.what();
        return e.id();
    }
    return "";
}

/// Collects log lines (from any thread) while alive.
class log_capture {
public:
    log_capture()
    {
        log::set_sink([this](const std::string& line) {
            std::lock_guard lock(mutex_);
            lines_.push_back(line);
        });
    }
    ~log_capture() { log::set_sink(nullptr); }
    log_capture(const log_capture&) = delete;
    log_capture& operator=(const log_capture&) = delete;

    bool has(const std::string& event, const std::string& error_id)
    {
        std::lock_guard lock(mutex_);
        for (const auto& l : lines_) {
            const auto j = json::parse(l, nullptr, false);
            if (j.is_object() && j.value("event", "") == event && j.value("error_id", "") == error_id)
                return true;
        }
        return false;
    }

private:
    std::mutex mutex_;
    std::vector<std::string> lines_;
};

TEST(SqliteStorage, DataSurvivesCloseAndReopen)
{
    test::temp_dir dir;
    const auto file = dir.path() / "state.sqlite";
    std::string etag;
    std::int64_t seq = 0;
    {
        auto store = sqlite_storage::open(file);
        auto e = test::run_sync(store->save("conversation/a", json{{"step", "confirm"}, {"text", "grüß dich"}},
                                            etag_match::any_version()));
        ASSERT_TRUE(e);
        etag = *e;
        auto s = test::run_sync(store->append("feedback", json{{"vote", "up"}}, "act-1"));
        ASSERT_TRUE(s);
        seq = *s;
    }
    auto store = sqlite_storage::open(file);
    auto loaded = test::run_sync(store->load("conversation/a"));
    ASSERT_TRUE(loaded && loaded->has_value());
    EXPECT_EQ((*loaded)->value, (json{{"step", "confirm"}, {"text", "grüß dich"}}));
    EXPECT_EQ((*loaded)->etag, etag);
    // The ETag and the idempotency key still hold after the restart; seq keeps growing.
    auto cas = test::run_sync(store->save("conversation/a", json{{"step", "done"}}, etag_match::must_equal(etag)));
    EXPECT_TRUE(cas);
    auto again = test::run_sync(store->append("feedback", json{{"vote", "up"}}, "act-1"));
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, seq);
    auto next = test::run_sync(store->append("feedback", json{{"vote", "down"}}, "act-2"));
    ASSERT_TRUE(next);
    EXPECT_GT(*next, seq);
}

TEST(SqliteStorage, UsesWalAndRecordsItsSchemaVersion)
{
    test::temp_dir dir;
    const auto file = dir.path() / "state.sqlite";
    auto store = sqlite_storage::open(file);
    ASSERT_TRUE(test::run_sync(store->save("k", json{{"v", 1}}, etag_match::any_version())));
    raw_db raw(file);
    EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
    EXPECT_EQ(raw.text("PRAGMA user_version"), std::to_string(adapters::storage::sqlite_schema_version));
    EXPECT_EQ(raw.text("PRAGMA application_id"), std::to_string(0x41424F54));
    EXPECT_EQ(raw.text("SELECT value FROM state WHERE key = 'k'"), "{\"v\":1}");
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "state.sqlite-wal"));
}

TEST(SqliteStorage, CreatesTheParentFolderAndAcceptsAnEmptyFile)
{
    test::temp_dir dir;
    auto store = sqlite_storage::open(dir.path() / "a" / "b" / "state.sqlite");
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "a" / "b" / "state.sqlite"));
    EXPECT_EQ(store->file(), dir.path() / "a" / "b" / "state.sqlite");
    const auto empty = dir.write("empty.sqlite", "");
    EXPECT_EQ(open_failure(empty), "");
}

TEST(SqliteStorage, AFileThatIsNotADatabaseIsRefusedAndLeftAsItWas)
{
    test::temp_dir dir;
    std::string garbage;
    for (int i = 0; garbage.size() < 8192; ++i)
        garbage += "not a database, line " + std::to_string(i) + "\n";
    const auto big = dir.write("big/state.sqlite", garbage);
    const auto small = dir.write("small/state.sqlite", "hello");
    for (const auto& file : {big, small}) {
        const std::string before = read_bytes(file);
        EXPECT_EQ(open_failure(file), "storage.corrupt") << file;
        EXPECT_EQ(read_bytes(file), before) << file;
        EXPECT_EQ(names_in(file.parent_path()), std::vector<std::string>{"state.sqlite"}) << file;
    }
}

TEST(SqliteStorage, ADamagedDatabaseIsRefusedAndLeftAsItWas)
{
    test::temp_dir dir;
    const auto file = dir.path() / "state.sqlite";
    {
        auto store = sqlite_storage::open(file);
        ASSERT_TRUE(test::run_sync(store->save("k", json{{"v", 1}}, etag_match::any_version())));
    } // the last close checkpoints the WAL into the file
    ASSERT_FALSE(std::filesystem::exists(dir.path() / "state.sqlite-wal"));
    std::string bytes = read_bytes(file);
    ASSERT_GT(bytes.size(), 100u);
    bytes.replace(0, 16, "garbage-garbage!"); // the header magic
    dir.write("state.sqlite", bytes);
    EXPECT_EQ(open_failure(file), "storage.corrupt");
    EXPECT_EQ(read_bytes(file), bytes);
}

TEST(SqliteStorage, ADatabaseFromANewerVersionIsRefusedAndLeftAsItWas)
{
    test::temp_dir dir;
    const auto file = dir.path() / "state.sqlite";
    {
        raw_db raw(file);
        raw.exec("CREATE TABLE state (key TEXT PRIMARY KEY, etag TEXT, value TEXT, updated_at TEXT, owner TEXT);"
                 "PRAGMA application_id = " + std::to_string(0x41424F54) + ";"
                 "PRAGMA user_version = " + std::to_string(adapters::storage::sqlite_schema_version + 1));
    }
    const std::string before = read_bytes(file);
    EXPECT_EQ(open_failure(file), "storage.schema_too_new");
    EXPECT_EQ(read_bytes(file), before);
    raw_db raw(file);
    EXPECT_EQ(raw.text("PRAGMA journal_mode"), "delete"); // not even switched to WAL
}

TEST(SqliteStorage, AnotherApplicationsDatabaseIsRefusedAndLeftAsItWas)
{
    test::temp_dir dir;
    const auto unversioned = dir.path() / "knowledge.sqlite";
    const auto other_app = dir.path() / "other.sqlite";
    raw_db(unversioned).exec("CREATE TABLE articles (id TEXT PRIMARY KEY)");
    raw_db(other_app).exec("PRAGMA application_id = 1234; CREATE TABLE t (x)");
    for (const auto& file : {unversioned, other_app}) {
        const std::string before = read_bytes(file);
        EXPECT_EQ(open_failure(file), "storage.foreign_database") << file;
        EXPECT_EQ(read_bytes(file), before) << file;
    }
}

TEST(SqliteStorage, LoadManyOfADamagedDocumentFailsAndEndsItsReadTransaction)
{
    test::temp_dir dir;
    const auto file = dir.path() / "state.sqlite";
    auto store = sqlite_storage::open(file);
    ASSERT_TRUE(test::run_sync(store->save("k", json{{"v", 1}}, etag_match::any_version())));
    ASSERT_TRUE(test::run_sync(store->save("fine", json{{"v", 2}}, etag_match::any_version())));
    raw_db(file).exec("UPDATE state SET value = '{\"v\": 1, oops' WHERE key = 'k'");
    log_capture logs;
    auto both = test::run_sync(store->load_many({"fine", "k"}));
    ASSERT_FALSE(both);
    EXPECT_EQ(both.error(), storage_errc::corrupt);
    // The read transaction was ended: the next BEGIN works (it fails inside an open transaction)
    // and this connection sees another connection's later write (an old snapshot would hide it).
    raw_db(file).exec("UPDATE state SET value = '{\"v\": 7}' WHERE key = 'fine'");
    auto again = test::run_sync(store->load_many({"fine", "missing"}));
    ASSERT_TRUE(again) << again.error().message();
    ASSERT_TRUE((*again)[0].has_value());
    EXPECT_EQ((*again)[0]->value, (json{{"v", 7}}));
    EXPECT_FALSE((*again)[1].has_value());
    EXPECT_TRUE(test::run_sync(store->save("k", json{{"v", 3}}, etag_match::any_version())));
}

TEST(SqliteStorage, AStoredValueThatIsNotJsonIsReportedAsCorrupt)
{
    test::temp_dir dir;
    const auto file = dir.path() / "state.sqlite";
    auto store = sqlite_storage::open(file);
    ASSERT_TRUE(test::run_sync(store->save("k", json{{"v", 1}}, etag_match::any_version())));
    ASSERT_TRUE(test::run_sync(store->save("fine", json{{"v", 2}}, etag_match::any_version())));
    ASSERT_TRUE(test::run_sync(store->append("feedback", json{{"n", 1}}, "")));
    {
        raw_db raw(file);
        raw.exec("UPDATE state SET value = '{\"v\": 1, oops' WHERE key = 'k'");
        raw.exec("UPDATE records SET data = X'FF00FF' WHERE kind = 'feedback'");
    }
    log_capture logs;
    auto loaded = test::run_sync(store->load("k"));
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error(), storage_errc::corrupt);
    auto listed = test::run_sync(store->list("feedback", 0, 10));
    ASSERT_FALSE(listed);
    EXPECT_EQ(listed.error(), storage_errc::corrupt);
    EXPECT_TRUE(logs.has("storage.value.corrupt", "storage.corrupt"));
    // The rest of the store is fine, and the damaged document can be overwritten.
    auto fine = test::run_sync(store->load("fine"));
    ASSERT_TRUE(fine && fine->has_value());
    EXPECT_TRUE(test::run_sync(store->save("k", json{{"v", 3}}, etag_match::any_version())));
}

TEST(SqliteStorage, TwoInstancesOnOneFileSeeEachOthersWritesAndConflicts)
{
    test::temp_dir dir;
    const auto file = dir.path() / "state.sqlite";
    auto a = sqlite_storage::open(file);
    auto b = sqlite_storage::open(file);
    auto e0 = test::run_sync(a->save("conversation/x", json{{"turn", 0}}, etag_match::must_be_absent()));
    ASSERT_TRUE(e0);
    auto seen = test::run_sync(b->load("conversation/x"));
    ASSERT_TRUE(seen && seen->has_value());
    EXPECT_EQ((*seen)->etag, *e0);
    EXPECT_EQ((*seen)->value, (json{{"turn", 0}}));
    // Both read turn 0; b saves first, a's save with the same ETag is a conflict.
    auto by_b = test::run_sync(b->save("conversation/x", json{{"turn", "b"}}, etag_match::must_equal(*e0)));
    ASSERT_TRUE(by_b);
    auto by_a = test::run_sync(a->save("conversation/x", json{{"turn", "a"}}, etag_match::must_equal(*e0)));
    ASSERT_FALSE(by_a);
    EXPECT_EQ(by_a.error(), storage_errc::conflict);
    auto created = test::run_sync(b->save("conversation/x", json{}, etag_match::must_be_absent()));
    ASSERT_FALSE(created);
    EXPECT_EQ(created.error(), storage_errc::conflict);
    auto reloaded = test::run_sync(a->load("conversation/x"));
    ASSERT_TRUE(reloaded && reloaded->has_value());
    EXPECT_EQ((*reloaded)->etag, *by_b);
    // The record log is shared too, idempotency included.
    auto s1 = test::run_sync(a->append("feedback", json{{"vote", "up"}}, "act-9"));
    auto s2 = test::run_sync(b->append("feedback", json{{"vote", "up"}}, "act-9"));
    ASSERT_TRUE(s1 && s2);
    EXPECT_EQ(*s1, *s2);
    auto listed = test::run_sync(b->list("feedback", 0, 10));
    ASSERT_TRUE(listed);
    EXPECT_EQ(listed->size(), 1u);
}

TEST(SqliteStorage, TwoInstancesRacingFromOneEtagHaveExactlyOneWinner)
{
    test::temp_dir dir;
    const auto file = dir.path() / "state.sqlite";
    auto a = sqlite_storage::open(file);
    auto b = sqlite_storage::open(file);
    auto e0 = test::run_sync(a->save("turn-state", json{{"winner", -1}}, etag_match::any_version()));
    ASSERT_TRUE(e0);
    constexpr int n = 8;
    std::vector<boost::system::error_code> outcomes(n);
    std::latch start(n);
    {
        std::vector<std::jthread> threads;
        for (int i = 0; i < n; ++i) {
            sqlite_storage* store = i % 2 == 0 ? a.get() : b.get();
            threads.emplace_back([&, i, store] {
                start.arrive_and_wait();
                test::run_sync(test::storage_contract::try_save(*store, "turn-state", *e0, i, &outcomes));
            });
        }
    }
    int winners = 0;
    for (const auto& ec : outcomes) {
        if (!ec)
            ++winners;
        else
            EXPECT_EQ(ec, storage_errc::conflict) << ec.message();
    }
    EXPECT_EQ(winners, 1);
}

TEST(SqliteStorage, TwoProcessesOpeningANewFileAtOnceBothSucceed)
{
    test::temp_dir dir;
    const auto file = dir.path() / "state.sqlite";
    std::latch start(2);
    std::string failures[2];
    {
        std::jthread t1([&] {
            start.arrive_and_wait();
            failures[0] = open_failure(file);
        });
        std::jthread t2([&] {
            start.arrive_and_wait();
            failures[1] = open_failure(file);
        });
    }
    EXPECT_EQ(failures[0], "");
    EXPECT_EQ(failures[1], "");
    raw_db raw(file);
    EXPECT_EQ(raw.text("PRAGMA user_version"), std::to_string(adapters::storage::sqlite_schema_version));
}

TEST(SqliteStorage, ALockHeldLongerThanTheBusyTimeoutIsUnavailable)
{
    test::temp_dir dir;
    const auto file = dir.path() / "state.sqlite";
    sqlite_options options;
    options.busy_timeout = std::chrono::milliseconds(50);
    auto store = sqlite_storage::open(file, options);
    ASSERT_TRUE(test::run_sync(store->save("k", json{{"v", 1}}, etag_match::any_version())));
    raw_db other(file);
    other.exec("BEGIN IMMEDIATE"); // another process holds the write lock
    log_capture logs;
    auto saved = test::run_sync(store->save("k", json{{"v", 2}}, etag_match::any_version()));
    ASSERT_FALSE(saved);
    EXPECT_EQ(saved.error(), storage_errc::unavailable);
    auto appended = test::run_sync(store->append("feedback", json{{"n", 1}}, ""));
    ASSERT_FALSE(appended);
    EXPECT_EQ(appended.error(), storage_errc::unavailable);
    EXPECT_TRUE(logs.has("storage.sqlite.failed", "storage.unavailable"));
    // Readers are not blocked by a writer in WAL mode.
    auto loaded = test::run_sync(store->load("k"));
    ASSERT_TRUE(loaded && loaded->has_value());
    EXPECT_EQ((*loaded)->value, (json{{"v", 1}}));
    other.exec("ROLLBACK");
    EXPECT_TRUE(test::run_sync(store->save("k", json{{"v", 2}}, etag_match::any_version())));
}

task<void> save_while_locked(sqlite_storage* store, std::vector<std::string>* events)
{
    json value = {{"v", 2}};
    auto r = co_await store->save("k", std::move(value), etag_match::any_version());
    events->push_back(r ? "saved" : "unavailable");
}

task<void> tick(std::vector<std::string>* events)
{
    net::steady_timer timer(co_await net::this_coro::executor, std::chrono::milliseconds(20));
    co_await timer.async_wait(net::use_awaitable);
    events->push_back("tick");
}

TEST(SqliteStorage, AWaitingStatementDoesNotBlockTheCallersThread)
{
    test::temp_dir dir;
    const auto file = dir.path() / "state.sqlite";
    sqlite_options options;
    options.busy_timeout = std::chrono::milliseconds(400);
    auto store = sqlite_storage::open(file, options);
    raw_db other(file);
    other.exec("BEGIN IMMEDIATE"); // the save below waits the whole busy timeout on the pool thread
    log_capture logs;
    std::vector<std::string> events;
    net::io_context ioc;
    auto saved = net::co_spawn(ioc, save_while_locked(store.get(), &events), net::use_future);
    auto ticked = net::co_spawn(ioc, tick(&events), net::use_future);
    ioc.run();
    saved.get();
    ticked.get();
    EXPECT_EQ(events, (std::vector<std::string>{"tick", "unavailable"}));
    other.exec("ROLLBACK");
}

TEST(SqliteStorage, RecordedAtComesFromTheClock)
{
    test::temp_dir dir;
    sqlite_options options;
    const auto t = std::chrono::system_clock::time_point{std::chrono::milliseconds{1700000000123}};
    options.clock = [t] { return t; };
    auto store = sqlite_storage::open(dir.path() / "state.sqlite", options);
    ASSERT_TRUE(test::run_sync(store->append("feedback", json{{"n", 1}}, "")));
    auto all = test::run_sync(store->list("feedback", 0, 10));
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 1u);
    EXPECT_EQ((*all)[0].recorded_at, "2023-11-14T22:13:20.123Z");
}

TEST(SqliteStorage, AFolderInsteadOfAFileIsUnavailable)
{
    test::temp_dir dir;
    std::filesystem::create_directories(dir.path() / "state.sqlite");
    EXPECT_EQ(open_failure(dir.path() / "state.sqlite"), "storage.unavailable");
}

} // namespace
