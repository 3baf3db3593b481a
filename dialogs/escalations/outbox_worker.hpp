#pragma once
// The delivery worker of the durable helpdesk outbox (issue 6). It takes due deliveries from the
// outbox (bot/ports/outbox.hpp) with a lease, hands each to the sink named in its row
// (bot/ports/helpdesk.hpp) and records the outcome:
//  - delivered: final, with the sink's external id; then `on_delivered` runs (e.g. to keep the
//    ServiceNow number in the escalation's state);
//  - retry: pending again, due at now + max(Retry-After, backoff); backoff is
//    base_backoff * 2^(attempts so far), ±20 % jitter, capped at max_backoff;
//  - rejected: final, last_error "error_id: detail".
//
// Delivery contract: AT LEAST ONCE, with idempotent sinks. If the process dies, or the outcome
// cannot be recorded (storage down), after a sink accepted a delivery, the row stays pending under
// its lease; when the lease runs out the delivery is taken again and the sink sees the SAME
// delivery id a second time. Every sink must therefore treat escalation_event::delivery_id as an
// idempotency key and answer `delivered` for an id it already applied (the webhook receiver
// de-duplicates on X-AccessBot-Delivery; ServiceNow looks the incident up by correlation_id before
// creating it). Nothing is lost; a sink that honours the contract applies nothing twice.
//
// Deliveries are handled one at a time, oldest first, so a sink sees the events of an escalation
// in creation order as long as none of them has to be retried. A retried event can be overtaken
// by a later one of the same escalation; sinks cope (ServiceNow creates the incident on any event
// that has no external id yet).
//
// Threading: run_once() and run() run on one executor (the single I/O thread, or a strand);
// stop(), wake() and stats() may be called from any thread. The worker, the outbox and the sinks
// must outlive run(). Logs one line per attempt (outbox.delivered / outbox.retry /
// outbox.rejected with delivery_id, sink, attempts, error_id); never payload contents.

#include "bot/async.hpp"
#include "bot/ports/helpdesk.hpp"
#include "bot/ports/outbox.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace ab::dialogs::escalations {

struct worker_options {
    std::chrono::milliseconds poll_interval{1000}; ///< how often to look for due deliveries when idle
    std::chrono::milliseconds lease{60000};        ///< take_due lease (longer than a sink call's timeout)
    std::size_t batch = 16;                        ///< deliveries taken per pass
    std::chrono::milliseconds base_backoff{2000};  ///< retry: base * 2^(attempts so far), ±20 % jitter
    std::chrono::milliseconds max_backoff{std::chrono::minutes(10)}; ///< cap of the backoff
    /// 0 = retry forever (never lose a case). > 0: the attempt that reaches this number and still
    /// fails with `retry` is recorded as "rejected" with last_error "outbox.gave_up: ...".
    /// A delivery without a configured sink (outbox.no_sink) never gives up.
    int max_attempts = 0;
    std::function<std::int64_t()> now_ms; ///< unix ms; default (empty): the system clock
};

/// Counters of this process since start (for /metrics).
struct worker_stats {
    std::uint64_t delivered = 0;        ///< recorded as delivered
    std::uint64_t retried = 0;          ///< recorded as pending again (incl. outbox.no_sink)
    std::uint64_t rejected = 0;         ///< recorded as rejected (incl. outbox.gave_up)
    std::uint64_t failed_to_record = 0; ///< record_attempt failed: the lease will run out, then a retry
};

class outbox_worker {
public:
    /// Runs after a delivered outcome was recorded. Awaited on the worker's executor before the
    /// next delivery; exceptions are caught and logged (outbox.on_delivered_failed).
    using delivered_fn =
        std::function<task<void>(const bot::ports::outbox_delivery&, const bot::ports::delivery_result&)>;

    /// `box` and the sinks (looked up by name(); null entries are ignored) must outlive the worker.
    outbox_worker(bot::ports::outbox& box, std::vector<bot::ports::escalation_sink*> sinks, worker_options opt = {},
                  delivered_fn on_delivered = {});
    ~outbox_worker();
    outbox_worker(const outbox_worker&) = delete;
    outbox_worker& operator=(const outbox_worker&) = delete;

    /// One pass: take up to `batch` due deliveries (leased), deliver each with its sink (payload →
    /// escalation_event, delivery_id = the row's id) and record the outcome. Returns how many were
    /// handled. A storage failure of take_due is logged (outbox.take_failed) and gives 0. After
    /// stop(), the pass ends after the delivery in flight; the rest keeps its lease and is taken
    /// again when the lease runs out.
    task<std::size_t> run_once();

    /// Loops run_once until stop(): again at once after a pass that handled something, otherwise
    /// after poll_interval (a steady_timer on the current executor) or a wake(). Returns after
    /// stop(); unexpected exceptions (bugs) propagate to the co_spawn completion handler.
    task<void> run();

    /// Asks run() to return (cancels its wait). Final: a stopped worker does not run again.
    void stop();

    /// Wakes the loop now (after a new escalation was enqueued) instead of waiting for the poll
    /// interval. Harmless when the loop is busy or not running.
    void wake();

    worker_stats stats() const;

private:
    struct waiter; // the idle timer of run(), shared with stop()/wake() (keeps Asio's timer out of here)

    task<void> handle(const bot::ports::outbox_delivery& d);
    /// Records and counts the outcome; false (counted, logged) when the storage refused it.
    task<bool> record(const bot::ports::outbox_delivery& d, std::string status, std::int64_t next_attempt_at,
                      std::string error, std::string external_id);
    bot::ports::escalation_sink* sink_for(const std::string& name) const;
    std::int64_t now() const;
    std::int64_t backoff_ms(int attempts);
    void cancel_wait();

    bot::ports::outbox& box_;
    std::vector<bot::ports::escalation_sink*> sinks_;
    worker_options opt_;
    delivered_fn on_delivered_;
    std::uint64_t rng_; ///< jitter state (splitmix64); used on the worker's executor only

    std::atomic<bool> stop_{false};
    std::atomic<bool> wake_{false};
    mutable std::mutex mutex_;       ///< guards waiter_
    std::shared_ptr<waiter> waiter_; ///< while run() is active

    std::atomic<std::uint64_t> delivered_{0};
    std::atomic<std::uint64_t> retried_{0};
    std::atomic<std::uint64_t> rejected_{0};
    std::atomic<std::uint64_t> failed_to_record_{0};
};

/// escalation_event → JSON with camelCase keys: deliveryId, escalationId, event, status, question,
/// summary, intent, language, domain, userId, userAadObjectId, userName, tenantId, message,
/// actorName, occurredAt, externalId (all strings). This is the outbox payload.
nlohmann::json to_json(const bot::ports::escalation_event& e);

/// The inverse of to_json. Missing keys, keys that are not strings and a `j` that is not an object
/// give empty strings; unknown keys are ignored. Never throws.
bot::ports::escalation_event event_from_json(const nlohmann::json& j);

} // namespace ab::dialogs::escalations
