#pragma once
// ServiceNow incidents for helpdesk escalations (issue 6), through the Table API
// (admin-apis.md §7.1; https://docs.servicenow.com/ "Table API"). "created" opens one incident per
// escalation, exactly once even across crashes: the escalation id is the incident's correlation_id
// and is looked up before every create. Later events are PATCHed onto that incident as work notes
// (resolved and cancelled also close it). Fields, auth and error ids: adapters/helpdesk/README.md.
// Runs on the single I/O thread. Never logs the password, the token or Authorization headers.

#include "adapters/http/client.hpp"
#include "bot/ports/helpdesk.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace ab::adapters::helpdesk {

struct servicenow_options {
    std::string instance_url;     ///< https://contoso.service-now.com (no path needed, no query)
    std::string user;             ///< Basic auth: an integration user with the itil role
    std::string password;         ///< Basic auth
    std::string bearer_token;     ///< alternative: an OAuth access token, used when non-empty
    std::string assignment_group; ///< sys_id of the group that gets the incidents, optional
    std::string caller_id;        ///< sys_id of a fixed caller, optional
    std::chrono::milliseconds timeout{15000}; ///< the whole deliver(): lookup, create and update together
};

/// The fields of a new incident for `e` (short_description = the summary, or the question when
/// the summary is empty, on one line and cut to 160 characters; description = question, summary,
/// detected need, language, domain, user, tenant, escalation id; correlation_id = escalation id;
/// correlation_display "access-bot"; contact_type "chat"; urgency and impact "3"; category
/// "inquiry"; assignment_group and caller_id when configured).
nlohmann::json incident_create_fields(const bot::ports::escalation_event& e, const servicenow_options& opt);

/// The fields PATCHed for a later event: work_notes always; resolved adds state "6" (Resolved),
/// close_code "Solved (Permanently)" and close_notes (the message, or "Resolved in Teams");
/// cancelled adds state "8" (Canceled).
nlohmann::json incident_update_fields(const bot::ports::escalation_event& e);

/// True for a ServiceNow sys_id: 32 hex digits.
bool is_sys_id(std::string_view s) noexcept;

class servicenow_sink final : public bot::ports::escalation_sink {
public:
    /// `client` must outlive the sink. Throws std::invalid_argument ([helpdesk.misconfigured]) when
    /// there are no credentials (neither a bearer token nor a user). The instance URL is checked
    /// per delivery (helpdesk.bad_parameter), so a bad configuration shows up in the outbox.
    servicenow_sink(http::client& client, servicenow_options opt);

    std::string_view name() const override { return "servicenow"; }

    /// "created", or any event while e.external_id is empty: GET the incident whose correlation_id
    /// is the escalation id; if there is none, POST a new one (201 or 200 with result.sys_id and
    /// result.number). An event other than "created" is then applied as for an existing incident.
    /// Other events: PATCH /api/now/table/incident/<external_id> with incident_update_fields (200).
    /// delivered carries external_id = sys_id and external_number = INC number (when returned).
    /// Failures: rejected helpdesk.bad_parameter (instance URL not http(s), external_id not a
    /// sys_id, escalation id not [A-Za-z0-9._:-]{1,100}: nothing sent), helpdesk.unauthorized
    /// (401/403), helpdesk.not_found (404), helpdesk.malformed (a success without sys_id/number),
    /// helpdesk.rejected (400 with ServiceNow's error message, other statuses); retry
    /// helpdesk.throttled (429), helpdesk.unavailable (408/5xx, connection), helpdesk.timeout.
    /// The HTTP client retries 429/502/503/504 itself within options.timeout (POST included: it
    /// has no per-request switch), see webhook_sink::deliver.
    task<bot::ports::delivery_result> deliver(const bot::ports::escalation_event& e) override;

private:
    http::client& http_;
    servicenow_options opt_;
    std::string authorization_; ///< the Authorization header value, built once
};

} // namespace ab::adapters::helpdesk
