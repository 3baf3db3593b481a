#include "dialogs/escalations/outbox_worker.hpp"

#include "adapters/storage/sqlite_storage.hpp"
#include "bot/log.hpp"
#include "tests/support/escalation_event.hpp"
#include "tests/support/run_sync.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

namespace net = boost::asio;
namespace ports = ab::bot::ports;
namespace esc = ab::dialogs::escalations;
using ab::task;
using ab::adapters::storage::sqlite_storage;
using ab::test::run_sync;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr std::int64_t t0 = 1'763'716'800'000; // 2025-11-21T09:20:00Z
constexpr auto question = "Why can't I chat with Zoë at fabrikam.com in Teams?";

ports::escalation_event event(std::string delivery_id, std::string what = "created")
{
    ports::escalation_event e = ab::test::fixture_event();
    e.delivery_id = std::move(delivery_id);
    e.event = std::move(what);
    return e;
}

ports::outbox_delivery delivery_for(const ports::escalation_event& e, std::string sink, std::int64_t created = t0,
                                    std::int64_t due = t0)
{
    ports::outbox_delivery d;
    d.id = e.delivery_id;
    d.sink = std::move(sink);
    d.payload = esc::to_json(e);
    d.created_at = created;
    d.next_attempt_at = due;
    return d;
}

ports::delivery_result delivered(std::string external_id = {}, std::string number = {})
{
    ports::delivery_result r;
    r.outcome = ports::delivery_outcome::delivered;
    r.external_id = std::move(external_id);
    r.external_number = std::move(number);
    return r;
}

ports::delivery_result retry(std::string error_id, std::string detail, std::chrono::seconds after = 0s)
{
    ports::delivery_result r;
    r.outcome = ports::delivery_outcome::retry;
    r.error_id = std::move(error_id);
    r.detail = std::move(detail);
    r.retry_after = after;
    return r;
}

ports::delivery_result rejected(std::string error_id, std::string detail)
{
    ports::delivery_result r;
    r.outcome = ports::delivery_outcome::rejected;
    r.error_id = std::move(error_id);
    r.detail = std::move(detail);
    return r;
}

task<ports::delivery_result> ready(ports::delivery_result r)
{
    co_return r;
}

task<ports::delivery_result> throws_inside()
{
    throw std::runtime_error("sink bug");
    co_return ports::delivery_result{};
}

task<void> done()
{
    co_return;
}

task<void> fails_inside()
{
    throw std::runtime_error("state store bug");
    co_return;
}

/// A scripted sink that behaves like an idempotent real one: it answers from `script` first
/// (then `delivered`), and applies each delivery id at most once (`applied`). Called on the
/// worker's thread, read by the test's.
class fake_sink final : public ports::escalation_sink {
public:
    enum class step { answer, throw_now, throw_inside };

    explicit fake_sink(std::string name) : name_(std::move(name)) {}

    std::string_view name() const override { return name_; }

    task<ports::delivery_result> deliver(const ports::escalation_event& e) override
    {
        std::lock_guard lock(mutex_);
        seen_.push_back(e);
        ports::delivery_result r = delivered("sys-" + e.escalation_id, "INC0010002");
        step s = step::answer;
        if (!script_.empty()) {
            std::tie(s, r) = script_.front();
            script_.pop_front();
        }
        if (s == step::throw_now)
            throw std::logic_error("sink bug");
        if (s == step::throw_inside)
            return throws_inside();
        if (r.outcome == ports::delivery_outcome::delivered)
            applied_.insert(e.delivery_id); // a repeated id is recognised, not applied again
        return ready(std::move(r));
    }

    void then(ports::delivery_result r, int times = 1)
    {
        std::lock_guard lock(mutex_);
        for (int i = 0; i < times; ++i)
            script_.emplace_back(step::answer, r);
    }
    void then_throw(step s)
    {
        std::lock_guard lock(mutex_);
        script_.emplace_back(s, ports::delivery_result{});
    }
    std::vector<ports::escalation_event> seen() const
    {
        std::lock_guard lock(mutex_);
        return seen_;
    }
    std::set<std::string> applied() const
    {
        std::lock_guard lock(mutex_);
        return applied_;
    }

private:
    std::string name_;
    mutable std::mutex mutex_;
    std::deque<std::pair<step, ports::delivery_result>> script_;
    std::vector<ports::escalation_event> seen_;
    std::set<std::string> applied_;
};

/// The outbox with a storage that goes down for the next `failing_records` record_attempt calls:
/// the "crash" between delivering and recording.
class flaky_outbox final : public ports::outbox {
public:
    explicit flaky_outbox(ports::outbox& inner) : inner_(inner) {}
    int failing_records = 0;

    task<boost::system::result<std::string>> save_and_enqueue(std::string key, json value, ports::etag_match expected,
                                                              std::vector<ports::outbox_delivery> ds) override
    {
        return inner_.save_and_enqueue(std::move(key), std::move(value), std::move(expected), std::move(ds));
    }
    task<boost::system::result<std::vector<ports::outbox_delivery>>> take_due(std::int64_t now_ms, std::int64_t lease_ms,
                                                                               std::size_t limit) override
    {
        return inner_.take_due(now_ms, lease_ms, limit);
    }
    task<boost::system::result<void>> record_attempt(std::string id, std::string status, std::int64_t next,
                                                     std::string error, std::string external_id) override
    {
        if (failing_records > 0) {
            --failing_records;
            return unavailable();
        }
        return inner_.record_attempt(std::move(id), std::move(status), next, std::move(error), std::move(external_id));
    }
    task<boost::system::result<std::optional<ports::outbox_delivery>>> delivery(std::string id) override
    {
        return inner_.delivery(std::move(id));
    }
    task<boost::system::result<ports::outbox_counts>> counts() override { return inner_.counts(); }
    task<boost::system::result<std::vector<ports::outbox_delivery>>> list(std::string status, std::size_t limit) override
    {
        return inner_.list(std::move(status), limit);
    }

private:
    static task<boost::system::result<void>> unavailable()
    {
        boost::system::error_code ec = ports::storage_errc::unavailable;
        co_return ec;
    }
    ports::outbox& inner_;
};

struct captured_log {
    std::vector<json> lines;
    std::mutex mutex;
    captured_log()
    {
        ab::log::set_sink([this](const std::string& line) {
            std::lock_guard lock(mutex);
            lines.push_back(json::parse(line));
        });
    }
    ~captured_log() { ab::log::set_sink(nullptr); }
};

class OutboxWorker : public ::testing::Test {
protected:
    esc::worker_options options()
    {
        esc::worker_options o;
        o.now_ms = [this] { return now_; };
        return o;
    }
    void enqueue(std::vector<ports::outbox_delivery> ds) { enqueue_into(*db_, std::move(ds)); }
    static void enqueue_into(ports::outbox& box, std::vector<ports::outbox_delivery> ds)
    {
        auto r = run_sync(box.save_and_enqueue("escalation/esc-3f2a9c41", json{{"status", "open"}},
                                               ports::etag_match::any_version(), std::move(ds)));
        ASSERT_TRUE(r) << r.error().message();
    }
    ports::outbox_delivery get(const std::string& id)
    {
        auto r = run_sync(db_->delivery(id));
        EXPECT_TRUE(r && *r) << id;
        return r && *r ? **r : ports::outbox_delivery{};
    }
    static std::size_t pass(esc::outbox_worker& w) { return run_sync(w.run_once()); }

    ab::test::temp_dir dir_;
    std::filesystem::path file_ = dir_.path() / "data" / "state.sqlite";
    std::unique_ptr<sqlite_storage> db_ = sqlite_storage::open(file_);
    std::int64_t now_ = t0;
    fake_sink webhook_{"webhook"};
    fake_sink servicenow_{"servicenow"};
};

// --- the payload ------------------------------------------------------------------------------

TEST(EscalationEventJson, RoundTripsEveryFieldWithCamelCaseKeys)
{
    ports::escalation_event e = event("dlv-esc-3f2a9c41-replied-servicenow", "replied");
    e.message = "Zoë's domain is now allowed.\nTry again.";
    e.external_id = "6816f79cc0a8016401c5a33be04be441";
    const json j = esc::to_json(e);
    EXPECT_EQ(j.size(), 17u);
    for (const char* key : {"deliveryId", "escalationId", "event", "status", "question", "summary", "intent", "language",
                            "domain", "userId", "userAadObjectId", "userName", "tenantId", "message", "actorName",
                            "occurredAt", "externalId"})
        EXPECT_TRUE(j.contains(key) && j[key].is_string()) << key;
    EXPECT_EQ(j["userAadObjectId"], "8c6c2c05-4b7f-4f0e-9d57-1f1d2c0a9b11");
    EXPECT_EQ(j["externalId"], "6816f79cc0a8016401c5a33be04be441");
    EXPECT_EQ(esc::to_json(esc::event_from_json(j)), j);
    EXPECT_EQ(esc::event_from_json(json::parse(j.dump())).question, question);
}

TEST(EscalationEventJson, MissingUnknownAndMistypedKeysGiveEmptyStrings)
{
    const json j = {{"escalationId", "esc-1"}, {"question", 42}, {"summary", nullptr}, {"unknown", "x"}, {"userName", {1, 2}}};
    ports::escalation_event e;
    EXPECT_NO_THROW(e = esc::event_from_json(j));
    EXPECT_EQ(e.escalation_id, "esc-1");
    EXPECT_EQ(e.question, "");
    EXPECT_EQ(e.summary, "");
    EXPECT_EQ(e.user_name, "");
    EXPECT_EQ(e.delivery_id, "");
    for (const json& odd : {json::array({"a"}), json("text"), json(nullptr), json(3.5), json::parse("{", nullptr, false)}) {
        EXPECT_NO_THROW(e = esc::event_from_json(odd)) << odd.dump();
        EXPECT_EQ(esc::to_json(e), esc::to_json(ports::escalation_event{}));
    }
}

// --- run_once ----------------------------------------------------------------------------------

TEST_F(OutboxWorker, DeliversEachDeliveryOnceToItsSink)
{
    const auto to_webhook = event("dlv-esc-3f2a9c41-created-webhook");
    const auto to_servicenow = event("dlv-esc-3f2a9c41-created-servicenow");
    enqueue({delivery_for(to_webhook, "webhook", t0), delivery_for(to_servicenow, "servicenow", t0 + 1)});
    now_ = t0 + 1;
    servicenow_.then(delivered("6816f79cc0a8016401c5a33be04be441", "INC0010002"));
    webhook_.then(delivered());

    std::vector<std::pair<std::string, std::string>> calls; // delivery id, external number
    auto on_delivered = [&calls](const ports::outbox_delivery& d, const ports::delivery_result& r) {
        calls.emplace_back(d.id, r.external_number);
        return done();
    };
    esc::outbox_worker w(*db_, {&webhook_, &servicenow_}, options(), on_delivered);
    EXPECT_EQ(pass(w), 2u);

    ASSERT_EQ(webhook_.seen().size(), 1u);
    ASSERT_EQ(servicenow_.seen().size(), 1u);
    EXPECT_EQ(esc::to_json(webhook_.seen()[0]), esc::to_json(to_webhook));
    EXPECT_EQ(esc::to_json(servicenow_.seen()[0]), esc::to_json(to_servicenow));

    const auto sn = get(to_servicenow.delivery_id);
    EXPECT_EQ(sn.status, "delivered");
    EXPECT_EQ(sn.attempts, 1);
    EXPECT_EQ(sn.external_id, "6816f79cc0a8016401c5a33be04be441");
    EXPECT_EQ(get(to_webhook.delivery_id).status, "delivered");
    const std::vector<std::pair<std::string, std::string>> expected_calls = {
        {to_webhook.delivery_id, ""}, {to_servicenow.delivery_id, "INC0010002"}};
    EXPECT_EQ(calls, expected_calls);

    now_ += 3'600'000;
    EXPECT_EQ(pass(w), 0u) << "delivered is final";
    EXPECT_EQ(webhook_.seen().size(), 1u);
    EXPECT_EQ(servicenow_.seen().size(), 1u);
    const auto s = w.stats();
    EXPECT_EQ(s.delivered, 2u);
    EXPECT_EQ(s.retried + s.rejected + s.failed_to_record, 0u);
}

TEST_F(OutboxWorker, HandlesDeliveriesOneAtATimeInCreationOrder)
{
    enqueue({delivery_for(event("d-resolved"), "webhook", t0 + 3), delivery_for(event("d-created"), "webhook", t0 + 1),
             delivery_for(event("d-replied"), "webhook", t0 + 2)});
    esc::outbox_worker w(*db_, {&webhook_}, options());
    now_ = t0 + 10;
    EXPECT_EQ(pass(w), 3u);
    const auto seen = webhook_.seen();
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0].delivery_id, "d-created");
    EXPECT_EQ(seen[1].delivery_id, "d-replied");
    EXPECT_EQ(seen[2].delivery_id, "d-resolved");
}

TEST_F(OutboxWorker, TheRowIdIsTheDeliveryIdWhateverThePayloadSays)
{
    auto d = delivery_for(event("dlv-1"), "webhook");
    d.payload.erase("deliveryId");
    enqueue({d});
    esc::outbox_worker w(*db_, {&webhook_}, options());
    EXPECT_EQ(pass(w), 1u);
    ASSERT_EQ(webhook_.seen().size(), 1u);
    EXPECT_EQ(webhook_.seen()[0].delivery_id, "dlv-1");
}

TEST_F(OutboxWorker, RetriesWithGrowingBackoffUntilDelivered)
{
    const auto e = event("dlv-esc-3f2a9c41-created-servicenow");
    enqueue({delivery_for(e, "servicenow")});
    servicenow_.then(retry("helpdesk.unavailable", "HTTP 503"), 3);
    esc::outbox_worker w(*db_, {&servicenow_}, options()); // base 2 s, ±20 %

    const std::vector<std::pair<std::int64_t, std::int64_t>> bounds = {{1600, 2400}, {3200, 4800}, {6400, 9600}};
    std::int64_t previous = 0;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        ASSERT_EQ(pass(w), 1u) << "attempt " << i + 1;
        const auto d = get(e.delivery_id);
        EXPECT_EQ(d.status, "pending");
        EXPECT_EQ(d.attempts, static_cast<int>(i + 1));
        EXPECT_EQ(d.last_error, "helpdesk.unavailable: HTTP 503");
        const std::int64_t delay = d.next_attempt_at - now_;
        EXPECT_GE(delay, bounds[i].first) << "attempt " << i + 1;
        EXPECT_LE(delay, bounds[i].second) << "attempt " << i + 1;
        EXPECT_GT(delay, previous) << "the backoff grows";
        previous = delay;

        now_ = d.next_attempt_at - 1;
        EXPECT_EQ(pass(w), 0u) << "nothing is taken before next_attempt_at";
        EXPECT_EQ(servicenow_.seen().size(), i + 1);
        now_ = d.next_attempt_at;
    }
    ASSERT_EQ(pass(w), 1u);
    const auto d = get(e.delivery_id);
    EXPECT_EQ(d.status, "delivered");
    EXPECT_EQ(d.attempts, 4);
    EXPECT_EQ(servicenow_.seen().size(), 4u);
    EXPECT_EQ(servicenow_.applied().size(), 1u);
    now_ += 86'400'000;
    EXPECT_EQ(pass(w), 0u);
    const auto s = w.stats();
    EXPECT_EQ(s.delivered, 1u);
    EXPECT_EQ(s.retried, 3u);
}

TEST_F(OutboxWorker, TheBackoffIsCapped)
{
    const auto e = event("dlv-cap");
    enqueue({delivery_for(e, "webhook")});
    webhook_.then(retry("helpdesk.timeout", ""), 6);
    auto o = options();
    o.base_backoff = 1000ms;
    o.max_backoff = 3000ms;
    esc::outbox_worker w(*db_, {&webhook_}, o);
    for (int i = 0; i < 6; ++i) {
        ASSERT_EQ(pass(w), 1u);
        const auto d = get(e.delivery_id);
        EXPECT_LE(d.next_attempt_at - now_, 3000);
        if (i >= 2) {
            EXPECT_GE(d.next_attempt_at - now_, 2400) << "1 s * 2^" << i << " is capped, then jittered down at most 20 %";
        }
        EXPECT_EQ(d.last_error, "helpdesk.timeout");
        now_ = d.next_attempt_at;
    }
}

TEST_F(OutboxWorker, HonoursRetryAfter)
{
    const auto e = event("dlv-429");
    enqueue({delivery_for(e, "servicenow")});
    servicenow_.then(retry("helpdesk.throttled", "HTTP 429", 30s));
    esc::outbox_worker w(*db_, {&servicenow_}, options());
    ASSERT_EQ(pass(w), 1u);
    const auto d = get(e.delivery_id);
    EXPECT_EQ(d.next_attempt_at, t0 + 30'000) << "Retry-After (30 s) beats the 2 s backoff";
    EXPECT_EQ(d.last_error, "helpdesk.throttled: HTTP 429");
    now_ = t0 + 29'999;
    EXPECT_EQ(pass(w), 0u);
    now_ = t0 + 30'000;
    EXPECT_EQ(pass(w), 1u);
    EXPECT_EQ(get(e.delivery_id).status, "delivered");
}

TEST_F(OutboxWorker, RejectedIsFinal)
{
    const auto e = event("dlv-400");
    enqueue({delivery_for(e, "webhook")});
    webhook_.then(rejected("helpdesk.rejected", "HTTP 400"));
    esc::outbox_worker w(*db_, {&webhook_}, options());
    ASSERT_EQ(pass(w), 1u);
    const auto d = get(e.delivery_id);
    EXPECT_EQ(d.status, "rejected");
    EXPECT_EQ(d.last_error, "helpdesk.rejected: HTTP 400");
    now_ += 86'400'000;
    EXPECT_EQ(pass(w), 0u) << "never taken again";
    EXPECT_EQ(webhook_.seen().size(), 1u);
    EXPECT_EQ(w.stats().rejected, 1u);
}

TEST_F(OutboxWorker, ASinkExceptionIsARetry)
{
    const auto e = event("dlv-throws");
    enqueue({delivery_for(e, "webhook")});
    webhook_.then_throw(fake_sink::step::throw_now);
    webhook_.then_throw(fake_sink::step::throw_inside);
    esc::outbox_worker w(*db_, {&webhook_}, options());
    for (int i = 1; i <= 2; ++i) {
        ASSERT_EQ(pass(w), 1u);
        const auto d = get(e.delivery_id);
        EXPECT_EQ(d.status, "pending");
        EXPECT_EQ(d.attempts, i);
        EXPECT_EQ(d.last_error.rfind("outbox.sink_exception", 0), 0u) << d.last_error;
        now_ = d.next_attempt_at;
    }
    ASSERT_EQ(pass(w), 1u);
    EXPECT_EQ(get(e.delivery_id).status, "delivered");
    EXPECT_EQ(w.stats().retried, 2u);
}

TEST_F(OutboxWorker, AFailingOnDeliveredDoesNotUndoTheDelivery)
{
    enqueue({delivery_for(event("dlv-a"), "webhook", t0), delivery_for(event("dlv-b"), "webhook", t0 + 1)});
    int calls = 0;
    auto on_delivered = [&calls](const ports::outbox_delivery&, const ports::delivery_result&) -> task<void> {
        ++calls;
        if (calls == 1)
            throw std::runtime_error("before the task");
        return fails_inside();
    };
    esc::outbox_worker w(*db_, {&webhook_}, options(), on_delivered);
    now_ = t0 + 1;
    EXPECT_EQ(pass(w), 2u);
    EXPECT_EQ(calls, 2);
    EXPECT_EQ(get("dlv-a").status, "delivered");
    EXPECT_EQ(get("dlv-b").status, "delivered");
    EXPECT_EQ(w.stats().delivered, 2u);
}

// At least once + idempotent sinks (the contract in outbox_worker.hpp): the sink accepted the
// delivery but the outcome could not be recorded; after the lease the delivery comes again with
// the same id and the sink recognises it.
TEST_F(OutboxWorker, AnUnrecordedDeliveryIsRepeatedAfterTheLeaseWithTheSameId)
{
    flaky_outbox box(*db_);
    const auto e = event("dlv-esc-3f2a9c41-created-webhook");
    enqueue_into(box, {delivery_for(e, "webhook")});
    box.failing_records = 1;
    int calls = 0;
    auto on_delivered = [&calls](const ports::outbox_delivery&, const ports::delivery_result&) {
        ++calls;
        return done();
    };
    auto o = options();
    o.lease = 60s;
    esc::outbox_worker w(box, {&webhook_}, o, on_delivered);

    ASSERT_EQ(pass(w), 1u);
    EXPECT_EQ(webhook_.seen().size(), 1u);
    EXPECT_EQ(w.stats().failed_to_record, 1u);
    EXPECT_EQ(w.stats().delivered, 0u);
    EXPECT_EQ(calls, 0) << "on_delivered only after the outcome is recorded";
    auto d = get(e.delivery_id);
    EXPECT_EQ(d.status, "pending");
    EXPECT_EQ(d.attempts, 0);
    EXPECT_EQ(d.next_attempt_at, t0 + 60'000) << "the lease is left to run out";

    now_ = t0 + 59'999;
    EXPECT_EQ(pass(w), 0u);
    now_ = t0 + 60'000;
    ASSERT_EQ(pass(w), 1u);
    const auto seen = webhook_.seen();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].delivery_id, e.delivery_id);
    EXPECT_EQ(seen[1].delivery_id, e.delivery_id);
    EXPECT_EQ(webhook_.applied().size(), 1u) << "the sink applied it once";
    d = get(e.delivery_id);
    EXPECT_EQ(d.status, "delivered");
    EXPECT_EQ(d.attempts, 1);
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(w.stats().delivered, 1u);
}

TEST_F(OutboxWorker, DeliversAfterARestart)
{
    const auto e = event("dlv-esc-3f2a9c41-created-servicenow");
    {
        fake_sink down{"servicenow"};
        down.then(retry("helpdesk.unavailable", "connection refused"));
        esc::outbox_worker w(*db_, {&down}, options());
        enqueue({delivery_for(e, "servicenow")});
        ASSERT_EQ(pass(w), 1u);
        EXPECT_EQ(get(e.delivery_id).status, "pending");
    }
    db_.reset(); // the process ends
    now_ += 600'000;

    db_ = sqlite_storage::open(file_);
    esc::outbox_worker w(*db_, {&servicenow_}, options());
    ASSERT_EQ(pass(w), 1u);
    ASSERT_EQ(servicenow_.seen().size(), 1u);
    EXPECT_EQ(esc::to_json(servicenow_.seen()[0]), esc::to_json(e));
    const auto d = get(e.delivery_id);
    EXPECT_EQ(d.status, "delivered");
    EXPECT_EQ(d.attempts, 2);
}

TEST_F(OutboxWorker, ADeliveryForAnUnconfiguredSinkStaysPending)
{
    const auto e = event("dlv-esc-3f2a9c41-created-teams-channel");
    enqueue({delivery_for(e, "teams-channel")});
    auto o = options();
    o.max_attempts = 1; // does not apply: a missing sink is not a failed attempt
    {
        esc::outbox_worker w(*db_, {&webhook_, nullptr}, o);
        for (int i = 1; i <= 3; ++i) {
            ASSERT_EQ(pass(w), 1u);
            const auto d = get(e.delivery_id);
            EXPECT_EQ(d.status, "pending");
            EXPECT_EQ(d.attempts, i);
            EXPECT_EQ(d.last_error.rfind("outbox.no_sink", 0), 0u) << d.last_error;
            EXPECT_GE(d.next_attempt_at - now_, 480'000) << "a long backoff (max_backoff, jittered)";
            EXPECT_LE(d.next_attempt_at - now_, 600'000);
            now_ = d.next_attempt_at;
        }
        EXPECT_TRUE(webhook_.seen().empty());
        EXPECT_EQ(w.stats().retried, 3u);
    }
    fake_sink teams{"teams-channel"}; // configured later
    esc::outbox_worker w(*db_, {&webhook_, &teams}, o);
    ASSERT_EQ(pass(w), 1u);
    EXPECT_EQ(get(e.delivery_id).status, "delivered");
    EXPECT_EQ(teams.seen().size(), 1u);
}

TEST_F(OutboxWorker, GivesUpAfterMaxAttempts)
{
    const auto e = event("dlv-gives-up");
    enqueue({delivery_for(e, "webhook")});
    webhook_.then(retry("helpdesk.unavailable", "HTTP 503"), 10);
    auto o = options();
    o.max_attempts = 3;
    esc::outbox_worker w(*db_, {&webhook_}, o);
    for (int i = 1; i <= 2; ++i) {
        ASSERT_EQ(pass(w), 1u);
        const auto d = get(e.delivery_id);
        EXPECT_EQ(d.status, "pending");
        now_ = d.next_attempt_at;
    }
    ASSERT_EQ(pass(w), 1u);
    const auto d = get(e.delivery_id);
    EXPECT_EQ(d.status, "rejected");
    EXPECT_EQ(d.attempts, 3);
    EXPECT_EQ(d.last_error, "outbox.gave_up: 3 attempts, last helpdesk.unavailable: HTTP 503");
    now_ += 86'400'000;
    EXPECT_EQ(pass(w), 0u);
    EXPECT_EQ(webhook_.seen().size(), 3u);
    const auto s = w.stats();
    EXPECT_EQ(s.retried, 2u);
    EXPECT_EQ(s.rejected, 1u);
}

TEST_F(OutboxWorker, LogsOneLinePerAttemptWithoutThePayload)
{
    const auto e = event("dlv-log");
    enqueue({delivery_for(e, "servicenow")});
    servicenow_.then(retry("helpdesk.unavailable", "HTTP 503"));
    servicenow_.then(rejected("helpdesk.rejected", "HTTP 400"));
    std::vector<json> lines;
    {
        captured_log capture;
        esc::outbox_worker w(*db_, {&servicenow_}, options());
        ASSERT_EQ(pass(w), 1u);
        now_ = get(e.delivery_id).next_attempt_at;
        ASSERT_EQ(pass(w), 1u);
        lines = capture.lines;
    }
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0]["event"], "outbox.retry");
    EXPECT_EQ(lines[0]["level"], "warn");
    EXPECT_EQ(lines[0]["delivery_id"], "dlv-log");
    EXPECT_EQ(lines[0]["sink"], "servicenow");
    EXPECT_EQ(lines[0]["attempts"], 1);
    EXPECT_EQ(lines[0]["error_id"], "helpdesk.unavailable");
    EXPECT_EQ(lines[1]["event"], "outbox.rejected");
    EXPECT_EQ(lines[1]["attempts"], 2);
    EXPECT_EQ(lines[1]["error_id"], "helpdesk.rejected");
    for (const auto& line : lines) {
        const std::string text = line.dump();
        EXPECT_EQ(text.find("fabrikam"), std::string::npos) << text;
        EXPECT_EQ(text.find("Megan"), std::string::npos) << text;
    }
}

// --- run / stop / wake ---------------------------------------------------------------------------

/// run() on its own I/O thread, as in the bot.
class running_worker {
public:
    explicit running_worker(esc::outbox_worker& w) : worker_(w)
    {
        net::co_spawn(ioc_, w.run(), [this](std::exception_ptr e) {
            if (e)
                ended_.set_exception(e);
            else
                ended_.set_value();
        });
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~running_worker()
    {
        worker_.stop();
        if (thread_.joinable())
            thread_.join();
    }
    /// stop(), then true if run() returned within `limit`.
    bool stop_within(std::chrono::milliseconds limit)
    {
        worker_.stop();
        const bool returned = finished_.wait_for(limit) == std::future_status::ready;
        if (returned) {
            thread_.join();
            finished_.get(); // rethrows what run() threw
        }
        return returned;
    }

private:
    esc::outbox_worker& worker_;
    net::io_context ioc_;
    std::promise<void> ended_;
    std::future<void> finished_ = ended_.get_future();
    std::thread thread_;
};

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit = 2000ms)
{
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

TEST_F(OutboxWorker, RunDeliversOnWakeAndReturnsOnStop)
{
    esc::worker_options o; // the system clock
    o.poll_interval = 1h;  // only a wake() can make it look again in time
    esc::outbox_worker w(*db_, {&webhook_}, o);
    running_worker loop(w);

    enqueue({delivery_for(event("dlv-first"), "webhook", t0, 0)});
    w.wake();
    ASSERT_TRUE(eventually([this] { return webhook_.applied().size() == 1; }));
    std::this_thread::sleep_for(20ms); // the loop finds nothing more and waits (1 h)

    enqueue({delivery_for(event("dlv-second"), "webhook", t0 + 1, 0)});
    w.wake();
    ASSERT_TRUE(eventually([this] { return webhook_.applied().size() == 2; })) << "wake() cut the wait short";
    EXPECT_TRUE(loop.stop_within(2000ms)) << "stop() cancels the 1 h wait";
    EXPECT_EQ(get("dlv-second").status, "delivered");
    EXPECT_EQ(w.stats().delivered, 2u);
}

TEST_F(OutboxWorker, RunPollsWhenNotWoken)
{
    esc::worker_options o;
    o.poll_interval = 10ms;
    esc::outbox_worker w(*db_, {&webhook_}, o);
    running_worker loop(w);
    std::this_thread::sleep_for(15ms);
    enqueue({delivery_for(event("dlv-polled"), "webhook", t0, 0)});
    ASSERT_TRUE(eventually([this] { return webhook_.applied().size() == 1; }));
    EXPECT_TRUE(loop.stop_within(2000ms));
}

TEST_F(OutboxWorker, AStoppedWorkerDoesNothing)
{
    enqueue({delivery_for(event("dlv-after-stop"), "webhook")});
    esc::outbox_worker w(*db_, {&webhook_}, options());
    w.stop();
    run_sync(w.run()); // returns at once
    EXPECT_EQ(pass(w), 0u);
    EXPECT_TRUE(webhook_.seen().empty());
    EXPECT_EQ(get("dlv-after-stop").status, "pending");
}

} // namespace
