#include "bot/config/config.hpp"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ab::bot::config {

namespace {

using json = nlohmann::json;

// Environment name → setter. The same names are accepted as keys of the config file.
struct binding {
    const char* name;
    std::function<void(settings&, const std::string&)> set;
};

std::uint16_t parse_port(const std::string& v)
{
    try {
        std::size_t used = 0;
        const long p = std::stol(v, &used);
        if (used == v.size() && p >= 0 && p <= 65535)
            return static_cast<std::uint16_t>(p);
    } catch (const std::exception&) {
    }
    throw config_error("[config.bad_port] BOT_PORT must be a number from 0 to 65535, got '" + v + "'");
}

bool parse_bool(const std::string& name, const std::string& v)
{
    if (v == "1" || v == "true" || v == "yes" || v == "on")
        return true;
    if (v == "0" || v == "false" || v == "no" || v == "off" || v.empty())
        return false;
    throw config_error("[config.bad_bool] " + name + " must be true or false, got '" + v + "'");
}

std::vector<std::string> parse_list(const std::string& v)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= v.size()) {
        std::size_t end = v.find(',', start);
        if (end == std::string::npos)
            end = v.size();
        std::string item = v.substr(start, end - start);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
            item.erase(item.begin());
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t'))
            item.pop_back();
        if (!item.empty())
            out.push_back(item);
        start = end + 1;
    }
    return out;
}

/// Entra object ids are GUIDs; anything else in an admin list is a typo that would silently
/// grant nothing (or the wrong thing).
std::vector<std::string> parse_guid_list(const std::string& name, const std::string& v)
{
    auto list = parse_list(v);
    for (const auto& id : list) {
        bool ok = id.size() == 36;
        for (std::size_t i = 0; ok && i < id.size(); ++i)
            ok = (i == 8 || i == 13 || i == 18 || i == 23) ? id[i] == '-' : std::isxdigit(static_cast<unsigned char>(id[i])) != 0;
        if (!ok)
            throw config_error("[config.bad_id] " + name + " must be a comma-separated list of Entra object ids (GUIDs), got '" + id + "'");
    }
    return list;
}

const std::vector<binding>& bindings()
{
    static const std::vector<binding> b = {
        {"MicrosoftAppId", [](settings& s, const std::string& v) { s.app_id = v; }},
        {"MicrosoftAppPassword", [](settings& s, const std::string& v) { s.app_password = v; }},
        {"MicrosoftAppTenantId", [](settings& s, const std::string& v) { s.app_tenant_id = v; }},
        {"MicrosoftAppType", [](settings& s, const std::string& v) { s.app_type = v; }},
        {"OPENID_METADATA_URL", [](settings& s, const std::string& v) { s.openid_metadata_url = v; }},
        {"TOKEN_ENDPOINT", [](settings& s, const std::string& v) { s.token_endpoint = v; }},
        {"TOKEN_ISSUER", [](settings& s, const std::string& v) { s.token_issuer = v; }},
        {"OAUTH_SCOPE", [](settings& s, const std::string& v) { s.oauth_scope = v; }},
        {"SSL_CERT_FILE", [](settings& s, const std::string& v) { s.ca_file = v; }},
        {"BENCH_CA_FILE", [](settings& s, const std::string& v) { s.ca_file = v; }}, // after SSL_CERT_FILE: wins
        {"BOT_ADDRESS", [](settings& s, const std::string& v) { s.address = v; }},
        {"BOT_PORT", [](settings& s, const std::string& v) { s.port = parse_port(v); }},
        {"AB_LOCAL_MODE", [](settings& s, const std::string& v) { s.local_mode = parse_bool("AB_LOCAL_MODE", v); }},
        {"AB_DATA_DIR", [](settings& s, const std::string& v) { s.data_dir = v; }},
        {"AB_STORE",
         [](settings& s, const std::string& v) {
             if (v != "sqlite" && v != "memory")
                 throw config_error("[config.bad_store] AB_STORE must be sqlite or memory, got '" + v + "'");
             s.store = v;
         }},
        {"AB_CARD_SIGNING_KEY",
         [](settings& s, const std::string& v) {
             if (v.size() < 16)
                 throw config_error("[config.weak_card_key] AB_CARD_SIGNING_KEY must be at least 16 bytes");
             s.card_signing_key = v;
         }},
        {"AB_ADMIN_IDS", [](settings& s, const std::string& v) { s.admin_ids = parse_guid_list("AB_ADMIN_IDS", v); }},
        {"AB_ADMIN_GROUPS", [](settings& s, const std::string& v) { s.admin_groups = parse_guid_list("AB_ADMIN_GROUPS", v); }},
        {"AB_ADMIN_TENANT", [](settings& s, const std::string& v) { s.admin_tenant_id = v; }},
        {"AB_ADMIN_ROLES", [](settings& s, const std::string& v) { s.admin_roles = parse_bool("AB_ADMIN_ROLES", v); }},
        {"AB_GRAPH_TENANT_ID", [](settings& s, const std::string& v) { s.graph_tenant_id = v; }},
        {"AB_GRAPH_CLIENT_ID", [](settings& s, const std::string& v) { s.graph_client_id = v; }},
        {"AB_GRAPH_CLIENT_SECRET", [](settings& s, const std::string& v) { s.graph_client_secret = v; }},
        {"AB_GRAPH_URL", [](settings& s, const std::string& v) { s.graph_url = v; }},
        {"AB_GRAPH_TOKEN_ENDPOINT", [](settings& s, const std::string& v) { s.graph_token_endpoint = v; }},
        {"AB_RUNBOOK_URL", [](settings& s, const std::string& v) { s.runbook_url = v; }},
        {"AB_RUNBOOK_SECRET",
         [](settings& s, const std::string& v) {
             if (v.size() < 16)
                 throw config_error("[config.weak_runbook_secret] AB_RUNBOOK_SECRET must be at least 16 bytes");
             s.runbook_secret = v;
         }},
        {"AB_PUBLIC_URL", [](settings& s, const std::string& v) { s.public_url = v; }},
        {"AB_HELPDESK_WEBHOOK_URL", [](settings& s, const std::string& v) { s.helpdesk_webhook_url = v; }},
        {"AB_HELPDESK_WEBHOOK_SECRET",
         [](settings& s, const std::string& v) {
             if (v.size() < 16)
                 throw config_error("[config.weak_webhook_secret] AB_HELPDESK_WEBHOOK_SECRET must be at least 16 bytes");
             s.helpdesk_webhook_secret = v;
         }},
        {"AB_SERVICENOW_URL", [](settings& s, const std::string& v) { s.servicenow_url = v; }},
        {"AB_SERVICENOW_USER", [](settings& s, const std::string& v) { s.servicenow_user = v; }},
        {"AB_SERVICENOW_PASSWORD", [](settings& s, const std::string& v) { s.servicenow_password = v; }},
        {"AB_SERVICENOW_TOKEN", [](settings& s, const std::string& v) { s.servicenow_token = v; }},
        {"AB_SERVICENOW_ASSIGNMENT_GROUP", [](settings& s, const std::string& v) { s.servicenow_assignment_group = v; }},
        {"AB_HELPDESK_CHANNEL", [](settings& s, const std::string& v) { s.helpdesk_channel = v; }},
        {"AB_HELPDESK_SERVICE_URL", [](settings& s, const std::string& v) { s.helpdesk_service_url = v; }},
        {"AB_HELPDESK_TENANT", [](settings& s, const std::string& v) { s.helpdesk_tenant_id = v; }},
        {"AB_HELPDESK_MEMBERS", [](settings& s, const std::string& v) { s.helpdesk_members = parse_guid_list("AB_HELPDESK_MEMBERS", v); }},
        {"AB_HELPDESK_LANGUAGE", [](settings& s, const std::string& v) { s.helpdesk_language = v; }},
        {"AB_CONNECTOR_SENDS_PER_SECOND",
         [](settings& s, const std::string& v) {
             try {
                 std::size_t used = 0;
                 const double d = std::stod(v, &used);
                 if (used == v.size() && d >= 0 && d <= 1000) {
                     s.sends_per_second = d;
                     return;
                 }
             } catch (const std::exception&) {
             }
             throw config_error("[config.bad_rate] AB_CONNECTOR_SENDS_PER_SECOND must be a number from 0 to 1000, got '" + v + "'");
         }},
    };
    return b;
}

} // namespace

env_lookup process_environment()
{
    return [](const std::string& name) -> std::optional<std::string> {
        if (const char* v = std::getenv(name.c_str()))
            return std::string(v);
        return std::nullopt;
    };
}

settings load(const env_lookup& env, const std::optional<std::filesystem::path>& file)
{
    settings s;
    if (file) {
        std::ifstream in(*file, std::ios::binary);
        if (!in)
            throw config_error("[config.missing_file] cannot read " + file->string());
        std::ostringstream ss;
        ss << in.rdbuf();
        const json j = json::parse(ss.str(), nullptr, false);
        if (j.is_discarded() || !j.is_object())
            throw config_error("[config.bad_file] " + file->string() + " is not a JSON object");
        for (auto it = j.begin(); it != j.end(); ++it) {
            bool known = false;
            for (const auto& b : bindings())
                if (it.key() == b.name) {
                    known = true;
                    if (it->is_string())
                        b.set(s, it->get<std::string>());
                    else if (it->is_number_integer() || it->is_boolean())
                        b.set(s, it->dump());
                    else
                        throw config_error("[config.bad_value] " + it.key() + " in " + file->string() + " must be a string");
                }
            if (!known)
                throw config_error("[config.unknown_key] " + it.key() + " in " + file->string() + " is not a setting");
        }
    }
    for (const auto& b : bindings())
        if (auto v = env(b.name))
            b.set(s, *v);
    return s;
}

bool is_loopback(const std::string& a)
{
    return a == "localhost" || a == "::1" || a == "[::1]" || a.rfind("127.", 0) == 0;
}

void validate(const settings& s)
{
    if (s.local_mode && !is_loopback(s.address))
        throw config_error("[config.local_mode_not_loopback] local mode (no channel authentication) may only listen on a "
                           "loopback address, not '" + s.address + "'");
    if (!s.local_mode && s.app_id.empty())
        throw config_error("[config.no_app_id] MicrosoftAppId is required to authenticate the channel; use --local for the "
                           "Microsoft 365 Agents Playground");
    for (const auto* url : {&s.openid_metadata_url, &s.token_endpoint})
        if (url->rfind("https://", 0) != 0 && url->rfind("http://", 0) != 0)
            throw config_error("[config.bad_url] '" + *url + "' is not an http(s) URL");
    if (!s.graph_tenant_id.empty()) {
        if (s.graph_url.rfind("https://", 0) != 0 && s.graph_url.rfind("http://", 0) != 0)
            throw config_error("[config.bad_url] AB_GRAPH_URL '" + s.graph_url + "' is not an http(s) URL");
        if ((s.graph_client_id.empty() ? s.app_id : s.graph_client_id).empty() ||
            (s.graph_client_secret.empty() ? s.app_password : s.graph_client_secret).empty())
            throw config_error("[config.graph_credentials] AB_GRAPH_TENANT_ID is set but there is no client id and secret "
                               "(AB_GRAPH_CLIENT_ID/AB_GRAPH_CLIENT_SECRET or MicrosoftAppId/MicrosoftAppPassword)");
    }
    if (!s.admin_groups.empty() && s.graph_tenant_id.empty())
        throw config_error("[config.groups_need_graph] AB_ADMIN_GROUPS needs Microsoft Graph (AB_GRAPH_TENANT_ID) to read group memberships");
    if (!s.helpdesk_webhook_url.empty()) {
        if (s.helpdesk_webhook_url.rfind("https://", 0) != 0 && s.helpdesk_webhook_url.rfind("http://", 0) != 0)
            throw config_error("[config.bad_url] AB_HELPDESK_WEBHOOK_URL is not an http(s) URL");
        if (s.helpdesk_webhook_secret.empty())
            throw config_error("[config.webhook_secret] AB_HELPDESK_WEBHOOK_URL is set but AB_HELPDESK_WEBHOOK_SECRET is not");
    }
    if (!s.servicenow_url.empty()) {
        if (s.servicenow_url.rfind("https://", 0) != 0 && s.servicenow_url.rfind("http://", 0) != 0)
            throw config_error("[config.bad_url] AB_SERVICENOW_URL is not an http(s) URL");
        if (s.servicenow_token.empty() && (s.servicenow_user.empty() || s.servicenow_password.empty()))
            throw config_error("[config.servicenow_credentials] AB_SERVICENOW_URL needs AB_SERVICENOW_TOKEN or AB_SERVICENOW_USER and AB_SERVICENOW_PASSWORD");
    }
    if (!s.helpdesk_channel.empty()) {
        if (s.helpdesk_service_url.rfind("https://", 0) != 0 && s.helpdesk_service_url.rfind("http://", 0) != 0)
            throw config_error("[config.helpdesk_service_url] AB_HELPDESK_CHANNEL needs AB_HELPDESK_SERVICE_URL (the team's Connector URL)");
        if (s.helpdesk_members.empty() && s.admin_ids.empty())
            throw config_error("[config.helpdesk_members] AB_HELPDESK_CHANNEL needs AB_HELPDESK_MEMBERS (or AB_ADMIN_IDS): nobody could act on its cards");
    }
    if (!s.runbook_url.empty()) {
        if (s.runbook_url.rfind("https://", 0) != 0 && s.runbook_url.rfind("http://", 0) != 0)
            throw config_error("[config.bad_url] AB_RUNBOOK_URL is not an http(s) URL");
        if (s.runbook_secret.empty())
            throw config_error("[config.runbook_secret] AB_RUNBOOK_URL is set but AB_RUNBOOK_SECRET is not");
        if (s.public_url.rfind("https://", 0) != 0 && s.public_url.rfind("http://", 0) != 0)
            throw config_error("[config.public_url] AB_RUNBOOK_URL needs AB_PUBLIC_URL (the bot's http(s) base URL) for the runbook's callback");
    }
}

nlohmann::json settings::redacted() const
{
    return {{"MicrosoftAppId", app_id},
            {"MicrosoftAppPassword", app_password.empty() ? "" : "***"},
            {"MicrosoftAppTenantId", app_tenant_id},
            {"MicrosoftAppType", app_type},
            {"OPENID_METADATA_URL", openid_metadata_url},
            {"TOKEN_ENDPOINT", token_endpoint},
            {"TOKEN_ISSUER", token_issuer},
            {"OAUTH_SCOPE", oauth_scope},
            {"ca_file", ca_file},
            {"address", address},
            {"port", port},
            {"local_mode", local_mode},
            {"data_dir", data_dir.string()},
            {"sends_per_second", sends_per_second},
            {"store", store},
            {"AB_CARD_SIGNING_KEY", card_signing_key.empty() ? "" : "***"},
            {"AB_ADMIN_IDS", admin_ids.size()},
            {"AB_ADMIN_GROUPS", admin_groups.size()},
            {"AB_ADMIN_TENANT", admin_tenant_id},
            {"AB_ADMIN_ROLES", admin_roles},
            {"AB_GRAPH_TENANT_ID", graph_tenant_id},
            {"AB_GRAPH_URL", graph_url},
            {"AB_GRAPH_CLIENT_SECRET", graph_client_secret.empty() ? "" : "***"},
            {"AB_RUNBOOK_URL", runbook_url.empty() ? "" : "***"},
            {"AB_RUNBOOK_SECRET", runbook_secret.empty() ? "" : "***"},
            {"AB_PUBLIC_URL", public_url},
            {"AB_HELPDESK_WEBHOOK_URL", helpdesk_webhook_url.empty() ? "" : "***"},
            {"AB_HELPDESK_WEBHOOK_SECRET", helpdesk_webhook_secret.empty() ? "" : "***"},
            {"AB_SERVICENOW_URL", servicenow_url},
            {"AB_SERVICENOW_USER", servicenow_user},
            {"AB_SERVICENOW_PASSWORD", servicenow_password.empty() ? "" : "***"},
            {"AB_SERVICENOW_TOKEN", servicenow_token.empty() ? "" : "***"},
            {"AB_HELPDESK_CHANNEL", helpdesk_channel},
            {"AB_HELPDESK_MEMBERS", helpdesk_members.size()}};
}

} // namespace ab::bot::config
