#pragma once
// Who may apply settings (issue 5). An admin is, in this order:
//  1. a configured Entra object id (AB_ADMIN_IDS),
//  2. a member of a configured group (AB_ADMIN_GROUPS; needs the directory,
//  i.e. Graph),
//  3. with the directory configured: a holder of one of the setting's Entra
//  roles (Global
//     Administrator, Teams Administrator, ... by role template id).
// The identity is the activity's from.aadObjectId (Teams puts the Entra object
// id there); a user without one is never an admin. AB_ADMIN_TENANT limits
// admins to one tenant. Lookups are cached briefly for showing "Apply now";
// every execute asks again (fresh).

#include "bot/async.hpp"
#include "bot/ports/admin.hpp"
#include "bot/schema/activity.hpp"
#include "dialogs/actions/catalog.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ab::dialogs::actions {

struct admin_policy {
    std::vector<std::string> admin_ids;    ///< Entra object ids (compared case-insensitively)
    std::vector<std::string> admin_groups; ///< Entra group object ids (needs a directory)
    std::string tenant_id;                 ///< if set: only users of this tenant
    bool directory_roles = true;           ///< with a directory: role holders are admins
    std::chrono::seconds cache_ttl{300};   ///< for display only; executes are always fresh
    std::size_t cache_entries = 4096;
};

/// What is known about the sender (the input of every decision).
struct access {
    std::string user_id;     ///< lower-case Entra object id ("" = none in the activity)
    std::string tenant_id;   ///< the activity's tenant
    bool configured = false; ///< in admin_ids
    bool have_memberships = false;
    bot::ports::directory_memberships memberships;
    std::string lookup_error; ///< directory error id, if the lookup failed
};

/// The decision for one setting.
struct grant {
    bool allowed = false;
    std::string via;    ///< allowed: "configured", "group:<id>", "role:<template id>"
    std::string reason; ///< denied: admin.no_identity, admin.other_tenant,
                        ///< admin.not_authorized, directory.*
};

class authorizer {
public:
    using clock_fn = std::function<std::chrono::steady_clock::time_point()>;
    /// `directory` may be null (then only configured ids count).
    authorizer(admin_policy policy, bot::ports::directory* directory, clock_fn clock = {});

    /// True when anyone at all could be an admin (ids, groups or roles
    /// configured).
    bool enabled() const;

    /// What is known about the sender of `a`; `fresh` bypasses the cache.
    task<access> lookup(const bot::schema::activity& a, bool fresh);

    /// May the sender apply `s`?
    grant decide(const access& who, const executable_setting& s) const;

    /// Directory lookups sent so far (tests).
    std::size_t lookups() const { return lookups_; }

private:
    struct cached {
        bot::ports::directory_memberships memberships;
        std::chrono::steady_clock::time_point expires;
    };
    admin_policy policy_;
    bot::ports::directory* directory_;
    clock_fn clock_;
    std::unordered_map<std::string, cached> cache_;
    std::size_t lookups_ = 0;
};

} // namespace ab::dialogs::actions
