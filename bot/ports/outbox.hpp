#pragma once
// Port: the durable outbox of the helpdesk escalation (issue 6). A change to an escalation and the
// deliveries it causes are written in ONE transaction (save_and_enqueue), so a delivery exists if
// and only if the change does, whatever crashes in between. A worker takes due deliveries with a
// lease (another worker or instance does not take them until the lease runs out), hands them to
// the sink, and records the outcome: delivered and rejected are final, a failure is scheduled
// again with backoff. Sinks de-duplicate on the delivery id, so a crash between delivering and
// recording repeats a delivery the sink recognises: nothing is lost, nothing is applied twice.

#include "bot/async.hpp"
#include "bot/ports/storage.hpp"

#include <boost/system/result.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ab::bot::ports {

struct outbox_delivery {
    std::string id;                   ///< unique delivery id (the sink's idempotency key)
    std::string sink;                 ///< "webhook", "servicenow", "teams-channel"
    nlohmann::json payload;           ///< what to deliver (an escalation_event as JSON)
    std::string status = "pending";   ///< pending | delivered | rejected
    int attempts = 0;                 ///< attempts made so far
    std::int64_t next_attempt_at = 0; ///< unix ms: due from then on (pending only)
    std::string last_error;           ///< error id + detail of the last failed attempt
    std::string external_id;          ///< delivered: the sink's id for the case (e.g. ServiceNow sys_id)
    std::int64_t created_at = 0;      ///< unix ms
};

/// Deliveries per sink and status (for /metrics and `access-bot escalations`).
using outbox_counts = std::map<std::string, std::map<std::string, std::int64_t>>;

class outbox {
public:
    virtual ~outbox() = default;

    /// Saves `value` under `key` with state_store::save's ETag rules and, in the same transaction,
    /// enqueues `deliveries` (status pending, due at their next_attempt_at). A delivery whose id
    /// already exists is left as it is. conflict: nothing was written.
    virtual task<boost::system::result<std::string>> save_and_enqueue(std::string key, nlohmann::json value, etag_match expected,
                                                                      std::vector<outbox_delivery> deliveries) = 0;

    /// Up to `limit` pending deliveries due at `now_ms`, oldest first; each is leased: its
    /// next_attempt_at becomes now_ms + lease_ms, so no other taker gets it meanwhile.
    virtual task<boost::system::result<std::vector<outbox_delivery>>> take_due(std::int64_t now_ms, std::int64_t lease_ms,
                                                                               std::size_t limit) = 0;

    /// Records an attempt: status "delivered" / "rejected" (final) or "pending" again, due at
    /// next_attempt_at. attempts is incremented. A final delivery is never changed again.
    virtual task<boost::system::result<void>> record_attempt(std::string id, std::string status, std::int64_t next_attempt_at,
                                                             std::string error, std::string external_id) = 0;

    /// One delivery (nullopt if unknown).
    virtual task<boost::system::result<std::optional<outbox_delivery>>> delivery(std::string id) = 0;

    virtual task<boost::system::result<outbox_counts>> counts() = 0;

    /// Deliveries with `status` ("" = any), newest first, at most `limit` (for `access-bot escalations`).
    virtual task<boost::system::result<std::vector<outbox_delivery>>> list(std::string status, std::size_t limit) = 0;
};

} // namespace ab::bot::ports
