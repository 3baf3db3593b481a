#include "dialogs/escalations/outbox_worker.hpp"

#include "bot/log.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <exception>
#include <random>
#include <string>
#include <utility>

namespace ab::dialogs::escalations {

namespace ports = bot::ports;

namespace {

using event_field = std::pair<const char*, std::string ports::escalation_event::*>;

// The payload keys, in the order of the struct.
const std::array<event_field, 17> event_fields = {{
    {"deliveryId", &ports::escalation_event::delivery_id},
    {"escalationId", &ports::escalation_event::escalation_id},
    {"event", &ports::escalation_event::event},
    {"status", &ports::escalation_event::status},
    {"question", &ports::escalation_event::question},
    {"summary", &ports::escalation_event::summary},
    {"intent", &ports::escalation_event::intent},
    {"language", &ports::escalation_event::language},
    {"domain", &ports::escalation_event::domain},
    {"userId", &ports::escalation_event::user_id},
    {"userAadObjectId", &ports::escalation_event::user_aad_object_id},
    {"userName", &ports::escalation_event::user_name},
    {"tenantId", &ports::escalation_event::tenant_id},
    {"message", &ports::escalation_event::message},
    {"actorName", &ports::escalation_event::actor_name},
    {"occurredAt", &ports::escalation_event::occurred_at},
    {"externalId", &ports::escalation_event::external_id},
}};

constexpr std::size_t max_detail_bytes = 200;

std::uint64_t splitmix64(std::uint64_t& state)
{
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/// "error_id: detail" (either part may be missing).
std::string error_text(const std::string& id, const std::string& detail)
{
    if (detail.empty())
        return id;
    if (id.empty())
        return detail;
    return id + ": " + detail;
}

} // namespace

struct outbox_worker::waiter {
    explicit waiter(net::any_io_executor e) : ex(e), timer(std::move(e)) {}
    const net::any_io_executor ex; ///< read by stop()/wake() on other threads (never changes)
    net::steady_timer timer;       ///< touched on `ex` only
};

outbox_worker::outbox_worker(ports::outbox& box, std::vector<ports::escalation_sink*> sinks, worker_options opt,
                             delivered_fn on_delivered)
    : box_(box), sinks_(std::move(sinks)), opt_(std::move(opt)), on_delivered_(std::move(on_delivered))
{
    std::random_device rd;
    rng_ = (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^
           static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
}

outbox_worker::~outbox_worker() = default;

std::int64_t outbox_worker::now() const
{
    if (opt_.now_ms)
        return opt_.now_ms();
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::int64_t outbox_worker::backoff_ms(int attempts)
{
    const double base = static_cast<double>(std::max<std::int64_t>(0, opt_.base_backoff.count()));
    const double cap = static_cast<double>(std::max<std::int64_t>(0, opt_.max_backoff.count()));
    const double raw = std::min(cap, std::ldexp(base, std::clamp(attempts, 0, 62)));
    const double unit = static_cast<double>(splitmix64(rng_) >> 11) * 0x1.0p-53; // [0, 1)
    const double jittered = raw * (0.8 + 0.4 * unit);                            // ±20 %
    return static_cast<std::int64_t>(std::min(cap, jittered));
}

ports::escalation_sink* outbox_worker::sink_for(const std::string& name) const
{
    for (auto* s : sinks_)
        if (s && s->name() == name)
            return s;
    return nullptr;
}

task<std::size_t> outbox_worker::run_once()
{
    if (stop_)
        co_return 0;
    const std::int64_t lease = opt_.lease.count();
    const std::size_t limit = std::max<std::size_t>(1, opt_.batch);
    auto due = co_await box_.take_due(now(), lease, limit);
    if (!due) {
        log::warn("outbox.take_failed", {{"error", due.error().message()}});
        co_return 0;
    }
    std::size_t handled = 0;
    for (const auto& d : *due) {
        if (stop_)
            break; // the rest keeps its lease and is taken again when it runs out
        co_await handle(d);
        ++handled;
    }
    co_return handled;
}

task<void> outbox_worker::handle(const ports::outbox_delivery& d)
{
    const int attempts = d.attempts + 1; // including this one
    ports::escalation_sink* sink = sink_for(d.sink);
    if (!sink) {
        // A configuration gap, not a failure of the case: keep it (a sink may be configured
        // later) and look again after the longest backoff. Never gives up.
        const std::int64_t delay = backoff_ms(62);
        log::warn("outbox.retry", {{"delivery_id", d.id},
                                   {"sink", d.sink},
                                   {"attempts", attempts},
                                   {"error_id", "outbox.no_sink"},
                                   {"retry_in_ms", delay}});
        std::string status = "pending";
        std::string error = "outbox.no_sink: no sink named '" + d.sink + "' is configured";
        std::string external_id;
        co_await record(d, std::move(status), now() + delay, std::move(error), std::move(external_id));
        co_return;
    }

    ports::escalation_event event = event_from_json(d.payload);
    event.delivery_id = d.id; // the row's id is the idempotency key, whatever the payload says
    ports::delivery_result result;
    bool threw = false;
    try {
        auto r = co_await sink->deliver(event);
        result = std::move(r);
    } catch (...) {
        // A sink reports expected failures as values; an exception is a bug or something
        // unforeseen. The case must not be lost: treat it as a temporary failure.
        threw = true;
        result = {};
        result.outcome = ports::delivery_outcome::retry;
        result.error_id = "outbox.sink_exception";
        result.detail = log::redact_text(log::describe(std::current_exception()), max_detail_bytes);
    }
    if (threw)
        log::error("outbox.sink_exception", {{"delivery_id", d.id}, {"sink", d.sink}, {"error", result.detail}});

    switch (result.outcome) {
    case ports::delivery_outcome::delivered: {
        log::info("outbox.delivered", {{"delivery_id", d.id}, {"sink", d.sink}, {"attempts", attempts}});
        std::string status = "delivered";
        std::string error;
        std::string external_id = result.external_id;
        const bool recorded = co_await record(d, std::move(status), 0, std::move(error), std::move(external_id));
        // Not recorded: the delivery is taken again after its lease and on_delivered runs then.
        if (!recorded || !on_delivered_)
            co_return;
        bool failed = false;
        std::string why;
        try {
            auto callback = on_delivered_(d, result);
            co_await std::move(callback);
        } catch (...) {
            failed = true;
            why = log::describe(std::current_exception());
        }
        if (failed)
            log::error("outbox.on_delivered_failed", {{"delivery_id", d.id}, {"sink", d.sink}, {"error", why}});
        co_return;
    }
    case ports::delivery_outcome::rejected: {
        log::error("outbox.rejected",
                   {{"delivery_id", d.id}, {"sink", d.sink}, {"attempts", attempts}, {"error_id", result.error_id}});
        std::string status = "rejected";
        std::string error = error_text(result.error_id, result.detail);
        std::string external_id;
        co_await record(d, std::move(status), 0, std::move(error), std::move(external_id));
        co_return;
    }
    case ports::delivery_outcome::retry:
        break;
    }

    if (opt_.max_attempts > 0 && attempts >= opt_.max_attempts) {
        log::error("outbox.rejected", {{"delivery_id", d.id},
                                       {"sink", d.sink},
                                       {"attempts", attempts},
                                       {"error_id", "outbox.gave_up"},
                                       {"last_error_id", result.error_id}});
        std::string status = "rejected";
        std::string error = "outbox.gave_up: " + std::to_string(attempts) + " attempts, last " +
                            error_text(result.error_id, result.detail);
        std::string external_id;
        co_await record(d, std::move(status), 0, std::move(error), std::move(external_id));
        co_return;
    }
    const std::int64_t asked = std::chrono::duration_cast<std::chrono::milliseconds>(result.retry_after).count();
    const std::int64_t delay = std::max(asked, backoff_ms(d.attempts));
    log::warn("outbox.retry", {{"delivery_id", d.id},
                               {"sink", d.sink},
                               {"attempts", attempts},
                               {"error_id", result.error_id},
                               {"retry_in_ms", delay}});
    std::string status = "pending";
    std::string error = error_text(result.error_id, result.detail);
    std::string external_id;
    co_await record(d, std::move(status), now() + delay, std::move(error), std::move(external_id));
}

task<bool> outbox_worker::record(const ports::outbox_delivery& d, std::string status, std::int64_t next_attempt_at,
                                 std::string error, std::string external_id)
{
    std::string id = d.id;
    const std::string recorded_status = status;
    auto r = co_await box_.record_attempt(std::move(id), std::move(status), next_attempt_at, std::move(error),
                                          std::move(external_id));
    if (!r) {
        // The lease stays: the delivery is taken again when it runs out (sinks are idempotent).
        ++failed_to_record_;
        log::error("outbox.record_failed", {{"delivery_id", d.id}, {"sink", d.sink}, {"error", r.error().message()}});
        co_return false;
    }
    if (recorded_status == "delivered")
        ++delivered_;
    else if (recorded_status == "rejected")
        ++rejected_;
    else
        ++retried_;
    co_return true;
}

task<void> outbox_worker::run()
{
    auto ex = co_await net::this_coro::executor;
    auto w = std::make_shared<waiter>(ex);
    {
        std::lock_guard lock(mutex_);
        waiter_ = w;
    }
    // Whatever ends the loop (return, exception, the frame destroyed with its io_context), stop()
    // and wake() no longer see the timer.
    struct forget_waiter {
        outbox_worker& self;
        ~forget_waiter()
        {
            std::lock_guard lock(self.mutex_);
            self.waiter_.reset();
        }
    } forget{*this};

    while (!stop_) {
        wake_ = false;
        const std::size_t handled = co_await run_once();
        if (stop_)
            break;
        if (handled > 0 || wake_)
            continue; // more may be due (or just enqueued)
        w->timer.expires_after(opt_.poll_interval);
        // Ending with operation_aborted means stop() or wake(), both checked at the top; any
        // other ending means the poll interval passed.
        auto [ec] = co_await w->timer.async_wait(use_nothrow);
        (void)ec;
    }
}

void outbox_worker::cancel_wait()
{
    std::shared_ptr<waiter> w;
    {
        std::lock_guard lock(mutex_);
        w = waiter_;
    }
    if (!w)
        return; // not running: run() checks the flags before it waits
    // The timer belongs to run()'s executor: cancel it there (timers are not thread-safe).
    std::weak_ptr<waiter> weak = w;
    net::post(w->ex, [weak] {
        if (auto alive = weak.lock())
            alive->timer.cancel();
    });
}

void outbox_worker::stop()
{
    stop_ = true;
    cancel_wait();
}

void outbox_worker::wake()
{
    wake_ = true;
    cancel_wait();
}

worker_stats outbox_worker::stats() const
{
    worker_stats s;
    s.delivered = delivered_.load();
    s.retried = retried_.load();
    s.rejected = rejected_.load();
    s.failed_to_record = failed_to_record_.load();
    return s;
}

nlohmann::json to_json(const ports::escalation_event& e)
{
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [key, member] : event_fields)
        j[key] = e.*member;
    return j;
}

ports::escalation_event event_from_json(const nlohmann::json& j)
{
    ports::escalation_event e;
    if (!j.is_object())
        return e;
    for (const auto& [key, member] : event_fields) {
        const auto it = j.find(key);
        if (it != j.end() && it->is_string())
            e.*member = it->get_ref<const std::string&>();
    }
    return e;
}

} // namespace ab::dialogs::escalations
