#pragma once
// Microsoft Graph as a setting executor and as the directory (admin-apis.md §2.2, §3, §5, §6):
// reads and changes four tenant settings behind guest access and shared channels, and reads a
// user's transitive groups and activated directory roles. Every change reads first and writes only
// when the setting is not yet in the wanted state, then reads again to report the value after.
// Expected failures (403, throttling, timeouts, malformed answers) come back as values with a
// stable error id (graph.*, see README.md); only bugs throw.
//
// Thread model (house style 7.5): runs on the single I/O thread, like the http::client and the
// token_provider it borrows; both must outlive every call.

#include "adapters/connector/token_provider.hpp"
#include "adapters/http/client.hpp"
#include "bot/ports/admin.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace ab::adapters::graph {

/// The scope to configure the token_provider with (client credentials, app permissions).
inline constexpr std::string_view token_scope = "https://graph.microsoft.com/.default";

struct graph_options {
    std::string base_url = "https://graph.microsoft.com/v1.0"; ///< no trailing slash needed
    std::chrono::milliseconds timeout{20000};                   ///< per Graph call (retries included)
};

/// Operations: entra.guest_invitations.allow_members, groups.guest_settings.enable,
/// sharepoint.sharing.allow_guests, xtap.b2b_direct_connect.allow ({"domain"} or {"tenantId"}).
class graph_executor final : public bot::ports::setting_executor, public bot::ports::directory {
public:
    /// `tokens` must hand out tokens for `token_scope`.
    graph_executor(http::client& client, connector::token_provider& tokens, graph_options opt = {});

    /// "graph".
    std::string_view name() const override;
    bool handles(std::string_view operation) const override;

    /// GET requests only. Failure: known=false with error_id/detail.
    task<bot::ports::current_value> read(const bot::ports::setting_change& change) override;

    /// Read, write when needed, read back. `steps` lists every Graph request ("METHOD URL" and,
    /// for writes, the compact JSON body); `reference` is the write's request-id header.
    /// @see https://learn.microsoft.com/graph/api/authorizationpolicy-update
    /// @see https://learn.microsoft.com/graph/api/groupsetting-update
    /// @see https://learn.microsoft.com/graph/api/sharepointsettings-update
    /// @see https://learn.microsoft.com/graph/api/crosstenantaccesspolicy-post-partners
    task<bot::ports::change_result> apply(const bot::ports::setting_change& change) override;

    /// GET /users/{oid}/transitiveMemberOf (up to 10 pages). Errors: directory_errc (not_found
    /// without a request when `user_object_id` is not a GUID).
    /// @see https://learn.microsoft.com/graph/api/user-list-transitivememberof
    task<boost::system::result<bot::ports::directory_memberships>> memberships(std::string user_object_id) override;

private:
    http::client& http_;
    connector::token_provider& tokens_;
    graph_options opt_;
};

/// 8-4-4-4-12 hexadecimal digits.
bool is_guid(std::string_view s) noexcept;
/// A DNS name: labels of letters, digits and '-' (not at either end), 1..63 bytes each, separated
/// by single dots, 253 bytes at most.
bool is_domain_name(std::string_view s) noexcept;

} // namespace ab::adapters::graph
