#pragma once
// Ports of the admin actions (issue 5): applying a tenant setting from a card.
//  - setting_executor: reads a setting's current value and applies one change
//  to it. Implemented
//    by adapters/graph (Microsoft Graph), adapters/runbook (signed webhook to a
//    PowerShell runbook, which reports back later) and dialogs/actions (dry
//    run: describes, changes nothing).
//  - directory: who a user is in Entra (groups and activated directory roles),
//  for authorization.
// Expected failures (403, throttling, timeouts, malformed answers) are values
// in the result, with a stable error id; only bugs throw.

#include "bot/async.hpp"

#include <boost/system/result.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace ab::bot::ports {

/// One change to a tenant setting. Operations are fixed names from the
/// executable catalog (dialogs/actions/catalog), e.g.
/// "teams.allowed_domains.add" {"domain": "fabrikam.com"} or
/// "entra.guest_invitations.allow_members" {}. Parameters are validated before
/// they get here.
struct setting_change {
    std::string id;        ///< the action id: unique, the idempotency key (runbook request id)
    std::string setting;   ///< catalog id, e.g. "teams_allowed_domain"
    std::string operation; ///< executor operation
    nlohmann::json parameters = nlohmann::json::object();
    std::string requested_by;      ///< the admin's Entra object id
    std::string requested_by_name; ///< display name (for the runbook's own log)
    std::string tenant_id;         ///< the tenant the change is for
    std::string correlation_id;    ///< of the turn that confirmed it
};

enum class change_outcome {
    applied,     ///< changed now; `after` is the value read back (or the value
                 ///< written)
    already_set, ///< the setting was already in the wanted state: nothing was
                 ///< written
    pending,     ///< accepted by an asynchronous executor (runbook); the result comes
                 ///< back later
    failed,      ///< not changed; error_id and detail say why
    dry_run,     ///< nothing was executed; `steps` is what would run
};

std::string_view outcome_name(change_outcome o) noexcept;

struct change_result {
    change_outcome outcome = change_outcome::failed;
    nlohmann::json before;          ///< value read before the change (null = not known)
    nlohmann::json after;           ///< value after the change (null = not known / pending)
    std::string error_id;           ///< failed: e.g. graph.forbidden, graph.throttled,
                                    ///< graph.timeout, graph.malformed
    std::string detail;             ///< failed: the service's reason, short, never a secret
    std::string reference;          ///< the executor's reference: runbook job id, Graph request-id
    std::vector<std::string> steps; ///< the requests / cmdlets that ran (or would run)
};

// JSON with the member names as keys (how admin actions keep them in the state store).
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(setting_change, id, setting, operation, parameters, requested_by, requested_by_name,
                                                tenant_id, correlation_id)
NLOHMANN_JSON_SERIALIZE_ENUM(change_outcome, {{change_outcome::failed, "failed"}, // first: what an unknown name reads as
                                              {change_outcome::applied, "applied"},
                                              {change_outcome::already_set, "already_set"},
                                              {change_outcome::pending, "pending"},
                                              {change_outcome::dry_run, "dry_run"}})
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(change_result, outcome, before, after, error_id, detail, reference, steps)

/// The current value of a setting, for the confirmation card.
struct current_value {
    bool known = false;     ///< false: cannot be read here (runbook settings are read
                            ///< by the runbook)
    nlohmann::json value;   ///< the relevant properties, e.g. {"allowInvitesFrom": "none"}
    bool satisfied = false; ///< already in the wanted state (the change would be a no-op)
    std::string error_id;   ///< set when reading failed (the card says so; the
                            ///< change may still run)
    std::string detail;
};

class setting_executor {
public:
    virtual ~setting_executor() = default;
    /// "graph", "runbook", "dry-run": shown on cards and written to the audit
    /// log.
    virtual std::string_view name() const = 0;
    /// True if this executor implements `operation`.
    virtual bool handles(std::string_view operation) const = 0;
    /// Reads the current value (read-only requests).
    virtual task<current_value> read(const setting_change& change) = 0;
    /// Applies the change: reads first and writes only when needed (already_set
    /// otherwise).
    virtual task<change_result> apply(const setting_change& change) = 0;
};

/// A user's memberships in the directory.
struct directory_memberships {
    std::vector<std::string> group_ids;         ///< transitive group memberships (object ids)
    std::vector<std::string> role_template_ids; ///< activated directory roles (roleTemplateId)
};

enum class directory_errc {
    unavailable = 1, ///< [directory.unavailable] the directory could not be asked
                     ///< (network, 5xx, throttled)
    denied,          ///< [directory.denied] the bot's identity may not read memberships
                     ///< (401/403)
    not_found,       ///< [directory.not_found] no such user in this tenant (404)
    malformed,       ///< [directory.malformed] the answer was not of the documented
                     ///< shape
};
const boost::system::error_category& directory_category() noexcept;
inline boost::system::error_code make_error_code(directory_errc e) noexcept
{
    return {static_cast<int>(e), directory_category()};
}

class directory {
public:
    virtual ~directory() = default;
    /// Groups and roles of the user with Entra object id `user_object_id`.
    virtual task<boost::system::result<directory_memberships>> memberships(std::string user_object_id) = 0;
};

} // namespace ab::bot::ports

template <>
struct boost::system::is_error_code_enum<ab::bot::ports::directory_errc> : std::true_type {
};
