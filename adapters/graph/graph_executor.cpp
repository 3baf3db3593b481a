#include "adapters/graph/graph_executor.hpp"

#include "adapters/http/url.hpp"
#include "bot/log.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cctype>
#include <optional>
#include <utility>

namespace ab::adapters::graph {

namespace {

using json = nlohmann::json;
using bot::ports::change_outcome;
using bot::ports::change_result;
using bot::ports::current_value;
using bot::ports::directory_errc;
using bot::ports::directory_memberships;
using bot::ports::setting_change;

constexpr std::string_view op_invitations = "entra.guest_invitations.allow_members";
constexpr std::string_view op_group_guests = "groups.guest_settings.enable";
constexpr std::string_view op_sharepoint = "sharepoint.sharing.allow_guests";
constexpr std::string_view op_direct_connect = "xtap.b2b_direct_connect.allow";
constexpr std::array<std::string_view, 4> operations{op_invitations, op_group_guests, op_sharepoint, op_direct_connect};

/// Group.Unified: the tenant-wide Microsoft 365 group settings template (admin-apis.md §2.2).
constexpr std::string_view group_unified_template = "62375ab9-6b52-47ed-826b-58e47e0e304b";
constexpr std::string_view allow_to_add_guests = "AllowToAddGuests";
constexpr std::string_view allow_guests_to_access = "AllowGuestsToAccessGroups";

constexpr std::size_t max_detail = 300;
constexpr int max_member_pages = 10;

bool iequals(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

/// At most `max` bytes, cut on a UTF-8 character boundary.
std::string truncate_utf8(std::string_view s, std::size_t max = max_detail)
{
    if (s.size() <= max)
        return std::string(s);
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
        --cut;
    return std::string(s.substr(0, cut));
}

std::string string_or_empty(const json& j, std::string_view key)
{
    if (!j.is_object())
        return {};
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

struct failure {
    std::string error_id;
    std::string detail;
};

/// Graph errors are {"error":{"code":..., "message":...}}; the message is what an admin can act on.
std::string detail_of(unsigned status, const std::string& body)
{
    const auto j = json::parse(body, nullptr, false);
    if (j.is_object())
        if (const auto e = j.find("error"); e != j.end()) {
            auto message = string_or_empty(*e, "message");
            if (!message.empty())
                return truncate_utf8(message);
        }
    return "HTTP " + std::to_string(status);
}

/// A status outside 2xx. The HTTP client has already retried 429/502/503/504 (honouring
/// Retry-After), so whatever is still here is final.
failure status_failure(unsigned status, const std::string& body)
{
    std::string id;
    if (status == 401)
        id = "graph.unauthorized";
    else if (status == 403)
        id = "graph.forbidden";
    else if (status == 404)
        id = "graph.not_found";
    else if (status == 429)
        id = "graph.throttled";
    else if (status >= 500)
        id = "graph.unavailable";
    else if (status >= 400)
        id = "graph.rejected"; // 400, and 409/412 etc.: Graph refused what we sent
    else
        id = "graph.malformed"; // 1xx/3xx: not an answer Graph gives to these calls
    return {std::move(id), detail_of(status, body)};
}

failure transport_failure(const boost::system::error_code& ec)
{
    if (ec == http::errc::timeout)
        return {"graph.timeout", ec.message()};
    if (ec == http::errc::too_large)
        return {"graph.malformed", ec.message()};
    // connect_failed, tls_failed, connection_lost, retries_exhausted, protocol, bad_url (a
    // misconfigured base URL), operation_aborted (the caller cancelled).
    return {"graph.unavailable", ec.message()};
}

failure malformed(std::string what)
{
    return {"graph.malformed", truncate_utf8(what)};
}

/// One Graph call's outcome: a response, or why there is none (token or transport).
struct exchange {
    std::optional<failure> error;
    unsigned status = 0;
    std::string body;
    std::string request_id;

    bool ok() const { return !error && status >= 200 && status < 300; }
    /// The failure to report when !ok().
    failure why() const { return error ? *error : status_failure(status, body); }
};

/// The requests of one read/apply/memberships call: common headers, the steps list.
class session {
public:
    session(http::client& client, connector::token_provider& tokens, const graph_options& opt, std::string client_request_id)
        : http_(client), tokens_(tokens), opt_(opt), client_request_id_(std::move(client_request_id))
    {
        // A header value must not carry control characters; such an id is simply not sent.
        for (const unsigned char c : client_request_id_)
            if (c < 0x20 || c == 0x7F) {
                client_request_id_.clear();
                break;
            }
    }

    /// `body` non-empty: a JSON write. Records the step once the token is there.
    task<exchange> send(std::string method, std::string url, std::string body = {}, http::header_list extra = {})
    {
        exchange x;
        auto token = co_await tokens_.token();
        if (!token) {
            x.error = failure{"graph.token_failed", truncate_utf8(token.error().message())};
            co_return x;
        }
        http::request req;
        req.method = method;
        req.url = url;
        req.timeout = opt_.timeout;
        req.headers = {{"Authorization", "Bearer " + *token}, {"Accept", "application/json"}};
        if (!body.empty())
            req.headers.emplace_back("Content-Type", "application/json");
        if (!client_request_id_.empty())
            req.headers.emplace_back("client-request-id", client_request_id_);
        for (auto& h : extra)
            req.headers.push_back(std::move(h));
        steps.push_back(body.empty() ? method + " " + url : method + " " + url + " " + body);
        req.body = std::move(body);
        auto res = co_await http_.send(std::move(req));
        if (!res) {
            x.error = transport_failure(res.error());
            co_return x;
        }
        x.status = res->status;
        x.request_id = res->header("request-id");
        x.body = std::move(res->body);
        co_return x;
    }

    std::vector<std::string> steps;

private:
    http::client& http_;
    connector::token_provider& tokens_;
    const graph_options& opt_;
    std::string client_request_id_;
};

/// The read part of an operation, and the write it implies when not satisfied.
struct probe {
    std::optional<failure> error;
    json value;             ///< the relevant properties (becomes before/after)
    bool satisfied = false; ///< nothing to write
    std::string write_method;
    std::string write_url;
    json write_body;
    json wanted;            ///< `after` if the read-back fails
    json reread_parameters; ///< parameters of the read-back (null: the same ones)
};

probe failed_probe(failure f)
{
    probe p;
    p.error = std::move(f);
    return p;
}

// 1. Entra "who can invite guests" (authorizationPolicy.allowInvitesFrom).
task<probe> probe_invitations(session& s, std::string base)
{
    const std::string url = base + "/policies/authorizationPolicy";
    const auto x = co_await s.send("GET", url);
    if (!x.ok())
        co_return failed_probe(x.why());
    const auto j = json::parse(x.body, nullptr, false);
    const json* policy = &j;
    // The singleton is documented as the object itself; older answers wrapped it in a collection.
    if (j.is_object() && !j.contains("allowInvitesFrom"))
        if (const auto v = j.find("value"); v != j.end() && v->is_array() && !v->empty())
            policy = &v->front();
    const auto allow = string_or_empty(*policy, "allowInvitesFrom");
    if (allow.empty())
        co_return failed_probe(malformed("authorizationPolicy: no allowInvitesFrom"));
    probe p;
    p.value = {{"allowInvitesFrom", allow}};
    // `everyone` is wider than what we want: never narrow it.
    p.satisfied = allow == "adminsGuestInvitersAndAllMembers" || allow == "everyone";
    p.write_method = "PATCH";
    p.write_url = url;
    p.write_body = {{"allowInvitesFrom", "adminsGuestInvitersAndAllMembers"}};
    p.wanted = p.write_body;
    co_return p;
}

bool is_true(const json& v)
{
    return v.is_string() && iequals(v.get_ref<const std::string&>(), "true");
}

// 2. Microsoft 365 groups: guests may be added and may access group content (Group.Unified).
task<probe> probe_group_guests(session& s, std::string base)
{
    const auto x = co_await s.send("GET", base + "/groupSettings");
    if (!x.ok())
        co_return failed_probe(x.why());
    const auto j = json::parse(x.body, nullptr, false);
    const auto list = j.is_object() ? j.find("value") : j.end();
    if (!j.is_object() || list == j.end() || !list->is_array())
        co_return failed_probe(malformed("groupSettings: no value array"));
    const json* setting = nullptr;
    for (const auto& item : *list)
        if (iequals(string_or_empty(item, "templateId"), group_unified_template)) {
            setting = &item;
            break;
        }
    probe p;
    p.wanted = {{allow_to_add_guests, "true"}, {allow_guests_to_access, "true"}};
    if (setting == nullptr) {
        // No tenant object: the template defaults apply, and both are true.
        p.value = {{allow_to_add_guests, "true (default)"}, {allow_guests_to_access, "true (default)"}};
        p.satisfied = true;
        co_return p;
    }
    const auto id = string_or_empty(*setting, "id");
    const auto values = setting->find("values");
    if (id.empty() || values == setting->end() || !values->is_array())
        co_return failed_probe(malformed("groupSettings: Group.Unified object without id or values"));

    // The update replaces the whole set: send every existing pair back, the two set to "true".
    json pairs = json::array();
    json add_guests, access_groups; // null while absent (the template default, true, applies)
    for (const auto& v : *values) {
        const auto name = string_or_empty(v, "name");
        const auto value = v.is_object() ? v.find("value") : v.end();
        if (name.empty() || value == v.end())
            co_return failed_probe(malformed("groupSettings: a value without name or value"));
        if (name == allow_to_add_guests)
            add_guests = *value;
        else if (name == allow_guests_to_access)
            access_groups = *value;
        const bool ours = name == allow_to_add_guests || name == allow_guests_to_access;
        pairs.push_back({{"name", name}, {"value", ours ? json("true") : *value}});
    }
    if (add_guests.is_null())
        pairs.push_back({{"name", allow_to_add_guests}, {"value", "true"}});
    if (access_groups.is_null())
        pairs.push_back({{"name", allow_guests_to_access}, {"value", "true"}});

    p.value = {{allow_to_add_guests, add_guests.is_null() ? json("true (default)") : add_guests},
               {allow_guests_to_access, access_groups.is_null() ? json("true (default)") : access_groups}};
    p.satisfied = (add_guests.is_null() || is_true(add_guests)) && (access_groups.is_null() || is_true(access_groups));
    p.write_method = "PATCH";
    p.write_url = base + "/groupSettings/" + id;
    p.write_body = {{"values", std::move(pairs)}};
    co_return p;
}

// 3. SharePoint/OneDrive organization sharing: at least "new and existing guests".
task<probe> probe_sharepoint(session& s, std::string base)
{
    const std::string url = base + "/admin/sharepoint/settings";
    const auto x = co_await s.send("GET", url);
    if (!x.ok())
        co_return failed_probe(x.why());
    const auto j = json::parse(x.body, nullptr, false);
    const auto capability = string_or_empty(j, "sharingCapability");
    if (capability.empty())
        co_return failed_probe(malformed("sharepoint settings: no sharingCapability"));
    probe p;
    p.value = {{"sharingCapability", capability}};
    // externalUserAndGuestSharing ("anyone") is wider: never narrow it.
    p.satisfied = capability == "externalUserSharingOnly" || capability == "externalUserAndGuestSharing";
    p.write_method = "PATCH";
    p.write_url = url;
    p.write_body = {{"sharingCapability", "externalUserSharingOnly"}};
    p.wanted = p.write_body;
    co_return p;
}

/// Allow all users, and Office 365 (which covers Teams shared channels), in one direction.
json allowed_b2b_setting()
{
    return {{"usersAndGroups", {{"accessType", "allowed"}, {"targets", json::array({{{"target", "AllUsers"}, {"targetType", "user"}}})}}},
            {"applications",
             {{"accessType", "allowed"}, {"targets", json::array({{{"target", "Office365"}, {"targetType", "application"}}})}}}};
}

/// {"usersAndGroups": accessType, "applications": accessType}, null where not configured (a
/// partner entry's null block inherits the default policy, which blocks direct connect).
std::optional<json> access_types(const json& partner, std::string_view block)
{
    json out = {{"usersAndGroups", nullptr}, {"applications", nullptr}};
    const auto b = partner.find(block);
    if (b == partner.end() || b->is_null())
        return out;
    if (!b->is_object())
        return std::nullopt;
    for (const char* part : {"usersAndGroups", "applications"}) {
        const auto t = string_or_empty((*b).value(part, json()), "accessType");
        if (!t.empty())
            out[part] = t;
    }
    return out;
}

bool allowed(const json& types)
{
    return types.value("usersAndGroups", json()) == "allowed" && types.value("applications", json()) == "allowed";
}

// 4. Cross-tenant access: B2B direct connect (shared channels) with one partner, both ways.
task<probe> probe_direct_connect(session& s, std::string base, json parameters)
{
    if (!parameters.is_object())
        co_return failed_probe({"graph.bad_parameter", "parameters must be {\"domain\"} or {\"tenantId\"}"});
    std::string tenant_id;
    if (const auto t = parameters.find("tenantId"); t != parameters.end()) {
        if (!t->is_string() || !is_guid(t->get_ref<const std::string&>()))
            co_return failed_probe({"graph.bad_parameter", "tenantId is not a GUID"});
        tenant_id = t->get<std::string>();
    } else if (const auto d = parameters.find("domain"); d != parameters.end()) {
        if (!d->is_string() || !is_domain_name(d->get_ref<const std::string&>()))
            co_return failed_probe({"graph.bad_parameter", "domain is not a DNS name"});
        const auto domain = d->get<std::string>();
        const auto x = co_await s.send("GET", base + "/tenantRelationships/findTenantInformationByDomainName(domainName='" + domain + "')");
        if (!x.error && x.status == 404)
            co_return failed_probe({"graph.tenant_not_found", truncate_utf8("no Entra tenant for " + domain)});
        if (!x.ok())
            co_return failed_probe(x.why());
        const auto j = json::parse(x.body, nullptr, false);
        tenant_id = string_or_empty(j, "tenantId");
        if (!is_guid(tenant_id))
            co_return failed_probe(malformed("findTenantInformationByDomainName: no tenantId"));
    } else {
        co_return failed_probe({"graph.bad_parameter", "parameters need a domain or a tenantId"});
    }

    const std::string partners = base + "/policies/crossTenantAccessPolicy/partners";
    probe p;
    p.reread_parameters = {{"tenantId", tenant_id}};
    p.wanted = {{"tenantId", tenant_id},
                {"b2bDirectConnectInbound", {{"usersAndGroups", "allowed"}, {"applications", "allowed"}}},
                {"b2bDirectConnectOutbound", {{"usersAndGroups", "allowed"}, {"applications", "allowed"}}}};
    const auto x = co_await s.send("GET", partners + "/" + tenant_id);
    if (!x.error && x.status == 404) {
        // No partner-specific entry: the default policy applies (direct connect blocked).
        p.value = {{"tenantId", tenant_id}, {"partner", nullptr}};
        p.write_method = "POST";
        p.write_url = partners;
        p.write_body = {{"tenantId", tenant_id},
                        {"b2bDirectConnectInbound", allowed_b2b_setting()},
                        {"b2bDirectConnectOutbound", allowed_b2b_setting()}};
        co_return p;
    }
    if (!x.ok())
        co_return failed_probe(x.why());
    const auto j = json::parse(x.body, nullptr, false);
    if (!j.is_object())
        co_return failed_probe(malformed("partner configuration is not an object"));
    auto inbound = access_types(j, "b2bDirectConnectInbound");
    auto outbound = access_types(j, "b2bDirectConnectOutbound");
    if (!inbound || !outbound)
        co_return failed_probe(malformed("partner configuration: b2bDirectConnect block is not an object"));
    p.satisfied = allowed(*inbound) && allowed(*outbound);
    p.value = {{"tenantId", tenant_id}, {"b2bDirectConnectInbound", std::move(*inbound)}, {"b2bDirectConnectOutbound", std::move(*outbound)}};
    p.write_method = "PATCH";
    p.write_url = partners + "/" + tenant_id;
    p.write_body = {{"b2bDirectConnectInbound", allowed_b2b_setting()}, {"b2bDirectConnectOutbound", allowed_b2b_setting()}};
    co_return p;
}

task<probe> probe_setting(session& s, std::string base, std::string operation, json parameters)
{
    if (operation == op_invitations) {
        auto p = co_await probe_invitations(s, std::move(base));
        co_return p;
    }
    if (operation == op_group_guests) {
        auto p = co_await probe_group_guests(s, std::move(base));
        co_return p;
    }
    if (operation == op_sharepoint) {
        auto p = co_await probe_sharepoint(s, std::move(base));
        co_return p;
    }
    if (operation == op_direct_connect) {
        auto p = co_await probe_direct_connect(s, std::move(base), std::move(parameters));
        co_return p;
    }
    co_return failed_probe({"graph.unsupported_operation", truncate_utf8("the graph executor does not implement " + operation)});
}

std::string trimmed_base(std::string base)
{
    while (!base.empty() && base.back() == '/')
        base.pop_back();
    return base;
}

double ms_since(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

std::string_view directory_error_id(directory_errc e) noexcept
{
    switch (e) {
    case directory_errc::unavailable: return "directory.unavailable";
    case directory_errc::denied: return "directory.denied";
    case directory_errc::not_found: return "directory.not_found";
    case directory_errc::malformed: return "directory.malformed";
    }
    return "directory.unknown";
}

boost::system::error_code membership_failure(std::chrono::steady_clock::time_point t0, std::size_t requests, directory_errc e,
                                             std::string_view why)
{
    log::warn("graph.memberships.failed",
              {{"error_id", directory_error_id(e)}, {"why", std::string(why)}, {"requests", requests}, {"ms", ms_since(t0)}});
    return make_error_code(e);
}

void log_apply(const setting_change& change, const change_result& r, std::chrono::steady_clock::time_point t0)
{
    log::fields f{{"action_id", change.id},
                  {"operation", change.operation},
                  {"correlation_id", change.correlation_id},
                  {"outcome", bot::ports::outcome_name(r.outcome)},
                  {"requests", r.steps.size()},
                  {"ms", ms_since(t0)}};
    if (r.outcome == change_outcome::failed) {
        f["error_id"] = r.error_id;
        f["detail"] = r.detail;
        log::warn("graph.apply.failed", f);
    } else {
        if (!r.reference.empty())
            f["request_id"] = r.reference;
        log::info("graph.apply", f);
    }
}

} // namespace

bool is_guid(std::string_view s) noexcept
{
    if (s.size() != 36)
        return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i])))
            return false;
    }
    return true;
}

bool is_domain_name(std::string_view s) noexcept
{
    if (s.empty() || s.size() > 253)
        return false;
    std::size_t start = 0;
    while (start <= s.size()) {
        const auto dot = s.find('.', start);
        const auto label = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
            return false;
        for (const unsigned char c : label)
            if (!std::isalnum(c) && c != '-')
                return false;
        if (dot == std::string_view::npos)
            break;
        start = dot + 1;
    }
    return true;
}

graph_executor::graph_executor(http::client& client, connector::token_provider& tokens, graph_options opt)
    : http_(client), tokens_(tokens), opt_(std::move(opt))
{
    opt_.base_url = trimmed_base(std::move(opt_.base_url));
}

std::string_view graph_executor::name() const
{
    return "graph";
}

bool graph_executor::handles(std::string_view operation) const
{
    for (const auto op : operations)
        if (op == operation)
            return true;
    return false;
}

task<current_value> graph_executor::read(const setting_change& change)
{
    session s(http_, tokens_, opt_, change.id);
    auto p = co_await probe_setting(s, opt_.base_url, change.operation, change.parameters);
    current_value v;
    if (p.error) {
        v.error_id = std::move(p.error->error_id);
        v.detail = std::move(p.error->detail);
        log::warn("graph.read.failed", {{"action_id", change.id}, {"operation", change.operation}, {"error_id", v.error_id}});
        co_return v;
    }
    v.known = true;
    v.value = std::move(p.value);
    v.satisfied = p.satisfied;
    co_return v;
}

task<change_result> graph_executor::apply(const setting_change& change)
{
    const auto t0 = std::chrono::steady_clock::now();
    session s(http_, tokens_, opt_, change.id);
    change_result r;
    auto p = co_await probe_setting(s, opt_.base_url, change.operation, change.parameters);
    if (p.error) {
        r.error_id = std::move(p.error->error_id);
        r.detail = std::move(p.error->detail);
    } else if (p.satisfied) {
        r.outcome = change_outcome::already_set;
        r.before = p.value;
        r.after = std::move(p.value);
    } else {
        r.before = std::move(p.value);
        auto w = co_await s.send(p.write_method, p.write_url, p.write_body.dump());
        if (!w.ok()) {
            auto f = w.why();
            r.error_id = std::move(f.error_id);
            r.detail = std::move(f.detail);
        } else {
            r.outcome = change_outcome::applied;
            r.reference = std::move(w.request_id);
            json parameters = p.reread_parameters.is_null() ? change.parameters : p.reread_parameters;
            auto again = co_await probe_setting(s, opt_.base_url, change.operation, std::move(parameters));
            // Written but not readable right now: report what was written.
            r.after = again.error ? std::move(p.wanted) : std::move(again.value);
        }
    }
    r.steps = std::move(s.steps);
    log_apply(change, r, t0);
    co_return r;
}

task<boost::system::result<directory_memberships>> graph_executor::memberships(std::string user_object_id)
{
    if (!is_guid(user_object_id))
        co_return make_error_code(directory_errc::not_found);
    const auto t0 = std::chrono::steady_clock::now();
    const auto base = http::parse_url(opt_.base_url);
    session s(http_, tokens_, opt_, {});
    directory_memberships m;
    std::string url = opt_.base_url + "/users/" + user_object_id + "/transitiveMemberOf?$select=id,roleTemplateId";
    for (int page = 0;; ++page) {
        if (page == max_member_pages) {
            // Bounded on purpose: a user in thousands of groups still gets an answer (possibly
            // missing groups, which can only deny, never grant).
            log::warn("graph.memberships.truncated", {{"pages", page}});
            break;
        }
        // transitiveMemberOf is an advanced query: it needs ConsistencyLevel: eventual.
        http::header_list consistency{{"ConsistencyLevel", "eventual"}};
        const auto x = co_await s.send("GET", url, {}, std::move(consistency));
        if (x.error)
            co_return membership_failure(t0, s.steps.size(), x.error->error_id == "graph.malformed" ? directory_errc::malformed : directory_errc::unavailable,
                           x.error->error_id);
        if (x.status == 401 || x.status == 403)
            co_return membership_failure(t0, s.steps.size(), directory_errc::denied, detail_of(x.status, x.body));
        if (x.status == 404)
            co_return membership_failure(t0, s.steps.size(), directory_errc::not_found, detail_of(x.status, x.body));
        if (!x.ok())
            co_return membership_failure(t0, s.steps.size(), directory_errc::unavailable, detail_of(x.status, x.body));
        const auto j = json::parse(x.body, nullptr, false);
        const auto list = j.is_object() ? j.find("value") : j.end();
        if (!j.is_object() || list == j.end() || !list->is_array())
            co_return membership_failure(t0, s.steps.size(), directory_errc::malformed, std::string_view("no value array"));
        for (const auto& entry : *list) {
            const auto type = string_or_empty(entry, "@odata.type");
            if (type == "#microsoft.graph.group") {
                auto id = string_or_empty(entry, "id");
                if (id.empty())
                    co_return membership_failure(t0, s.steps.size(), directory_errc::malformed, std::string_view("group without id"));
                m.group_ids.push_back(std::move(id));
            } else if (type == "#microsoft.graph.directoryRole") {
                auto role = string_or_empty(entry, "roleTemplateId");
                if (role.empty())
                    co_return membership_failure(t0, s.steps.size(), directory_errc::malformed, std::string_view("directoryRole without roleTemplateId"));
                m.role_template_ids.push_back(std::move(role));
            } // administrative units and other directory objects are not memberships we use
        }
        const auto next = j.find("@odata.nextLink");
        if (next == j.end() || next->is_null())
            break;
        // Only follow links back to the same Graph origin: the request carries our token.
        const auto parsed = next->is_string() ? http::parse_url(next->get_ref<const std::string&>())
                                              : boost::system::result<http::url>(make_error_code(http::errc::bad_url));
        if (!parsed || !base || parsed->origin() != base->origin())
            co_return membership_failure(t0, s.steps.size(), directory_errc::malformed, std::string_view("@odata.nextLink is not a Graph URL"));
        url = next->get<std::string>();
    }
    log::info("graph.memberships", {{"groups", m.group_ids.size()},
                                    {"roles", m.role_template_ids.size()},
                                    {"pages", s.steps.size()},
                                    {"ms", ms_since(t0)}});
    co_return m;
}

} // namespace ab::adapters::graph
