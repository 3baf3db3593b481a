#pragma once
// Port of the helpdesk escalation (issue 6): a sink receives escalation events through the
// durable outbox (each delivery has an id and is retried until the sink accepts it). Implemented by
// adapters/helpdesk (generic webhook, ServiceNow) and the Teams channel sink. Expected failures are
// values: the outbox worker retries `retry` outcomes with backoff and stops on `rejected`.

#include "bot/async.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace ab::bot::ports {

/// One event about one escalation, as a sink receives it.
struct escalation_event {
    std::string delivery_id;   ///< unique per (escalation, event, sink): the idempotency key
    std::string escalation_id; ///< stable for the case, e.g. "esc-3f2a9c..."
    std::string event;         ///< "created", "acknowledged", "replied", "resolved", "cancelled"
    std::string status;        ///< the status after the event: open, acknowledged, resolved, cancelled
    std::string question;      ///< what the user asked (as typed)
    std::string summary;       ///< the summary the user confirmed
    std::string intent;        ///< detected need, e.g. "external_access"
    std::string language;      ///< "en", "nl", ...
    std::string domain;        ///< an organization domain named in the question, or ""
    std::string user_id;       ///< Teams user id (29:...)
    std::string user_aad_object_id;
    std::string user_name;
    std::string tenant_id;
    std::string message;       ///< replied: the helpdesk's text; otherwise ""
    std::string actor_name;    ///< who caused the event (helpdesk agent, or the user)
    std::string occurred_at;   ///< ISO-8601 UTC
    std::string external_id;   ///< the sink's id from an earlier delivery (e.g. ServiceNow sys_id), or ""
};

enum class delivery_outcome {
    delivered, ///< accepted by the sink (also: it already had this delivery id)
    retry,     ///< temporary failure (5xx, 429, timeout, connection): try again later
    rejected,  ///< permanent failure (4xx other than 408/429): retrying will not help
};

struct delivery_result {
    delivery_outcome outcome = delivery_outcome::retry;
    std::string external_id;     ///< delivered: the sink's id for the case (ServiceNow sys_id), or ""
    std::string external_number; ///< delivered: a number people use (ServiceNow INC0010002), or ""
    std::string error_id;        ///< retry/rejected: e.g. helpdesk.unavailable, helpdesk.rejected
    std::string detail;          ///< short reason, never a secret
    std::chrono::seconds retry_after{0}; ///< retry: the sink asked to wait this long (Retry-After), 0 = backoff
};

class escalation_sink {
public:
    virtual ~escalation_sink() = default;
    /// "webhook", "servicenow", "teams-channel": the outbox row's sink column and /metrics label.
    virtual std::string_view name() const = 0;
    virtual task<delivery_result> deliver(const escalation_event& e) = 0;
};

} // namespace ab::bot::ports
