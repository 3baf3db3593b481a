#pragma once
// The runbook executor (issue 5): Teams settings have no Graph write API, so the bot changes them
// by POSTing a signed JSON request to an Azure Automation webhook. The webhook starts the
// PowerShell runbook deploy/runbooks/Set-AccessBotSetting.ps1 (MicrosoftTeams module, managed
// identity), which checks the signature and its own copy of the operation allow-list, reads the
// setting, writes it only when needed, reads it back and POSTs a signed result to callback_url.
// So apply() ends in `pending` with the Automation job id as reference; the callback (see
// signature.hpp: verify_signature, parse_callback) carries the final outcome.
// Protocol and error ids: adapters/runbook/README.md. Runs on the single I/O thread.
// Never logs the secret, the signature or the webhook URL (its query string is the webhook's key).

#include "adapters/http/client.hpp"
#include "bot/ports/admin.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ab::adapters::runbook {

struct runbook_options {
    std::string webhook_url;  ///< AB_RUNBOOK_URL: the Automation webhook (contains its token: a secret)
    std::string secret;       ///< AB_RUNBOOK_SECRET: the HMAC key shared with the runbook
    std::string callback_url; ///< AB_PUBLIC_URL + "/api/admin/runbook-callback"
    std::chrono::milliseconds timeout{30000}; ///< the whole POST, the HTTP client's retries included
};

/// True for the operations the runbook implements (the allow-list; the runbook has the same one).
bool is_runbook_operation(std::string_view op);

/// Every operation of the allow-list, in a fixed order.
const std::vector<std::string_view>& runbook_operations();

/// The request body exactly as sent: compact JSON, keys in nlohmann's (sorted) order, non-ASCII
/// escaped as \uXXXX so the signed bytes survive any re-encoding on the Automation side:
/// {"callbackUrl","correlationId","id","issuedAt","operation","parameters","requestedBy":{"id","name"},
///  "tenantId","version":1}. `parameters` is the change's, as given (null becomes {}).
std::string request_body(const bot::ports::setting_change& c, std::string_view callback_url, std::int64_t issued_at);

/// The cmdlet lines the runbook runs for `c` (reads first, then the writes it makes only when the
/// setting is not already as wanted), with the domain / policy filled in. Informative, for cards
/// and the audit log: the runbook's own code is what runs. Empty for an unknown operation or
/// invalid parameters.
std::vector<std::string> runbook_steps(const bot::ports::setting_change& c);

class runbook_executor final : public bot::ports::setting_executor {
public:
    /// `client` must outlive the executor. `unix_now` (seconds) defaults to the system clock.
    /// Throws std::invalid_argument ([runbook.misconfigured]) if a URL or the secret is empty.
    runbook_executor(http::client& client, runbook_options opt, std::function<std::int64_t()> unix_now = {});

    std::string_view name() const override { return "runbook"; }
    bool handles(std::string_view operation) const override { return is_runbook_operation(operation); }
    /// known = false: the runbook reads the setting itself, right before writing it.
    task<bot::ports::current_value> read(const bot::ports::setting_change& change) override;
    /// POSTs the signed request. pending (+ job id) when Automation accepted it; failed with
    /// runbook.unsupported_operation / runbook.invalid_parameter (nothing sent), runbook.rejected
    /// (400 and other 4xx), runbook.unauthorized (401/403), runbook.not_found (404),
    /// runbook.unavailable (429/5xx after the client's retries, connection errors),
    /// runbook.timeout (options.timeout elapsed).
    task<bot::ports::change_result> apply(const bot::ports::setting_change& change) override;

private:
    http::client& http_;
    runbook_options opt_;
    std::function<std::int64_t()> unix_now_;
};

} // namespace ab::adapters::runbook
