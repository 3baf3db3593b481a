#pragma once
// The outbox contract (bot/ports/outbox.hpp), a typed suite instantiated for
// every backend (like storage_contract.hpp). The backend type additionally
// provides `ab::bot::ports::outbox& outbox();`.
#include "bot/ports/outbox.hpp"
#include "tests/support/run_sync.hpp"

#include <gtest/gtest.h>

#include <set>

namespace ab::test::outbox_contract {

namespace ports = ab::bot::ports;
using nlohmann::json;
using ports::etag_match;

inline ports::outbox_delivery delivery(std::string id, std::string sink, std::int64_t created, std::int64_t due = 0)
{
    ports::outbox_delivery d;
    d.id = std::move(id);
    d.sink = std::move(sink);
    d.payload = {{"escalationId", "esc-1"}, {"event", "created"}, {"question", "Kan jag chatta med fabrikam.com? 🎉"}};
    d.created_at = created;
    d.next_attempt_at = due;
    return d;
}

template <class Backend>
class OutboxContract : public ::testing::Test {
protected:
    void SetUp() override
    {
        backend_ = std::make_unique<Backend>();
        if (const std::string why = backend_->skip_reason(); !why.empty())
            GTEST_SKIP() << why;
    }
    ports::outbox& box() { return backend_->outbox(); }
    ports::state_store& state() { return backend_->state(); }
    auto enqueue(std::string key, json value, etag_match expected, std::vector<ports::outbox_delivery> ds)
    {
        return run_sync(box().save_and_enqueue(std::move(key), std::move(value), std::move(expected), std::move(ds)));
    }
    auto take(std::int64_t now, std::int64_t lease = 30'000, std::size_t limit = 10) { return run_sync(box().take_due(now, lease, limit)); }
    auto record(std::string id, std::string status, std::int64_t next = 0, std::string error = {}, std::string ext = {})
    {
        return run_sync(box().record_attempt(std::move(id), std::move(status), next, std::move(error), std::move(ext)));
    }
    auto get(std::string id) { return run_sync(box().delivery(std::move(id))); }

    std::unique_ptr<Backend> backend_;
};

TYPED_TEST_SUITE_P(OutboxContract);

TYPED_TEST_P(OutboxContract, TheChangeAndItsDeliveriesAreWrittenTogether)
{
    auto etag = this->enqueue("escalation/esc-1", {{"status", "open"}}, etag_match::must_be_absent(),
                              {delivery("esc-1/created/webhook", "webhook", 1), delivery("esc-1/created/servicenow", "servicenow", 1)});
    ASSERT_TRUE(etag);
    auto doc = run_sync(this->state().load("escalation/esc-1"));
    ASSERT_TRUE(doc && *doc);
    EXPECT_EQ((*doc)->etag, *etag);
    auto due = this->take(1000);
    ASSERT_TRUE(due);
    ASSERT_EQ(due->size(), 2u);
    EXPECT_EQ((*due)[0].payload["question"], "Kan jag chatta med fabrikam.com? 🎉");
    EXPECT_EQ((*due)[0].status, "pending");
    EXPECT_EQ((*due)[0].attempts, 0);
}

TYPED_TEST_P(OutboxContract, AConflictWritesNeitherTheChangeNorTheDeliveries)
{
    ASSERT_TRUE(this->enqueue("escalation/esc-1", {{"status", "open"}}, etag_match::must_be_absent(), {delivery("d1", "webhook", 1)}));
    auto again = this->enqueue("escalation/esc-1", {{"status", "acknowledged"}}, etag_match::must_equal("stale-etag"),
                               {delivery("d2", "webhook", 2)});
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error(), ports::storage_errc::conflict);
    auto d2 = this->get("d2");
    ASSERT_TRUE(d2);
    EXPECT_FALSE(d2->has_value()) << "no delivery without its change";
    auto doc = run_sync(this->state().load("escalation/esc-1"));
    EXPECT_EQ((*doc)->value["status"], "open");
}

TYPED_TEST_P(OutboxContract, AnExistingDeliveryIdIsNotEnqueuedTwice)
{
    ASSERT_TRUE(this->enqueue("k", {{"v", 1}}, etag_match::any_version(), {delivery("d1", "webhook", 1)}));
    ASSERT_TRUE(this->record("d1", "delivered", 0, "", "ext-1"));
    ASSERT_TRUE(this->enqueue("k", {{"v", 2}}, etag_match::any_version(), {delivery("d1", "webhook", 5)}));
    auto d = this->get("d1");
    ASSERT_TRUE(d && *d);
    EXPECT_EQ((*d)->status, "delivered") << "the delivered row stays delivered";
    EXPECT_EQ((*d)->external_id, "ext-1");
}

TYPED_TEST_P(OutboxContract, TakeDueLeasesOldestFirst)
{
    ASSERT_TRUE(this->enqueue("k", {{"v", 1}}, etag_match::any_version(),
                              {delivery("b", "webhook", 2), delivery("a", "webhook", 1), delivery("later", "webhook", 3, 5000)}));
    auto first = this->take(1000, 30'000, 1);
    ASSERT_TRUE(first);
    ASSERT_EQ(first->size(), 1u);
    EXPECT_EQ((*first)[0].id, "a");
    EXPECT_EQ((*first)[0].next_attempt_at, 31'000);
    auto second = this->take(1000);
    ASSERT_TRUE(second);
    ASSERT_EQ(second->size(), 1u) << "a is leased; later is not due";
    EXPECT_EQ((*second)[0].id, "b");
    auto none = this->take(1000);
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
    auto after_lease = this->take(40'000);
    ASSERT_TRUE(after_lease);
    EXPECT_EQ(after_lease->size(), 3u) << "leases ran out, later is due";
}

TYPED_TEST_P(OutboxContract, AttemptsAreRecordedAndFinalStatesStay)
{
    ASSERT_TRUE(this->enqueue("k", {{"v", 1}}, etag_match::any_version(), {delivery("d1", "servicenow", 1)}));
    ASSERT_TRUE(this->record("d1", "pending", 9000, "helpdesk.unavailable: HTTP 503"));
    auto d = this->get("d1");
    EXPECT_EQ((*d)->attempts, 1);
    EXPECT_EQ((*d)->next_attempt_at, 9000);
    EXPECT_EQ((*d)->last_error, "helpdesk.unavailable: HTTP 503");
    EXPECT_TRUE(this->take(8999)->empty());
    EXPECT_EQ(this->take(9000)->size(), 1u);
    ASSERT_TRUE(this->record("d1", "delivered", 0, "", "6816f79cc0a8016401c5a33be04be441"));
    ASSERT_TRUE(this->record("d1", "pending", 1, "late duplicate"));
    d = this->get("d1");
    EXPECT_EQ((*d)->status, "delivered");
    EXPECT_EQ((*d)->attempts, 2);
    EXPECT_EQ((*d)->external_id, "6816f79cc0a8016401c5a33be04be441");
    EXPECT_TRUE(this->take(100'000)->empty());
    auto counts = run_sync(this->box().counts());
    ASSERT_TRUE(counts);
    EXPECT_EQ((*counts)["servicenow"]["delivered"], 1);
    EXPECT_TRUE(this->record("unknown", "delivered")) << "unknown ids are a no-op";
}

TYPED_TEST_P(OutboxContract, ConcurrentTakersNeverGetTheSameDelivery)
{
    std::vector<ports::outbox_delivery> many;
    for (int i = 0; i < 40; ++i)
        many.push_back(delivery("d" + std::to_string(i), "webhook", i));
    ASSERT_TRUE(this->enqueue("k", {{"v", 1}}, etag_match::any_version(), many));
    std::vector<std::vector<std::string>> got(4);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < got.size(); ++t)
        threads.emplace_back([&, t] {
            for (int round = 0; round < 20; ++round) {
                auto r = run_sync(this->box().take_due(1000, 60'000, 3));
                if (r)
                    for (auto& d : *r)
                        got[t].push_back(d.id);
            }
        });
    for (auto& th : threads)
        th.join();
    std::multiset<std::string> all;
    for (auto& g : got)
        all.insert(g.begin(), g.end());
    EXPECT_EQ(all.size(), 40u);
    EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), 40u) << "each delivery taken exactly once";
}

TYPED_TEST_P(OutboxContract, ListsNewestFirstByStatus)
{
    ASSERT_TRUE(this->enqueue("k", {{"v", 1}}, etag_match::any_version(),
                              {delivery("a", "webhook", 1), delivery("b", "webhook", 2), delivery("c", "servicenow", 3)}));
    ASSERT_TRUE(this->record("b", "rejected", 0, "helpdesk.rejected: HTTP 400"));
    auto all = run_sync(this->box().list("", 10));
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 3u);
    EXPECT_EQ((*all)[0].id, "c");
    auto rejected = run_sync(this->box().list("rejected", 10));
    ASSERT_TRUE(rejected);
    ASSERT_EQ(rejected->size(), 1u);
    EXPECT_EQ((*rejected)[0].last_error, "helpdesk.rejected: HTTP 400");
    EXPECT_EQ(run_sync(this->box().list("pending", 1))->size(), 1u);
}

REGISTER_TYPED_TEST_SUITE_P(OutboxContract, ListsNewestFirstByStatus, TheChangeAndItsDeliveriesAreWrittenTogether,
                            AConflictWritesNeitherTheChangeNorTheDeliveries, AnExistingDeliveryIdIsNotEnqueuedTwice,
                            TakeDueLeasesOldestFirst, AttemptsAreRecordedAndFinalStatesStay, ConcurrentTakersNeverGetTheSameDelivery);

} // namespace ab::test::outbox_contract
