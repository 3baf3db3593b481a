#include "adapters/helpdesk/servicenow_sink.hpp"

#include "adapters/helpdesk/webhook_sink.hpp"
#include "adapters/http/url.hpp"
#include "bot/log.hpp"

#include <stdexcept>

namespace ab::adapters::helpdesk {

namespace {

using bot::ports::delivery_outcome;
using bot::ports::delivery_result;
using steady = std::chrono::steady_clock;

constexpr std::size_t short_description_max = 160; // characters (the dictionary's max_length)
constexpr std::size_t correlation_id_max = 100;     // the incident's correlation_id column
constexpr std::size_t error_detail_max = 300;       // bytes of ServiceNow's error text we keep

std::string base64(std::string_view in)
{
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                           static_cast<unsigned char>(in[i + 2]);
        out.push_back(alphabet[(v >> 18) & 63]);
        out.push_back(alphabet[(v >> 12) & 63]);
        out.push_back(alphabet[(v >> 6) & 63]);
        out.push_back(alphabet[v & 63]);
    }
    if (const std::size_t rest = in.size() - i; rest > 0) {
        unsigned v = static_cast<unsigned>(static_cast<unsigned char>(in[i]) << 16);
        if (rest == 2)
            v |= static_cast<unsigned>(static_cast<unsigned char>(in[i + 1]) << 8);
        out.push_back(alphabet[(v >> 18) & 63]);
        out.push_back(alphabet[(v >> 12) & 63]);
        out.push_back(rest == 2 ? alphabet[(v >> 6) & 63] : '=');
        out.push_back('=');
    }
    return out;
}

/// RFC 3986 percent-encoding of everything but the unreserved characters.
std::string percent_encode(std::string_view s)
{
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0xF]);
        }
    }
    return out;
}

/// The instance URL without trailing slashes, or "" when it is not an absolute http(s) URL
/// without query or fragment (parse_url refuses other schemes, userinfo and spaces).
std::string instance_base(std::string_view url)
{
    while (!url.empty() && url.back() == '/')
        url.remove_suffix(1);
    if (url.empty() || url.find_first_of("?#") != std::string_view::npos || !http::parse_url(url))
        return {};
    return std::string(url);
}

/// The escalation id becomes a correlation_id and part of an encoded query: a ^ or = in it would
/// change the query even after percent-decoding, so only a plain token is accepted.
bool valid_correlation_id(std::string_view s) noexcept
{
    if (s.empty() || s.size() > correlation_id_max)
        return false;
    for (char c : s)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == ':'))
            return false;
    return true;
}

/// `s` on one line (controls become spaces, runs of spaces collapse, ends trimmed), cut to `max`
/// characters (code points) with an ellipsis when longer.
std::string one_line(std::string_view s, std::size_t max)
{
    std::string flat;
    for (char c : s) {
        const bool space = static_cast<unsigned char>(c) < 0x20 || c == 0x7F || c == ' ';
        if (space) {
            if (!flat.empty() && flat.back() != ' ')
                flat.push_back(' ');
        } else {
            flat.push_back(c);
        }
    }
    while (!flat.empty() && flat.back() == ' ')
        flat.pop_back();
    std::size_t chars = 0;
    std::size_t cut = std::string::npos; // byte offset where character number max-1 starts
    for (std::size_t i = 0; i < flat.size(); ++i) {
        if ((static_cast<unsigned char>(flat[i]) & 0xC0) == 0x80)
            continue;
        if (chars == max - 1)
            cut = i;
        ++chars;
    }
    if (chars <= max)
        return flat;
    flat.resize(cut);
    while (!flat.empty() && flat.back() == ' ')
        flat.pop_back();
    return flat + "…";
}

std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }

/// A string member, or "".
std::string string_at(const nlohmann::json& j, const char* key)
{
    if (!j.is_object())
        return {};
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// ServiceNow's {"error":{"message":"…","detail":"…"},"status":"failure"} as "message: detail".
std::string error_text(const std::string& body)
{
    const auto j = nlohmann::json::parse(body, nullptr, false);
    if (!j.is_object())
        return {};
    const auto err = j.find("error");
    if (err == j.end() || !err->is_object())
        return {};
    std::string text = string_at(*err, "message");
    const std::string more = string_at(*err, "detail");
    if (!more.empty() && more != text)
        text += text.empty() ? more : ": " + more;
    return text;
}

/// The result of a ServiceNow answer that is not a success. `record` is true for a PATCH of one
/// incident (404 = it is gone), false for the table calls (404 = no incident table at this path).
delivery_result servicenow_failure(const http::response& res, bool record)
{
    const unsigned s = res.status;
    const std::string message = error_text(res.body);
    std::string text = "HTTP " + std::to_string(s);
    if (!message.empty())
        text += ": " + message;
    text = detail::truncate_utf8(text, error_detail_max);
    if (s == 401 || s == 403)
        return detail::failure(delivery_outcome::rejected, "helpdesk.unauthorized", std::move(text));
    if (s == 404)
        return detail::failure(delivery_outcome::rejected, "helpdesk.not_found",
                               record ? detail::truncate_utf8("the incident does not exist (" + text + ")", error_detail_max)
                                      : detail::truncate_utf8("no incident table at this instance URL (" + text + ")", error_detail_max));
    if (s == 400)
        return detail::failure(delivery_outcome::rejected, "helpdesk.rejected", std::move(text));
    auto r = detail::status_failure(res);
    r.detail = std::move(text);
    return r;
}

delivery_result malformed(std::string what)
{
    return detail::failure(delivery_outcome::rejected, "helpdesk.malformed", std::move(what));
}

delivery_result delivered(std::string sys_id, std::string number)
{
    delivery_result r;
    r.outcome = delivery_outcome::delivered;
    r.external_id = std::move(sys_id);
    r.external_number = std::move(number);
    return r;
}

/// One Table API call within the delivery's deadline: errc::timeout without sending when no time
/// is left (a zero request timeout would mean the client's 30 s default).
task<boost::system::result<http::response>> call(http::client& client, http::request req, steady::time_point deadline)
{
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
    if (left.count() <= 0)
        co_return make_error_code(http::errc::timeout);
    req.timeout = left;
    auto res = co_await client.send(std::move(req));
    co_return res;
}

http::request table_request(std::string method, std::string url, const std::string& authorization)
{
    http::request req;
    req.method = std::move(method);
    req.url = std::move(url);
    req.headers = {{"Accept", "application/json"}, {"Authorization", authorization}};
    return req;
}

/// The incident with correlation_id = `escalation_id`, else a new one.
task<delivery_result> find_or_create(http::client& client, std::string base, std::string authorization, std::string escalation_id,
                                     std::string create_body, steady::time_point deadline)
{
    // An earlier attempt may have created the incident and crashed (or lost the answer) before the
    // outbox recorded it: look it up first, so one escalation makes one incident.
    auto lookup = table_request("GET",
                                base + "/api/now/table/incident?sysparm_query=" + percent_encode("correlation_id=" + escalation_id) +
                                    "&sysparm_fields=sys_id,number&sysparm_limit=1",
                                authorization);
    auto found = co_await call(client, std::move(lookup), deadline);
    if (!found)
        co_return detail::transport_failure(found.error());
    if (found->status < 200 || found->status >= 300)
        co_return servicenow_failure(*found, false);
    {
        const auto j = nlohmann::json::parse(found->body, nullptr, false);
        const auto result = j.is_object() ? j.find("result") : j.end();
        if (!j.is_object() || result == j.end() || !result->is_array())
            co_return malformed("the incident lookup did not answer {\"result\":[...]}");
        if (!result->empty()) {
            const std::string sys_id = string_at(result->front(), "sys_id");
            if (!is_sys_id(sys_id))
                co_return malformed("the incident lookup answered a record without a sys_id");
            co_return delivered(sys_id, string_at(result->front(), "number"));
        }
    }

    auto create = table_request("POST", base + "/api/now/table/incident?sysparm_fields=sys_id,number", authorization);
    create.headers.emplace_back("Content-Type", "application/json");
    create.body = std::move(create_body);
    auto created = co_await call(client, std::move(create), deadline);
    if (!created)
        co_return detail::transport_failure(created.error());
    if (created->status < 200 || created->status >= 300)
        co_return servicenow_failure(*created, false);
    // 201 Created {"result":{"sys_id":"…","number":"INC0010002"}} (200 accepted too).
    const auto j = nlohmann::json::parse(created->body, nullptr, false);
    const auto result = j.is_object() ? j.find("result") : j.end();
    const std::string sys_id = j.is_object() && result != j.end() ? string_at(*result, "sys_id") : std::string();
    const std::string number = j.is_object() && result != j.end() ? string_at(*result, "number") : std::string();
    if (!is_sys_id(sys_id) || number.empty())
        co_return malformed("HTTP " + std::to_string(created->status) + " without result.sys_id and result.number");
    co_return delivered(sys_id, number);
}

task<delivery_result> update(http::client& client, std::string base, std::string authorization, std::string sys_id, std::string body,
                             steady::time_point deadline)
{
    auto patch = table_request("PATCH", base + "/api/now/table/incident/" + sys_id, authorization);
    patch.headers.emplace_back("Content-Type", "application/json");
    patch.body = std::move(body);
    auto res = co_await call(client, std::move(patch), deadline);
    if (!res)
        co_return detail::transport_failure(res.error());
    if (res->status < 200 || res->status >= 300)
        co_return servicenow_failure(*res, true);
    const auto j = nlohmann::json::parse(res->body, nullptr, false);
    const auto result = j.is_object() ? j.find("result") : j.end();
    std::string number = j.is_object() && result != j.end() ? string_at(*result, "number") : std::string();
    co_return delivered(std::move(sys_id), std::move(number));
}

std::string dump(const nlohmann::json& j)
{
    // ServiceNow reads UTF-8; invalid bytes in user text are replaced rather than thrown on.
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace

bool is_sys_id(std::string_view s) noexcept
{
    if (s.size() != 32)
        return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    return true;
}

nlohmann::json incident_create_fields(const bot::ports::escalation_event& e, const servicenow_options& opt)
{
    std::string title = one_line(e.summary.empty() ? e.question : e.summary, short_description_max);
    if (title.empty())
        title = "Teams access question (" + e.escalation_id + ")";

    std::string description;
    description += "Question: " + or_dash(e.question) + "\n";
    description += "Summary: " + or_dash(e.summary) + "\n";
    description += "Detected need: " + or_dash(e.intent) + "\n";
    description += "Language: " + or_dash(e.language) + "\n";
    description += "Domain: " + or_dash(e.domain) + "\n";
    description += "User: " + or_dash(e.user_name) + " (Entra object id " + or_dash(e.user_aad_object_id) + ")\n";
    description += "Tenant: " + or_dash(e.tenant_id) + "\n";
    description += "Escalation: " + e.escalation_id + "\n";
    description += "Raised through access-bot in Microsoft Teams" + (e.occurred_at.empty() ? std::string() : " at " + e.occurred_at) + ".";

    nlohmann::json j = {
        {"short_description", title},
        {"description", description},
        {"correlation_id", e.escalation_id},
        {"correlation_display", "access-bot"},
        {"contact_type", "chat"},
        {"urgency", "3"},
        {"impact", "3"},
        {"category", "inquiry"},
    };
    if (!opt.assignment_group.empty())
        j["assignment_group"] = opt.assignment_group;
    if (!opt.caller_id.empty())
        j["caller_id"] = opt.caller_id;
    return j;
}

nlohmann::json incident_update_fields(const bot::ports::escalation_event& e)
{
    const std::string by = e.actor_name.empty() ? std::string() : " by " + e.actor_name;
    nlohmann::json j = nlohmann::json::object();
    if (e.event == "acknowledged") {
        j["work_notes"] = "Acknowledged in Teams" + by + ".";
    } else if (e.event == "replied") {
        j["work_notes"] = "Reply sent to the user in Teams" + by + ":\n" + e.message;
    } else if (e.event == "resolved") {
        j["work_notes"] = "Resolved in Teams" + by + "." + (e.message.empty() ? std::string() : "\n" + e.message);
        j["state"] = "6"; // Resolved
        j["close_code"] = "Solved (Permanently)";
        j["close_notes"] = e.message.empty() ? std::string("Resolved in Teams") : e.message;
    } else if (e.event == "cancelled") {
        j["work_notes"] = "Cancelled by the user in Teams" + (e.actor_name.empty() ? std::string() : " (" + e.actor_name + ")") + ".";
        j["state"] = "8"; // Canceled
    } else {
        // An event this version does not know (or "created" for a known incident): a note only.
        j["work_notes"] = "access-bot event \"" + e.event + "\", status " + or_dash(e.status) +
                          (e.message.empty() ? std::string() : ":\n" + e.message);
    }
    return j;
}

servicenow_sink::servicenow_sink(http::client& client, servicenow_options opt) : http_(client), opt_(std::move(opt))
{
    if (!opt_.bearer_token.empty())
        authorization_ = "Bearer " + opt_.bearer_token;
    else if (!opt_.user.empty())
        authorization_ = "Basic " + base64(opt_.user + ":" + opt_.password);
    else
        throw std::invalid_argument("[helpdesk.misconfigured] the ServiceNow sink needs a bearer token or a user and password");
}

task<delivery_result> servicenow_sink::deliver(const bot::ports::escalation_event& e)
{
    // Everything needed from `e` is copied before the first suspension.
    const auto started = steady::now();
    const auto deadline = started + (opt_.timeout.count() > 0 ? opt_.timeout : servicenow_options{}.timeout);
    log::fields f{{"sink", "servicenow"}, {"delivery_id", e.delivery_id}, {"escalation_id", e.escalation_id}, {"escalation_event", e.event}};

    const std::string base = instance_base(opt_.instance_url);
    const bool create = e.event == "created" || e.external_id.empty();
    delivery_result r;
    if (base.empty()) {
        r = detail::failure(delivery_outcome::rejected, "helpdesk.bad_parameter", "the ServiceNow instance URL is not an http(s) URL");
    } else if (create && !valid_correlation_id(e.escalation_id)) {
        r = detail::failure(delivery_outcome::rejected, "helpdesk.bad_parameter",
                            "the escalation id is not 1-100 characters of [A-Za-z0-9._:-]");
    } else if (!create && !is_sys_id(e.external_id)) {
        r = detail::failure(delivery_outcome::rejected, "helpdesk.bad_parameter", "the external id is not a ServiceNow sys_id");
    } else if (create) {
        // A later event for an escalation whose "created" never reached ServiceNow: create (or
        // find) the incident, then apply the event to it.
        const bool then_update = e.event != "created";
        std::string update_body = then_update ? dump(incident_update_fields(e)) : std::string();
        std::string create_body = dump(incident_create_fields(e, opt_));
        std::string escalation_id = e.escalation_id;
        auto found = co_await find_or_create(http_, base, authorization_, std::move(escalation_id), std::move(create_body), deadline);
        r = std::move(found);
        if (then_update && r.outcome == delivery_outcome::delivered) {
            std::string sys_id = r.external_id;
            auto updated = co_await update(http_, base, authorization_, std::move(sys_id), std::move(update_body), deadline);
            if (updated.outcome == delivery_outcome::delivered && updated.external_number.empty())
                updated.external_number = r.external_number;
            r = std::move(updated);
        }
    } else {
        std::string body = dump(incident_update_fields(e));
        std::string sys_id = e.external_id;
        auto updated = co_await update(http_, base, authorization_, std::move(sys_id), std::move(body), deadline);
        r = std::move(updated);
    }
    f["ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - started).count();
    detail::log_result(std::move(f), r);
    co_return r;
}

} // namespace ab::adapters::helpdesk
