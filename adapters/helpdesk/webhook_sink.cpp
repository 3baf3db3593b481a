#include "adapters/helpdesk/webhook_sink.hpp"

#include "adapters/http/retry.hpp"
#include "adapters/runbook/signature.hpp"
#include "bot/log.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace ab::adapters::helpdesk {

namespace {

using bot::ports::delivery_outcome;
using bot::ports::delivery_result;

constexpr std::string_view delivery_header_name = "X-AccessBot-Delivery";

std::int64_t system_unix_now()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

/// A string member of an answer body, or "" (numbers are accepted too: some tools number tickets).
std::string answer_field(const nlohmann::json& j, const char* key)
{
    const auto it = j.find(key);
    if (it == j.end())
        return {};
    if (it->is_string())
        return detail::truncate_utf8(it->get_ref<const std::string&>(), 256);
    if (it->is_number_integer())
        return it->dump();
    return {};
}

} // namespace

namespace detail {

delivery_result failure(delivery_outcome outcome, std::string error_id, std::string detail)
{
    delivery_result r;
    r.outcome = outcome;
    r.error_id = std::move(error_id);
    r.detail = std::move(detail);
    return r;
}

delivery_result transport_failure(const boost::system::error_code& ec)
{
    const bool ours = ec.category() == http::http_category();
    const std::string cause = ours ? std::string(http::error_id(static_cast<http::errc>(ec.value()))) : ec.message();
    if (ec == http::errc::timeout)
        return failure(delivery_outcome::retry, "helpdesk.timeout", "no answer in time (" + cause + ")");
    if (ec == http::errc::bad_url)
        return failure(delivery_outcome::rejected, "helpdesk.bad_parameter", "the URL cannot be used (" + cause + ")");
    // errc::protocol is mostly a garbled answer (a proxy, a half-restarted server): worth another try.
    return failure(delivery_outcome::retry, "helpdesk.unavailable", "no usable answer (" + cause + ")");
}

delivery_result status_failure(const http::response& res, std::string_view detail)
{
    const unsigned s = res.status;
    std::string text = "HTTP " + std::to_string(s);
    if (!detail.empty())
        text.append(": ").append(detail);
    if (s == 408 || s == 429 || (s >= 500 && s < 600)) {
        auto r = failure(delivery_outcome::retry, s == 429 ? "helpdesk.throttled" : "helpdesk.unavailable", std::move(text));
        if (const auto header = res.header("Retry-After"); !header.empty())
            if (const auto wait = http::parse_retry_after(header, std::chrono::system_clock::now()))
                r.retry_after = std::chrono::ceil<std::chrono::seconds>(*wait);
        return r;
    }
    return failure(delivery_outcome::rejected, "helpdesk.rejected", std::move(text));
}

std::string truncate_utf8(std::string_view s, std::size_t max)
{
    if (s.size() <= max)
        return std::string(s);
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
        --cut;
    return std::string(s.substr(0, cut));
}

std::string_view outcome_name(delivery_outcome o) noexcept
{
    switch (o) {
    case delivery_outcome::delivered: return "delivered";
    case delivery_outcome::retry: return "retry";
    case delivery_outcome::rejected: return "rejected";
    }
    return "unknown";
}

void log_result(nlohmann::json f, const delivery_result& r)
{
    f["outcome"] = std::string(outcome_name(r.outcome));
    if (r.outcome == delivery_outcome::delivered) {
        if (!r.external_id.empty())
            f["external_id"] = r.external_id;
        if (!r.external_number.empty())
            f["external_number"] = r.external_number;
        log::info("helpdesk.delivery", f);
        return;
    }
    f["error"] = r.error_id;
    f["detail"] = r.detail;
    if (r.retry_after.count() > 0)
        f["retry_after_s"] = r.retry_after.count();
    log::warn("helpdesk.delivery.failed", f);
}

bool header_safe(std::string_view s)
{
    if (s.empty() || s.size() > 256)
        return false;
    for (char c : s)
        if (c < 0x21 || c > 0x7E)
            return false;
    return true;
}

} // namespace detail

std::string webhook_body(const bot::ports::escalation_event& e)
{
    const nlohmann::json j = {
        {"version", 1},
        {"deliveryId", e.delivery_id},
        {"escalationId", e.escalation_id},
        {"event", e.event},
        {"status", e.status},
        {"question", e.question},
        {"summary", e.summary},
        {"intent", e.intent},
        {"language", e.language},
        {"domain", e.domain},
        {"user", {{"id", e.user_id}, {"aadObjectId", e.user_aad_object_id}, {"name", e.user_name}}},
        {"tenantId", e.tenant_id},
        {"message", e.message},
        {"actor", e.actor_name},
        {"occurredAt", e.occurred_at},
    };
    // ensure_ascii, as the runbook request: the receiver may decode and re-encode the body before
    // it hashes it (Power Automate, .NET strings); ASCII bytes survive that unchanged.
    return j.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

webhook_sink::webhook_sink(http::client& client, webhook_options opt, std::function<std::int64_t()> unix_now)
    : http_(client), opt_(std::move(opt)), unix_now_(unix_now ? std::move(unix_now) : std::function<std::int64_t()>(system_unix_now))
{
    if (opt_.url.empty() || opt_.secret.empty())
        throw std::invalid_argument("[helpdesk.misconfigured] the helpdesk webhook needs a URL and a secret");
}

task<delivery_result> webhook_sink::deliver(const bot::ports::escalation_event& e)
{
    // Everything needed from `e` is copied or used before the first suspension.
    log::fields f{{"sink", "webhook"}, {"delivery_id", e.delivery_id}, {"escalation_id", e.escalation_id}, {"escalation_event", e.event}};

    delivery_result r;
    if (!detail::header_safe(e.delivery_id)) {
        r = detail::failure(delivery_outcome::rejected, "helpdesk.bad_parameter",
                            "the delivery id is empty, too long or not visible ASCII");
    } else {
        const std::int64_t now = unix_now_();
        http::request req;
        req.method = "POST";
        req.url = opt_.url;
        req.timeout = opt_.timeout;
        req.body = webhook_body(e);
        req.headers = {{"Content-Type", "application/json"},
                       {std::string(runbook::timestamp_header_name), std::to_string(now)},
                       {std::string(runbook::signature_header_name), runbook::signature_header(opt_.secret, now, req.body)},
                       {std::string(delivery_header_name), e.delivery_id}};

        const auto started = std::chrono::steady_clock::now();
        auto res = co_await http_.send(std::move(req));
        f["ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();

        if (!res) {
            r = detail::transport_failure(res.error());
        } else {
            f["status"] = res->status;
            if (res->status >= 200 && res->status < 300) {
                r.outcome = delivery_outcome::delivered;
                const auto j = nlohmann::json::parse(res->body, nullptr, false);
                if (j.is_object()) {
                    r.external_id = answer_field(j, "id");
                    r.external_number = answer_field(j, "number");
                }
            } else {
                r = detail::status_failure(*res);
            }
        }
    }

    detail::log_result(std::move(f), r);
    co_return r;
}

} // namespace ab::adapters::helpdesk
