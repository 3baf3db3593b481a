#include "adapters/runbook/runbook_executor.hpp"

#include "adapters/runbook/signature.hpp"
#include "bot/log.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <optional>
#include <stdexcept>

namespace ab::adapters::runbook {

namespace {

using bot::ports::change_outcome;
using bot::ports::change_result;

enum class parameter { none, domain, policy };

// The allow-list with the cmdlet lines the runbook runs, {domain} / {policy} filled in later.
// Keep in step with the `# BEGIN OPERATIONS` table of deploy/runbooks/Set-AccessBotSetting.ps1
// (a unit test compares the names both ways).
struct operation_spec {
    std::string_view name;
    parameter param;
    std::array<std::string_view, 2> reads;
    std::array<std::string_view, 2> writes;
};

const std::array<operation_spec, 8>& specs()
{
    static const std::array<operation_spec, 8> table{{
        {"teams.federation.enable",
         parameter::none,
         {"Get-CsTenantFederationConfiguration | Select-Object AllowFederatedUsers"},
         {"Set-CsTenantFederationConfiguration -AllowFederatedUsers $true"}},
        {"teams.allowed_domains.add",
         parameter::domain,
         {"Get-CsTenantFederationConfiguration | Select-Object AllowedDomains, BlockedDomains"},
         {"Set-CsTenantFederationConfiguration -AllowedDomainsAsAList @{Add=\"{domain}\"}"}},
        {"teams.blocked_domains.add",
         parameter::domain,
         {"Get-CsTenantFederationConfiguration | Select-Object AllowedDomains, BlockedDomains"},
         {"Set-CsTenantFederationConfiguration -BlockedDomains @{Add=(New-CsEdgeDomainPattern -Domain \"{domain}\")}"}},
        {"teams.consumer_chat.enable",
         parameter::none,
         {"Get-CsTenantFederationConfiguration | Select-Object AllowTeamsConsumer, AllowTeamsConsumerInbound"},
         {"Set-CsTenantFederationConfiguration -AllowTeamsConsumer $true -AllowTeamsConsumerInbound $true"}},
        {"teams.external_access_policy.enable_federation",
         parameter::policy,
         {"Get-CsExternalAccessPolicy -Identity \"{policy}\" | Select-Object EnableFederationAccess"},
         {"Set-CsExternalAccessPolicy -Identity \"{policy}\" -EnableFederationAccess $true"}},
        {"teams.guest_access.enable",
         parameter::none,
         {"Get-CsTeamsClientConfiguration -Identity Global | Select-Object AllowGuestUser"},
         {"Set-CsTeamsClientConfiguration -Identity Global -AllowGuestUser $true"}},
        {"teams.shared_channels.enable",
         parameter::none,
         {"Get-CsTeamsChannelsPolicy -Identity Global | Select-Object AllowSharedChannelCreation, "
          "AllowChannelSharingToExternalUser, AllowUserToParticipateInExternalSharedChannel"},
         {"Set-CsTeamsChannelsPolicy -Identity Global -AllowSharedChannelCreation $true "
          "-AllowChannelSharingToExternalUser $true -AllowUserToParticipateInExternalSharedChannel $true"}},
        {"teams.anonymous_join.enable",
         parameter::none,
         {"Get-CsTeamsMeetingConfiguration -Identity Global | Select-Object DisableAnonymousJoin",
          "Get-CsTeamsMeetingPolicy -Identity Global | Select-Object AllowAnonymousUsersToJoinMeeting"},
         {"Set-CsTeamsMeetingConfiguration -Identity Global -DisableAnonymousJoin $false",
          "Set-CsTeamsMeetingPolicy -Identity Global -AllowAnonymousUsersToJoinMeeting $true"}},
    }};
    return table;
}

const operation_spec* find_spec(std::string_view op)
{
    for (const auto& s : specs())
        if (s.name == op)
            return &s;
    return nullptr;
}

bool is_alnum_lower(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alpha_lower(char c) { return c >= 'a' && c <= 'z'; }

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

/// The runbook's domain rule, case-insensitive:
/// ^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$
bool valid_domain(std::string_view d)
{
    if (d.empty() || d.size() > 253)
        return false;
    std::size_t labels = 0;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = d.find('.', start);
        const std::string_view label = d.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        ++labels;
        if (dot == std::string_view::npos) { // the last label: letters only, 2-63
            if (labels < 2 || label.size() < 2 || label.size() > 63)
                return false;
            for (char c : label)
                if (!is_alpha_lower(lower(c)))
                    return false;
            return true;
        }
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
            return false;
        for (char c : label)
            if (!is_alnum_lower(lower(c)) && c != '-')
                return false;
        start = dot + 1;
    }
}

/// ^[A-Za-z0-9 _.-]{1,64}$
bool valid_policy(std::string_view p)
{
    if (p.empty() || p.size() > 64)
        return false;
    for (char c : p)
        if (!is_alnum_lower(lower(c)) && c != ' ' && c != '_' && c != '.' && c != '-')
            return false;
    return true;
}

/// The one parameter value of `spec` from `params` (a domain lower-cased, "Global" for an absent policy), or nullopt
/// when it is missing, invalid, or `params` has keys the operation does not take.
std::optional<std::string> parameter_value(const operation_spec& spec, const nlohmann::json& params)
{
    if (!params.is_null() && !params.is_object())
        return std::nullopt;
    const std::string_view key = spec.param == parameter::domain ? "domain" : spec.param == parameter::policy ? "policy" : "";
    if (params.is_object())
        for (const auto& [k, v] : params.items())
            if (k != key)
                return std::nullopt;
    if (spec.param == parameter::none)
        return std::string();
    const auto it = params.is_object() ? params.find(key) : params.end();
    if (it == params.end() || it->is_null()) {
        if (spec.param == parameter::policy)
            return std::string("Global");
        return std::nullopt;
    }
    if (!it->is_string())
        return std::nullopt;
    const auto& v = it->get_ref<const std::string&>();
    if (spec.param == parameter::domain && valid_domain(v)) {
        std::string d = v; // the runbook lower-cases it too
        for (char& c : d)
            c = lower(c);
        return d;
    }
    if (spec.param == parameter::policy && valid_policy(v))
        return v;
    return std::nullopt;
}

std::string fill(std::string_view line, const operation_spec& spec, const std::string& value)
{
    std::string out(line);
    const std::string token = spec.param == parameter::domain ? "{domain}" : "{policy}";
    if (spec.param == parameter::none)
        return out;
    for (std::size_t at = out.find(token); at != std::string::npos; at = out.find(token, at + value.size()))
        out.replace(at, token.size(), value);
    return out;
}

std::vector<std::string> steps_of(const operation_spec& spec, const std::string& value)
{
    std::vector<std::string> out;
    for (const auto& group : {spec.reads, spec.writes})
        for (std::string_view line : group)
            if (!line.empty())
                out.push_back(fill(line, spec, value));
    return out;
}

std::int64_t system_unix_now()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

change_result failure(std::string error_id, std::string detail)
{
    change_result r;
    r.outcome = change_outcome::failed;
    r.error_id = std::move(error_id);
    r.detail = std::move(detail);
    return r;
}

} // namespace

const std::vector<std::string_view>& runbook_operations()
{
    static const std::vector<std::string_view> names = [] {
        std::vector<std::string_view> v;
        for (const auto& s : specs())
            v.push_back(s.name);
        return v;
    }();
    return names;
}

bool is_runbook_operation(std::string_view op) { return find_spec(op) != nullptr; }

std::string request_body(const bot::ports::setting_change& c, std::string_view callback_url, std::int64_t issued_at)
{
    nlohmann::json j = {
        {"version", 1},
        {"id", c.id},
        {"operation", c.operation},
        {"parameters", c.parameters.is_null() ? nlohmann::json::object() : c.parameters},
        {"tenantId", c.tenant_id},
        {"requestedBy", {{"id", c.requested_by}, {"name", c.requested_by_name}}},
        {"correlationId", c.correlation_id},
        {"issuedAt", issued_at},
        {"callbackUrl", std::string(callback_url)},
    };
    // ensure_ascii: the runbook sees the body as a .NET string and hashes its UTF-8 encoding; with
    // ASCII only, no decoding on the way can change the signed bytes. Invalid UTF-8 in a name is
    // replaced (U+FFFD) instead of throwing.
    return j.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

std::vector<std::string> runbook_steps(const bot::ports::setting_change& c)
{
    const operation_spec* spec = find_spec(c.operation);
    if (!spec)
        return {};
    const auto value = parameter_value(*spec, c.parameters);
    if (!value)
        return {};
    return steps_of(*spec, *value);
}

runbook_executor::runbook_executor(http::client& client, runbook_options opt, std::function<std::int64_t()> unix_now)
    : http_(client), opt_(std::move(opt)), unix_now_(unix_now ? std::move(unix_now) : std::function<std::int64_t()>(system_unix_now))
{
    if (opt_.webhook_url.empty() || opt_.secret.empty() || opt_.callback_url.empty())
        throw std::invalid_argument("[runbook.misconfigured] the runbook executor needs a webhook URL, a secret and a callback URL");
}

task<bot::ports::current_value> runbook_executor::read(const bot::ports::setting_change&)
{
    co_return bot::ports::current_value{}; // known = false: the runbook reads right before it writes
}

task<change_result> runbook_executor::apply(const bot::ports::setting_change& change)
{
    log::fields f{{"id", change.id}, {"operation", change.operation}, {"correlation_id", change.correlation_id}};

    const operation_spec* spec = find_spec(change.operation);
    if (!spec) {
        f["error"] = "runbook.unsupported_operation";
        log::warn("runbook.request.refused", f);
        co_return failure("runbook.unsupported_operation", "the runbook does not implement '" + change.operation + "'");
    }
    const auto value = parameter_value(*spec, change.parameters);
    if (!value) {
        f["error"] = "runbook.invalid_parameter";
        log::warn("runbook.request.refused", f);
        co_return failure("runbook.invalid_parameter", "missing, invalid or unexpected parameter for '" + change.operation + "'");
    }
    std::vector<std::string> steps = steps_of(*spec, *value);

    const std::int64_t now = unix_now_();
    http::request req;
    req.method = "POST";
    req.url = opt_.webhook_url;
    req.timeout = opt_.timeout;
    req.body = request_body(change, opt_.callback_url, now);
    req.headers = {{"Content-Type", "application/json"},
                   {std::string(timestamp_header_name), std::to_string(now)},
                   {std::string(signature_header_name), signature_header(opt_.secret, now, req.body)}};

    const auto started = std::chrono::steady_clock::now();
    auto res = co_await http_.send(std::move(req));
    f["ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();

    change_result r;
    if (!res) {
        const auto& ec = res.error();
        const bool timed_out = ec == http::errc::timeout;
        const std::string cause = ec.category() == http::http_category() ? std::string(http::error_id(static_cast<http::errc>(ec.value())))
                                                                          : ec.message();
        r = failure(timed_out ? "runbook.timeout" : "runbook.unavailable",
                    timed_out ? "the Automation webhook did not answer in time (" + cause + ")"
                              : "the Automation webhook could not be reached (" + cause + ")");
    } else {
        const unsigned s = res->status;
        f["status"] = s;
        if (s >= 200 && s < 300) {
            r.outcome = change_outcome::pending;
            // 202 {"JobIds":["<guid>"]}: the job the webhook queued.
            const auto j = nlohmann::json::parse(res->body, nullptr, false);
            if (j.is_object())
                if (const auto ids = j.find("JobIds"); ids != j.end() && ids->is_array() && !ids->empty() && ids->front().is_string())
                    r.reference = ids->front().get<std::string>();
        } else if (s == 401 || s == 403) {
            r = failure("runbook.unauthorized", "the Automation webhook refused the request (HTTP " + std::to_string(s) + ")");
        } else if (s == 404) {
            r = failure("runbook.not_found", "the Automation webhook does not exist (HTTP 404: deleted, or its runbook or account is gone)");
        } else if (s == 429 || s >= 500) {
            r = failure("runbook.unavailable", "Azure Automation is unavailable (HTTP " + std::to_string(s) + ")");
        } else if (s >= 400) {
            r = failure("runbook.rejected", "the Automation webhook rejected the request (HTTP " + std::to_string(s) +
                                                (s == 400 ? ": expired, disabled or a bad token)" : ")"));
        } else {
            r = failure("runbook.unavailable", "unexpected answer from the Automation webhook (HTTP " + std::to_string(s) + ")");
        }
    }
    r.steps = std::move(steps);
    f["outcome"] = std::string(bot::ports::outcome_name(r.outcome));
    if (r.outcome == change_outcome::failed) {
        f["error"] = r.error_id;
        log::warn("runbook.request.failed", f);
    } else {
        f["job_id"] = r.reference;
        log::info("runbook.request", f);
    }
    co_return r;
}

} // namespace ab::adapters::runbook
