#pragma once
// Configuration of `access-bot serve`: built-in defaults pointing at Microsoft's real endpoints,
// overridden by a JSON config file, overridden by the environment (Bot Framework names and the
// benchmark contract of ../shared/bench/README.md), overridden by the command line.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ab::bot::config {

struct settings {
    // Bot Framework app registration
    std::string app_id;          ///< MicrosoftAppId: the audience of channel tokens, client_id
    std::string app_password;    ///< MicrosoftAppPassword (secret: never logged)
    std::string app_tenant_id = "botframework.com"; ///< MicrosoftAppTenantId
    std::string app_type = "MultiTenant";           ///< MicrosoftAppType

    // Endpoints (production defaults)
    std::string openid_metadata_url = "https://login.botframework.com/v1/.well-known/openidconfiguration";
    std::string token_endpoint = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token";
    std::string token_issuer = "https://api.botframework.com";
    std::string oauth_scope = "https://api.botframework.com/.default";
    std::string ca_file; ///< BENCH_CA_FILE / SSL_CERT_FILE; empty = system trust store

    // Listener
    std::string address = "127.0.0.1";
    std::uint16_t port = 3978; ///< BOT_PORT
    bool local_mode = false;   ///< no channel authentication (Agents Playground); loopback only

    std::filesystem::path data_dir = "data";
    /// Messages per second the bot sends into one conversation (Teams allows about 7); 0 = no
    /// pacing (AB_CONNECTOR_SENDS_PER_SECOND; e.g. against an emulator that does not throttle).
    double sends_per_second = 7.0;
    std::size_t body_limit = 256 * 1024;

    // State (dialogs)
    std::string store = "sqlite";  ///< AB_STORE: "sqlite" (DATA/state.sqlite) or "memory" (lost on exit)
    /// AB_CARD_SIGNING_KEY (secret, >= 16 bytes): signs card button data. Empty = a random key
    /// kept in DATA/card-signing.key; instances behind one load balancer must share one.
    std::string card_signing_key;

    // Admin actions (issue 5). Nobody is an admin unless configured here.
    std::vector<std::string> admin_ids;    ///< AB_ADMIN_IDS: Entra object ids, comma-separated
    std::vector<std::string> admin_groups; ///< AB_ADMIN_GROUPS: Entra group ids (needs Graph)
    std::string admin_tenant_id;           ///< AB_ADMIN_TENANT: admins only from this tenant
    bool admin_roles = true;               ///< AB_ADMIN_ROLES: with Graph, Entra role holders are admins
    /// Microsoft Graph (executor for Entra/Groups/SharePoint/cross-tenant settings, and role
    /// lookups): on when AB_GRAPH_TENANT_ID is set. Client id/secret default to the bot's.
    std::string graph_tenant_id;     ///< AB_GRAPH_TENANT_ID
    std::string graph_client_id;     ///< AB_GRAPH_CLIENT_ID (default MicrosoftAppId)
    std::string graph_client_secret; ///< AB_GRAPH_CLIENT_SECRET (secret; default MicrosoftAppPassword)
    std::string graph_url = "https://graph.microsoft.com/v1.0"; ///< AB_GRAPH_URL
    std::string graph_token_endpoint; ///< AB_GRAPH_TOKEN_ENDPOINT (default login.microsoftonline.com/<tenant>/oauth2/v2.0/token)
    /// Runbook webhook (executor for the Teams PowerShell settings): on when AB_RUNBOOK_URL is set.
    std::string runbook_url;    ///< AB_RUNBOOK_URL (secret: the Azure Automation webhook URL holds its token)
    std::string runbook_secret; ///< AB_RUNBOOK_SECRET (>= 16 bytes): HMAC key shared with the runbook
    std::string public_url;     ///< AB_PUBLIC_URL: where the runbook reaches the bot (https://bot.example.com)

    // Helpdesk escalation (issue 6): sinks, each on when its URL is set; none = "no helpdesk connected".
    std::string helpdesk_webhook_url;    ///< AB_HELPDESK_WEBHOOK_URL (Power Automate / Logic Apps; secret: may hold a sig=)
    std::string helpdesk_webhook_secret; ///< AB_HELPDESK_WEBHOOK_SECRET (>= 16 bytes): HMAC key of the signature header
    std::string servicenow_url;          ///< AB_SERVICENOW_URL, e.g. https://contoso.service-now.com
    std::string servicenow_user;         ///< AB_SERVICENOW_USER (Basic auth)
    std::string servicenow_password;     ///< AB_SERVICENOW_PASSWORD (secret)
    std::string servicenow_token;        ///< AB_SERVICENOW_TOKEN (secret; OAuth bearer instead of Basic)
    std::string servicenow_assignment_group; ///< AB_SERVICENOW_ASSIGNMENT_GROUP (sys_id)
    std::string helpdesk_channel;        ///< AB_HELPDESK_CHANNEL: Teams channel id (19:…@thread.tacv2) for helpdesk cards
    std::string helpdesk_service_url;    ///< AB_HELPDESK_SERVICE_URL: that team's Connector URL (from any activity in it)
    std::string helpdesk_tenant_id;      ///< AB_HELPDESK_TENANT
    std::vector<std::string> helpdesk_members; ///< AB_HELPDESK_MEMBERS: Entra object ids who may act on helpdesk cards
    std::string helpdesk_language = "en"; ///< AB_HELPDESK_LANGUAGE: language of the helpdesk cards

    /// The configuration as JSON for the start-up log line, secrets replaced by "***".
    nlohmann::json redacted() const;
};

class config_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

using env_lookup = std::function<std::optional<std::string>(const std::string& name)>;

/// The process environment.
env_lookup process_environment();

/// Defaults, then `file` (if given; JSON object with the same names as the environment
/// variables), then the environment. Throws config_error on a bad file or value.
settings load(const env_lookup& env, const std::optional<std::filesystem::path>& file = std::nullopt);

/// Refuses configurations that cannot work or are unsafe: local mode on a non-loopback address,
/// channel authentication without an app id. Throws config_error with the reason.
void validate(const settings& s);

/// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback(const std::string& address);

} // namespace ab::bot::config
