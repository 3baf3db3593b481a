#pragma once
// The storage contract (house style rule 40), written once as a type-parameterized suite and
// instantiated for every backend:
//
//   namespace ab::test::storage_contract {
//   INSTANTIATE_TYPED_TEST_SUITE_P(Memory, StorageContract, memory_backend);
//   }
//
// A backend type provides:
//   Backend();                          a fresh, empty store (may leave it unopened and say why)
//   std::string skip_reason() const;    non-empty: not available here, the tests are skipped
//                                       (e.g. PostgreSQL without AB_TEST_PG)
//   ab::bot::ports::state_store& state();
//   ab::bot::ports::record_log& records();
// Calls from several threads at once must be allowed (the thread tests below).

#include "bot/ports/storage.hpp"
#include "tests/support/run_sync.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <future>
#include <latch>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

// Everything lives in this namespace, so instantiate there too (the aliases below are visible to
// the test bodies, which a dependent base's members would not be).
namespace ab::test::storage_contract {

namespace ports = ab::bot::ports;
using ports::etag_match;
using ports::storage_errc;
using nlohmann::json;

/// A document with text in several scripts, nesting and every JSON type.
inline json sample_document()
{
    return json{{"text", "Kan jag lägga till en gäst från fabrikam.com? Gäste · 日本語 · עברית · 🎉"},
                {"locale", "sv-SE"},
                {"nested", {{"list", json::array({1, 2.5, nullptr, true, json{{"deep", json::array({"x", "ÿ"})}}})}}},
                {"empty_object", json::object()},
                {"empty_array", json::array()},
                {"int64", std::int64_t{9007199254740993}},
                {"negative", -42},
                {"uint64", std::uint64_t{18446744073709551615u}},
                {"escapes", "quote \" backslash \\ newline \n tab \t nul-free"}};
}

/// One compare-and-set attempt of the concurrency tests; `out` outlives the io_context run.
inline task<void> try_save(ports::state_store& store, std::string key, std::string etag, int who,
                           std::vector<boost::system::error_code>* out)
{
    // Arguments built first: no braced initializer inside the co_await (house style rule 27).
    json value = {{"winner", who}};
    auto expected = etag_match::must_equal(std::move(etag));
    auto r = co_await store.save(std::move(key), std::move(value), std::move(expected));
    (*out)[static_cast<std::size_t>(who)] = r ? boost::system::error_code{} : r.error();
}

inline task<void> try_append(ports::record_log& log, int who, std::vector<std::int64_t>* out)
{
    json data = {{"click", who}};
    auto r = co_await log.append("feedback", std::move(data), "activity-1:thumbs-up");
    (*out)[static_cast<std::size_t>(who)] = r ? *r : -1;
}

template <class Backend>
class StorageContract : public ::testing::Test {
protected:
    void SetUp() override
    {
        backend_ = std::make_unique<Backend>();
        if (const std::string why = backend_->skip_reason(); !why.empty())
            GTEST_SKIP() << why;
    }

    bot::ports::state_store& state() { return backend_->state(); }
    bot::ports::record_log& records() { return backend_->records(); }

    auto load(std::string key) { return run_sync(state().load(std::move(key))); }
    auto load_many(std::vector<std::string> keys) { return run_sync(state().load_many(std::move(keys))); }
    auto save(std::string key, json value, etag_match expected = etag_match::any_version())
    {
        return run_sync(state().save(std::move(key), std::move(value), std::move(expected)));
    }
    auto erase(std::string key, etag_match expected = etag_match::any_version())
    {
        return run_sync(state().erase(std::move(key), std::move(expected)));
    }
    auto append(std::string kind, json data, std::string idempotency_key = {})
    {
        return run_sync(records().append(std::move(kind), std::move(data), std::move(idempotency_key)));
    }
    auto list(std::string kind, std::int64_t after_seq = 0, std::size_t limit = 1000)
    {
        return run_sync(records().list(std::move(kind), after_seq, limit));
    }

    /// The stored value under `key` (fails the test when it is absent or unreadable).
    json stored(const std::string& key)
    {
        auto r = load(key);
        if (!r || !r->has_value()) {
            ADD_FAILURE() << "no readable document under " << key;
            return nullptr;
        }
        return (*r)->value;
    }

    std::unique_ptr<Backend> backend_;
};

TYPED_TEST_SUITE_P(StorageContract);

// --- state_store ---------------------------------------------------------------------------------

TYPED_TEST_P(StorageContract, LoadOfAnAbsentKeyIsNullopt)
{
    auto r = this->load("conversation/a:never-saved");
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_FALSE(r->has_value());
}

TYPED_TEST_P(StorageContract, SaveThenLoadRoundTripsUnicodeAndNestedJson)
{
    const auto doc = sample_document();
    const std::string key = "conversation/19:abc@thread.v2/ключ/日本/🎉";
    auto saved = this->save(key, doc);
    ASSERT_TRUE(saved) << saved.error().message();
    EXPECT_FALSE(saved->empty());
    auto loaded = this->load(key);
    ASSERT_TRUE(loaded) << loaded.error().message();
    ASSERT_TRUE(loaded->has_value());
    EXPECT_EQ((*loaded)->value, doc);
    EXPECT_EQ((*loaded)->etag, *saved);
    EXPECT_TRUE((*loaded)->value["uint64"].is_number_unsigned());
    EXPECT_TRUE((*loaded)->value["int64"].is_number_integer());
}

TYPED_TEST_P(StorageContract, ScalarValuesRoundTrip)
{
    for (const auto& v : {json("just a string"), json(3.25), json(nullptr), json(false), json::array()}) {
        ASSERT_TRUE(this->save("scalar", v));
        EXPECT_EQ(this->stored("scalar"), v);
    }
}

TYPED_TEST_P(StorageContract, KeysCompareByteForByte)
{
    const std::vector<std::string> keys = {"a", "A", "a ", " a", std::string("a\0b", 3), "ä", "a\u0308"};
    for (std::size_t i = 0; i < keys.size(); ++i)
        ASSERT_TRUE(this->save(keys[i], json{{"i", i}})) << i;
    for (std::size_t i = 0; i < keys.size(); ++i)
        EXPECT_EQ(this->stored(keys[i]), (json{{"i", i}})) << i;
}

TYPED_TEST_P(StorageContract, SaveOverwritesWithAnyVersion)
{
    ASSERT_TRUE(this->save("k", json{{"v", 1}}));
    ASSERT_TRUE(this->save("k", json{{"v", 2}}));
    EXPECT_EQ(this->stored("k"), (json{{"v", 2}}));
}

TYPED_TEST_P(StorageContract, EtagChangesOnEverySaveAndNeverComesBack)
{
    std::set<std::string> seen;
    for (int i = 0; i < 10; ++i) {
        auto e = this->save("k", json{{"v", i}});
        ASSERT_TRUE(e) << e.error().message();
        EXPECT_TRUE(seen.insert(*e).second) << "ETag repeated: " << *e;
        auto loaded = this->load("k");
        ASSERT_TRUE(loaded && loaded->has_value());
        EXPECT_EQ((*loaded)->etag, *e);
    }
    ASSERT_TRUE(this->erase("k"));
    auto again = this->save("k", json{{"v", "recreated"}}, etag_match::must_be_absent());
    ASSERT_TRUE(again) << again.error().message();
    EXPECT_TRUE(seen.insert(*again).second) << "ETag of the recreated document repeated: " << *again;
}

TYPED_TEST_P(StorageContract, MustEqualWithTheCurrentEtagSucceeds)
{
    auto e1 = this->save("k", json{{"v", 1}});
    ASSERT_TRUE(e1);
    auto e2 = this->save("k", json{{"v", 2}}, etag_match::must_equal(*e1));
    ASSERT_TRUE(e2) << e2.error().message();
    EXPECT_NE(*e2, *e1);
    EXPECT_EQ(this->stored("k"), (json{{"v", 2}}));
}

TYPED_TEST_P(StorageContract, MustEqualWithAStaleEtagConflictsAndKeepsTheValue)
{
    auto e1 = this->save("k", json{{"v", 1}});
    ASSERT_TRUE(e1);
    auto e2 = this->save("k", json{{"v", 2}}, etag_match::must_equal(*e1));
    ASSERT_TRUE(e2);
    auto stale = this->save("k", json{{"v", "lost update"}}, etag_match::must_equal(*e1));
    ASSERT_FALSE(stale);
    EXPECT_EQ(stale.error(), storage_errc::conflict);
    auto loaded = this->load("k");
    ASSERT_TRUE(loaded && loaded->has_value());
    EXPECT_EQ((*loaded)->value, (json{{"v", 2}}));
    EXPECT_EQ((*loaded)->etag, *e2);
    auto made_up = this->save("k", json{{"v", 3}}, etag_match::must_equal("not-an-etag"));
    ASSERT_FALSE(made_up);
    EXPECT_EQ(made_up.error(), storage_errc::conflict);
    auto empty = this->save("k", json{{"v", 3}}, etag_match::must_equal(""));
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error(), storage_errc::conflict);
}

TYPED_TEST_P(StorageContract, MustEqualOnAnAbsentKeyConflicts)
{
    auto r = this->save("absent", json{{"v", 1}}, etag_match::must_equal("anything"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), storage_errc::conflict);
    auto loaded = this->load("absent");
    ASSERT_TRUE(loaded);
    EXPECT_FALSE(loaded->has_value());
}

TYPED_TEST_P(StorageContract, MustBeAbsentCreatesOnceThenConflicts)
{
    auto first = this->save("k", json{{"v", 1}}, etag_match::must_be_absent());
    ASSERT_TRUE(first) << first.error().message();
    auto second = this->save("k", json{{"v", 2}}, etag_match::must_be_absent());
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error(), storage_errc::conflict);
    auto loaded = this->load("k");
    ASSERT_TRUE(loaded && loaded->has_value());
    EXPECT_EQ((*loaded)->value, (json{{"v", 1}}));
    EXPECT_EQ((*loaded)->etag, *first);
}

TYPED_TEST_P(StorageContract, EraseWithAnyVersionRemovesAndAcceptsAnAbsentKey)
{
    ASSERT_TRUE(this->save("k", json{{"v", 1}}));
    ASSERT_TRUE(this->erase("k"));
    auto loaded = this->load("k");
    ASSERT_TRUE(loaded);
    EXPECT_FALSE(loaded->has_value());
    auto again = this->erase("k");
    EXPECT_TRUE(again) << again.error().message();
}

TYPED_TEST_P(StorageContract, EraseWithAStaleEtagConflictsAndKeepsTheDocument)
{
    auto e1 = this->save("k", json{{"v", 1}});
    ASSERT_TRUE(e1);
    auto e2 = this->save("k", json{{"v", 2}});
    ASSERT_TRUE(e2);
    auto stale = this->erase("k", etag_match::must_equal(*e1));
    ASSERT_FALSE(stale);
    EXPECT_EQ(stale.error(), storage_errc::conflict);
    EXPECT_EQ(this->stored("k"), (json{{"v", 2}}));
    auto current = this->erase("k", etag_match::must_equal(*e2));
    ASSERT_TRUE(current) << current.error().message();
    auto loaded = this->load("k");
    ASSERT_TRUE(loaded);
    EXPECT_FALSE(loaded->has_value());
}

TYPED_TEST_P(StorageContract, EraseMustEqualOnAnAbsentKeyConflicts)
{
    auto r = this->erase("absent", etag_match::must_equal("anything"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), storage_errc::conflict);
}

TYPED_TEST_P(StorageContract, EraseMustBeAbsentHoldsOnlyWhenNothingIsThere)
{
    EXPECT_TRUE(this->erase("absent", etag_match::must_be_absent()));
    ASSERT_TRUE(this->save("k", json{{"v", 1}}));
    auto r = this->erase("k", etag_match::must_be_absent());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), storage_errc::conflict);
    EXPECT_EQ(this->stored("k"), (json{{"v", 1}}));
}

TYPED_TEST_P(StorageContract, AnEtagFromBeforeAnEraseDoesNotMatchTheRecreatedDocument)
{
    auto old = this->save("k", json{{"v", 1}});
    ASSERT_TRUE(old);
    ASSERT_TRUE(this->erase("k"));
    ASSERT_TRUE(this->save("k", json{{"v", 2}}, etag_match::must_be_absent()));
    auto r = this->save("k", json{{"v", "stale writer"}}, etag_match::must_equal(*old));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), storage_errc::conflict);
    EXPECT_EQ(this->stored("k"), (json{{"v", 2}}));
}

TYPED_TEST_P(StorageContract, ConcurrentCompareAndSetFromCoroutinesHasExactlyOneWinner)
{
    auto e0 = this->save("turn-state", json{{"winner", -1}});
    ASSERT_TRUE(e0);
    constexpr int n = 16;
    std::vector<boost::system::error_code> outcomes(n);
    net::io_context ioc;
    std::vector<std::future<void>> done;
    for (int i = 0; i < n; ++i)
        done.push_back(net::co_spawn(ioc, try_save(this->state(), "turn-state", *e0, i, &outcomes),
                                     net::use_future));
    ioc.run();
    for (auto& f : done)
        f.get();
    int winner = -1;
    for (int i = 0; i < n; ++i) {
        if (!outcomes[static_cast<std::size_t>(i)]) {
            EXPECT_EQ(winner, -1) << "two winners";
            winner = i;
        } else {
            EXPECT_EQ(outcomes[static_cast<std::size_t>(i)], storage_errc::conflict) << i;
        }
    }
    ASSERT_NE(winner, -1);
    EXPECT_EQ(this->stored("turn-state"), (json{{"winner", winner}}));
}

TYPED_TEST_P(StorageContract, ConcurrentCompareAndSetFromThreadsHasExactlyOneWinner)
{
    auto e0 = this->save("turn-state", json{{"winner", -1}});
    ASSERT_TRUE(e0);
    constexpr int n = 8;
    std::vector<boost::system::error_code> outcomes(n);
    std::latch start(n);
    {
        std::vector<std::jthread> threads;
        for (int i = 0; i < n; ++i) {
            threads.emplace_back([&, i] {
                start.arrive_and_wait();
                run_sync(try_save(this->state(), "turn-state", *e0, i, &outcomes));
            });
        }
    }
    int winners = 0;
    for (int i = 0; i < n; ++i) {
        const auto& ec = outcomes[static_cast<std::size_t>(i)];
        if (!ec) {
            ++winners;
            EXPECT_EQ(this->stored("turn-state"), (json{{"winner", i}}));
        } else {
            EXPECT_EQ(ec, storage_errc::conflict) << i << ": " << ec.message();
        }
    }
    EXPECT_EQ(winners, 1);
}

TYPED_TEST_P(StorageContract, LoadManyReturnsEachKeyInOrderLikeLoad)
{
    auto e1 = this->save("conversation/a", json{{"v", 1}});
    auto e2 = this->save("user/b", sample_document());
    ASSERT_TRUE(e1 && e2);
    auto r = this->load_many({"user/b", "never-saved", "conversation/a", "user/b"});
    ASSERT_TRUE(r) << r.error().message();
    ASSERT_EQ(r->size(), 4u);
    ASSERT_TRUE((*r)[0].has_value());
    EXPECT_EQ((*r)[0]->value, sample_document());
    EXPECT_EQ((*r)[0]->etag, *e2);
    EXPECT_FALSE((*r)[1].has_value());
    ASSERT_TRUE((*r)[2].has_value());
    EXPECT_EQ((*r)[2]->value, (json{{"v", 1}}));
    EXPECT_EQ((*r)[2]->etag, *e1);
    ASSERT_TRUE((*r)[3].has_value()); // a repeated key is read again
    EXPECT_EQ((*r)[3]->etag, *e2);

    auto none = this->load_many({});
    ASSERT_TRUE(none) << none.error().message();
    EXPECT_TRUE(none->empty());
    auto one = this->load_many({"conversation/a"});
    ASSERT_TRUE(one && one->size() == 1 && (*one)[0].has_value());
    EXPECT_EQ((*one)[0]->etag, *e1);

    // The ETags it returns are the current ones: a compare-and-set with them succeeds.
    EXPECT_TRUE(this->save("conversation/a", json{{"v", 2}}, etag_match::must_equal((*r)[2]->etag)));
    // And the store is usable afterwards (no transaction left open).
    EXPECT_EQ(this->stored("conversation/a"), (json{{"v", 2}}));
}

TYPED_TEST_P(StorageContract, LoadManyWithABadKeyFailsWhole)
{
    ASSERT_TRUE(this->save("k", json{{"v", 1}}));
    const std::string too_long(bot::ports::max_key_bytes + 1, 'k');
    for (const std::string& bad : {std::string(), too_long}) {
        auto r = this->load_many({"k", bad});
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error(), storage_errc::bad_key);
    }
    EXPECT_EQ(this->stored("k"), (json{{"v", 1}}));
}

TYPED_TEST_P(StorageContract, BadKeysAreRefusedAndNothingIsStored)
{
    const std::string too_long(bot::ports::max_key_bytes + 1, 'k');
    for (const std::string& key : {std::string(), too_long}) {
        auto s = this->save(key, json{{"v", 1}});
        ASSERT_FALSE(s);
        EXPECT_EQ(s.error(), storage_errc::bad_key);
        auto l = this->load(key);
        ASSERT_FALSE(l);
        EXPECT_EQ(l.error(), storage_errc::bad_key);
        auto e = this->erase(key);
        ASSERT_FALSE(e);
        EXPECT_EQ(e.error(), storage_errc::bad_key);
    }
    // The longest allowed key works; a prefix of the refused one was not stored.
    const std::string longest(bot::ports::max_key_bytes, 'k');
    auto before = this->load(longest);
    ASSERT_TRUE(before);
    EXPECT_FALSE(before->has_value());
    ASSERT_TRUE(this->save(longest, json{{"v", 1}}));
    EXPECT_EQ(this->stored(longest), (json{{"v", 1}}));
}

TYPED_TEST_P(StorageContract, TooLargeValuesAreRefusedAndTheOldValueStays)
{
    const std::size_t max = bot::ports::max_value_bytes;
    // A JSON string's text is its characters plus two quotes.
    const json at_limit = std::string(max - 2, 'x');
    const json over_limit = std::string(max - 1, 'x');
    ASSERT_EQ(at_limit.dump().size(), max);
    auto ok = this->save("big", at_limit);
    ASSERT_TRUE(ok) << ok.error().message();
    EXPECT_EQ(this->stored("big"), at_limit);
    auto refused = this->save("big", over_limit);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error(), storage_errc::too_large);
    auto loaded = this->load("big");
    ASSERT_TRUE(loaded && loaded->has_value());
    EXPECT_EQ((*loaded)->etag, *ok);
    auto fresh = this->save("fresh", over_limit, etag_match::must_be_absent());
    ASSERT_FALSE(fresh);
    EXPECT_EQ(fresh.error(), storage_errc::too_large);
    auto absent = this->load("fresh");
    ASSERT_TRUE(absent);
    EXPECT_FALSE(absent->has_value());
}

// --- record_log ----------------------------------------------------------------------------------

TYPED_TEST_P(StorageContract, AppendedRecordsListOldestFirstWithTheirFields)
{
    std::vector<std::int64_t> seqs;
    for (int i = 0; i < 5; ++i) {
        auto s = this->append("feedback", json{{"n", i}, {"text", "très utile 👍"}});
        ASSERT_TRUE(s) << s.error().message();
        if (!seqs.empty()) {
            EXPECT_GT(*s, seqs.back());
        }
        seqs.push_back(*s);
    }
    auto all = this->list("feedback");
    ASSERT_TRUE(all) << all.error().message();
    ASSERT_EQ(all->size(), 5u);
    const std::regex iso(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$)");
    for (std::size_t i = 0; i < 5; ++i) {
        const auto& r = (*all)[i];
        EXPECT_EQ(r.seq, seqs[i]);
        EXPECT_EQ(r.kind, "feedback");
        EXPECT_EQ(r.idempotency_key, "");
        EXPECT_TRUE(std::regex_match(r.recorded_at, iso)) << r.recorded_at;
        EXPECT_EQ(r.data, (json{{"n", i}, {"text", "très utile 👍"}}));
    }
}

TYPED_TEST_P(StorageContract, ListHonoursAfterSeqAndLimit)
{
    std::vector<std::int64_t> seqs;
    for (int i = 0; i < 6; ++i) {
        auto s = this->append("feedback", json{{"n", i}});
        ASSERT_TRUE(s);
        seqs.push_back(*s);
    }
    auto page = this->list("feedback", seqs[1], 2);
    ASSERT_TRUE(page);
    ASSERT_EQ(page->size(), 2u);
    EXPECT_EQ((*page)[0].seq, seqs[2]);
    EXPECT_EQ((*page)[1].seq, seqs[3]);
    auto rest = this->list("feedback", (*page)[1].seq, 100);
    ASSERT_TRUE(rest);
    ASSERT_EQ(rest->size(), 2u);
    EXPECT_EQ((*rest)[0].data, (json{{"n", 4}}));
    EXPECT_EQ((*rest)[1].data, (json{{"n", 5}}));
    auto none = this->list("feedback", seqs.back(), 100);
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
    auto zero = this->list("feedback", 0, 0);
    ASSERT_TRUE(zero);
    EXPECT_TRUE(zero->empty());
    auto huge = this->list("feedback", -1, static_cast<std::size_t>(-1));
    ASSERT_TRUE(huge);
    EXPECT_EQ(huge->size(), 6u);
}

TYPED_TEST_P(StorageContract, KindsAreListedSeparatelyAndSeqGrowsAcrossThem)
{
    auto f1 = this->append("feedback", json{{"n", 1}});
    auto a1 = this->append("audit", json{{"n", 2}});
    auto f2 = this->append("feedback", json{{"n", 3}});
    ASSERT_TRUE(f1 && a1 && f2);
    EXPECT_LT(*f1, *a1);
    EXPECT_LT(*a1, *f2);
    auto feedback = this->list("feedback");
    auto audit = this->list("audit");
    auto other = this->list("never-appended");
    ASSERT_TRUE(feedback && audit && other);
    ASSERT_EQ(feedback->size(), 2u);
    EXPECT_EQ((*feedback)[0].seq, *f1);
    EXPECT_EQ((*feedback)[1].seq, *f2);
    ASSERT_EQ(audit->size(), 1u);
    EXPECT_EQ((*audit)[0].kind, "audit");
    EXPECT_TRUE(other->empty());
}

TYPED_TEST_P(StorageContract, SameIdempotencyKeyAndKindRecordsOnce)
{
    auto first = this->append("feedback", json{{"vote", "up"}}, "activity-7:vote");
    ASSERT_TRUE(first) << first.error().message();
    auto repeat = this->append("feedback", json{{"vote", "up, clicked again"}}, "activity-7:vote");
    ASSERT_TRUE(repeat) << repeat.error().message();
    EXPECT_EQ(*repeat, *first);
    auto all = this->list("feedback");
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 1u);
    EXPECT_EQ((*all)[0].idempotency_key, "activity-7:vote");
    EXPECT_EQ((*all)[0].data, (json{{"vote", "up"}})); // the first record is kept as it was
}

TYPED_TEST_P(StorageContract, TheSameIdempotencyKeyInAnotherKindIsANewRecord)
{
    auto feedback = this->append("feedback", json{{"n", 1}}, "same-key");
    auto audit = this->append("audit", json{{"n", 2}}, "same-key");
    ASSERT_TRUE(feedback && audit);
    EXPECT_NE(*feedback, *audit);
    auto listed = this->list("audit");
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ((*listed)[0].data, (json{{"n", 2}}));
}

TYPED_TEST_P(StorageContract, AnEmptyIdempotencyKeyAlwaysAppends)
{
    auto a = this->append("feedback", json{{"n", 1}}, "");
    auto b = this->append("feedback", json{{"n", 1}}, "");
    ASSERT_TRUE(a && b);
    EXPECT_NE(*a, *b);
    auto all = this->list("feedback");
    ASSERT_TRUE(all);
    EXPECT_EQ(all->size(), 2u);
}

TYPED_TEST_P(StorageContract, ConcurrentAppendsWithOneIdempotencyKeyRecordOnce)
{
    constexpr int n = 12;
    std::vector<std::int64_t> seqs(n, 0);
    net::io_context ioc;
    std::vector<std::future<void>> done;
    for (int i = 0; i < n; ++i)
        done.push_back(net::co_spawn(ioc, try_append(this->records(), i, &seqs), net::use_future));
    ioc.run();
    for (auto& f : done)
        f.get();
    for (int i = 0; i < n; ++i) {
        EXPECT_GT(seqs[static_cast<std::size_t>(i)], 0) << i;
        EXPECT_EQ(seqs[static_cast<std::size_t>(i)], seqs[0]) << i;
    }
    auto all = this->list("feedback");
    ASSERT_TRUE(all);
    EXPECT_EQ(all->size(), 1u);
}

TYPED_TEST_P(StorageContract, BadKindsKeysAndTooLargeRecordsAreRefused)
{
    const std::string too_long(bot::ports::max_key_bytes + 1, 'k');
    for (const std::string& kind : {std::string(), too_long}) {
        auto a = this->append(kind, json{{"n", 1}});
        ASSERT_FALSE(a);
        EXPECT_EQ(a.error(), storage_errc::bad_key);
        auto l = this->list(kind);
        ASSERT_FALSE(l);
        EXPECT_EQ(l.error(), storage_errc::bad_key);
    }
    auto long_key = this->append("feedback", json{{"n", 1}}, too_long);
    ASSERT_FALSE(long_key);
    EXPECT_EQ(long_key.error(), storage_errc::bad_key);
    auto big = this->append("feedback", json(std::string(bot::ports::max_value_bytes, 'x')));
    ASSERT_FALSE(big);
    EXPECT_EQ(big.error(), storage_errc::too_large);
    auto all = this->list("feedback");
    ASSERT_TRUE(all);
    EXPECT_TRUE(all->empty());
}

REGISTER_TYPED_TEST_SUITE_P(StorageContract, LoadOfAnAbsentKeyIsNullopt, SaveThenLoadRoundTripsUnicodeAndNestedJson,
                            ScalarValuesRoundTrip, KeysCompareByteForByte, SaveOverwritesWithAnyVersion,
                            EtagChangesOnEverySaveAndNeverComesBack, MustEqualWithTheCurrentEtagSucceeds,
                            MustEqualWithAStaleEtagConflictsAndKeepsTheValue, MustEqualOnAnAbsentKeyConflicts,
                            MustBeAbsentCreatesOnceThenConflicts, EraseWithAnyVersionRemovesAndAcceptsAnAbsentKey,
                            EraseWithAStaleEtagConflictsAndKeepsTheDocument, EraseMustEqualOnAnAbsentKeyConflicts,
                            EraseMustBeAbsentHoldsOnlyWhenNothingIsThere,
                            AnEtagFromBeforeAnEraseDoesNotMatchTheRecreatedDocument,
                            ConcurrentCompareAndSetFromCoroutinesHasExactlyOneWinner,
                            ConcurrentCompareAndSetFromThreadsHasExactlyOneWinner,
                            LoadManyReturnsEachKeyInOrderLikeLoad, LoadManyWithABadKeyFailsWhole,
                            BadKeysAreRefusedAndNothingIsStored, TooLargeValuesAreRefusedAndTheOldValueStays,
                            AppendedRecordsListOldestFirstWithTheirFields, ListHonoursAfterSeqAndLimit,
                            KindsAreListedSeparatelyAndSeqGrowsAcrossThem, SameIdempotencyKeyAndKindRecordsOnce,
                            TheSameIdempotencyKeyInAnotherKindIsANewRecord, AnEmptyIdempotencyKeyAlwaysAppends,
                            ConcurrentAppendsWithOneIdempotencyKeyRecordOnce,
                            BadKindsKeysAndTooLargeRecordsAreRefused);

} // namespace ab::test::storage_contract
