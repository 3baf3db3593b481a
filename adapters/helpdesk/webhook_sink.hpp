#pragma once
// The generic helpdesk webhook (issue 6): each escalation event is POSTed as signed JSON to one
// URL, e.g. a Power Automate "When an HTTP request is received" flow, a Logic App, an Azure
// Function or the helpdesk tool's own inbound hook (admin-apis.md §7.4). The receiver checks the
// runbook signature (X-AccessBot-Timestamp + X-AccessBot-Signature, adapters/runbook/signature.hpp)
// and de-duplicates on X-AccessBot-Delivery: the outbox may deliver the same event more than once.
// Schema, receiver recipes and error ids: adapters/helpdesk/README.md. Runs on the single I/O thread.
// Never logs the secret, the signature or the URL (a Power Automate / Logic Apps URL carries its
// SAS key in the query string).

#include "adapters/http/client.hpp"
#include "bot/ports/helpdesk.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace ab::adapters::helpdesk {

struct webhook_options {
    std::string url;    ///< the receiver's http(s) URL (a secret when it carries a SAS `sig=`)
    std::string secret; ///< the HMAC key shared with the receiver
    std::chrono::milliseconds timeout{15000}; ///< the whole POST, the HTTP client's own retries included
};

/// The body exactly as sent: compact JSON, keys in nlohmann's (sorted) order, non-ASCII escaped as
/// \uXXXX (the signed bytes survive any re-decoding by the receiver), invalid UTF-8 replaced by
/// U+FFFD. Every field is a string ("" when not applicable) except `version` (1) and `user`:
/// {"actor","deliveryId","domain","escalationId","event","intent","language","message",
///  "occurredAt","question","status","summary","tenantId","user":{"aadObjectId","id","name"},"version":1}
std::string webhook_body(const bot::ports::escalation_event& e);

class webhook_sink final : public bot::ports::escalation_sink {
public:
    /// `client` must outlive the sink. `unix_now` (seconds, for the signature timestamp) defaults
    /// to the system clock. Throws std::invalid_argument ([helpdesk.misconfigured]) if the URL or
    /// the secret is empty.
    webhook_sink(http::client& client, webhook_options opt, std::function<std::int64_t()> unix_now = {});

    std::string_view name() const override { return "webhook"; }

    /// POSTs webhook_body(e) with Content-Type: application/json, the two signature headers and
    /// X-AccessBot-Delivery: <e.delivery_id>. Outcomes:
    /// - 2xx: delivered; external_id / external_number from a JSON answer {"id": "...", "number": "..."}
    ///   when present, else "";
    /// - 408, 5xx, connection failures: retry, helpdesk.unavailable; 429: retry, helpdesk.throttled;
    ///   options.timeout elapsed: retry, helpdesk.timeout. retry_after from Retry-After when present;
    /// - other statuses (4xx, and 1xx/3xx: redirects are not followed): rejected, helpdesk.rejected,
    ///   detail "HTTP <status>"; a delivery id unfit for a header, or a URL the client cannot use:
    ///   rejected, helpdesk.bad_parameter (nothing sent).
    /// adapters/http has no per-request retry switch: it retries 412/429/502/503/504 (POST included)
    /// and connection failures before any byte was sent, within options.timeout, honouring
    /// Retry-After up to its max_delay, and replays a request once when a reused keep-alive
    /// connection turns out closed. Receivers de-duplicate on X-AccessBot-Delivery, so such a
    /// repeat is harmless; give the sinks a client with max_attempts = 1 to leave the status
    /// retries to the outbox.
    task<bot::ports::delivery_result> deliver(const bot::ports::escalation_event& e) override;

private:
    http::client& http_;
    webhook_options opt_;
    std::function<std::int64_t()> unix_now_;
};

namespace detail {

// Shared by the helpdesk sinks (servicenow_sink.cpp uses the same mapping for the statuses it does
// not treat specially). Not part of the port.

/// A retry or rejected result.
bot::ports::delivery_result failure(bot::ports::delivery_outcome outcome, std::string error_id, std::string detail);

/// The result for a send() that returned no response: retry with helpdesk.timeout (errc::timeout)
/// or helpdesk.unavailable (anything else, cancellation included); rejected helpdesk.bad_parameter
/// for errc::bad_url (the URL itself is unusable; retrying won't help).
bot::ports::delivery_result transport_failure(const boost::system::error_code& ec);

/// The result for a status that is not success: 408/429/5xx → retry (helpdesk.throttled for 429,
/// else helpdesk.unavailable, retry_after from the Retry-After header); anything else → rejected
/// helpdesk.rejected. `detail` is appended to "HTTP <status>" after ": " when not empty.
bot::ports::delivery_result status_failure(const http::response& res, std::string_view detail = {});

/// `s` cut to at most `max` bytes on a UTF-8 boundary (no ellipsis).
std::string truncate_utf8(std::string_view s, std::size_t max);

std::string_view outcome_name(bot::ports::delivery_outcome o) noexcept;

/// Logs one line for a finished delivery: helpdesk.delivery (info) or helpdesk.delivery.failed
/// (warn, with error, detail and retry_after_s), adding outcome and the external ids to `fields`.
void log_result(nlohmann::json fields, const bot::ports::delivery_result& r);

/// True when `s` may be sent as a header value: 1..256 bytes of visible ASCII (no CR/LF/controls).
bool header_safe(std::string_view s);

} // namespace detail

} // namespace ab::adapters::helpdesk
