#include "dialogs/actions/authorizer.hpp"

#include <algorithm>
#include <cctype>

namespace ab::dialogs::actions {

namespace {

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool contains_folded(const std::vector<std::string>& list, const std::string& folded)
{
    return std::any_of(list.begin(), list.end(), [&](const std::string& x) { return lower(x) == folded; });
}

} // namespace

authorizer::authorizer(admin_policy policy, bot::ports::directory* directory, clock_fn clock)
    : policy_(std::move(policy))
    , directory_(directory)
    , clock_(clock ? std::move(clock) : clock_fn([] { return std::chrono::steady_clock::now(); }))
{
    for (auto& id : policy_.admin_ids)
        id = lower(id);
    for (auto& id : policy_.admin_groups)
        id = lower(id);
    policy_.tenant_id = lower(policy_.tenant_id);
}

bool authorizer::enabled() const
{
    return !policy_.admin_ids.empty() || (directory_ && (!policy_.admin_groups.empty() || policy_.directory_roles));
}

task<access> authorizer::lookup(const bot::schema::activity& a, bool fresh)
{
    access who;
    who.user_id = lower(a.from.aad_object_id);
    who.tenant_id = lower(a.conversation.tenant_id);
    if (who.user_id.empty())
        co_return who;
    who.configured = std::find(policy_.admin_ids.begin(), policy_.admin_ids.end(), who.user_id) != policy_.admin_ids.end();
    if (who.configured || !directory_ || (policy_.admin_groups.empty() && !policy_.directory_roles))
        co_return who;
    if (!policy_.tenant_id.empty() && who.tenant_id != policy_.tenant_id)
        co_return who; // another tenant's user: our directory does not know them

    const auto now = clock_();
    if (!fresh)
        if (auto hit = cache_.find(who.user_id); hit != cache_.end() && hit->second.expires > now) {
            who.have_memberships = true;
            who.memberships = hit->second.memberships;
            co_return who;
        }
    ++lookups_;
    auto found = co_await directory_->memberships(who.user_id);
    if (!found) {
        who.lookup_error = found.error() == bot::ports::directory_errc::not_found   ? "directory.not_found"
                           : found.error() == bot::ports::directory_errc::denied    ? "directory.denied"
                           : found.error() == bot::ports::directory_errc::malformed ? "directory.malformed"
                                                                                    : "directory.unavailable";
        co_return who;
    }
    who.have_memberships = true;
    who.memberships = std::move(*found);
    for (auto& g : who.memberships.group_ids)
        g = lower(g);
    for (auto& r : who.memberships.role_template_ids)
        r = lower(r);
    if (cache_.size() >= policy_.cache_entries)
        cache_.clear(); // bounded: a burst of distinct users only costs a refetch
    cache_[who.user_id] = cached{who.memberships, clock_() + policy_.cache_ttl};
    co_return who;
}

grant authorizer::decide(const access& who, const executable_setting& s) const
{
    grant g;
    if (who.user_id.empty()) {
        g.reason = "admin.no_identity";
        return g;
    }
    if (!policy_.tenant_id.empty() && who.tenant_id != policy_.tenant_id) {
        g.reason = "admin.other_tenant";
        return g;
    }
    if (who.configured) {
        g.allowed = true;
        g.via = "configured";
        return g;
    }
    if (who.have_memberships) {
        for (const auto& group : who.memberships.group_ids)
            if (std::find(policy_.admin_groups.begin(), policy_.admin_groups.end(), group) != policy_.admin_groups.end()) {
                g.allowed = true;
                g.via = "group:" + group;
                return g;
            }
        if (policy_.directory_roles)
            for (const auto& role : who.memberships.role_template_ids)
                if (contains_folded(s.role_template_ids, role)) {
                    g.allowed = true;
                    g.via = "role:" + role;
                    return g;
                }
    }
    g.reason = who.lookup_error.empty() ? "admin.not_authorized" : who.lookup_error;
    return g;
}

} // namespace ab::dialogs::actions
