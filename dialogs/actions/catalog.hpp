#pragma once
// The executable settings catalog (issue 5): each setting of
// knowledge/data/settings.json with its "apply" entry becomes something the bot
// can run: the operation an executor implements, the parameter it takes (a
// domain, a policy name), the roles that may run it, and a one-line description
// of the target state for the confirmation card. Parameters are validated here,
// before any executor or runbook sees them.

#include "bot/ports/admin.hpp"
#include "knowledge/content.hpp"

#include <boost/system/result.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace ab::dialogs::actions {

/// The parameter an operation takes.
enum class parameter_kind {
    none,
    domain, ///< an organization domain (required), e.g. fabrikam.com
    policy, ///< a Teams policy name (optional, default "Global")
};

struct executable_setting {
    const knowledge::setting* setting = nullptr;
    std::string operation; ///< e.g. "teams.allowed_domains.add"
    std::string executor;  ///< "runbook" or "graph" (the catalog's choice)
    parameter_kind parameter = parameter_kind::none;
    std::string target;                         ///< "AllowedDomains + {domain}" (property names, not translated)
    std::vector<std::string> role_template_ids; ///< Entra role templates that may run it
};

enum class catalog_errc {
    unknown_setting = 1, ///< [admin.unknown_setting] no such setting, or it cannot be applied
    bad_parameter,       ///< [admin.bad_parameter] missing or invalid domain / policy
                         ///< name
};
const boost::system::error_category& catalog_category() noexcept;
inline boost::system::error_code make_error_code(catalog_errc e) noexcept
{
    return {static_cast<int>(e), catalog_category()};
}

class catalog {
public:
    /// Every setting with an "apply" entry. Throws knowledge::content_error on an
    /// entry without an operation or with an unknown parameter kind (the data
    /// files are ours: a bug, found at start).
    explicit catalog(const knowledge::content& content);

    const executable_setting* find(std::string_view setting_id) const;
    const std::vector<executable_setting>& all() const { return settings_; }

    /// The validated parameters for `s` from what the card carried (`domain` may
    /// be empty).
    boost::system::result<nlohmann::json> parameters_for(const executable_setting& s, std::string_view domain) const;

    /// The target state with the parameters filled in ("AllowedDomains +
    /// fabrikam.com").
    std::string describe(const executable_setting& s, const nlohmann::json& parameters) const;

    /// True if `s` can be applied with what the card knows (a required domain is
    /// there).
    bool applicable(const executable_setting& s, std::string_view domain) const;

private:
    std::vector<executable_setting> settings_;
};

/// A plain DNS name of an organization: letters, digits, hyphens, dots; labels
/// 1-63, total <= 253, at least two labels, no leading/trailing hyphen.
/// Lower-case input expected.
bool valid_domain(std::string_view d);
/// Teams policy names: letters, digits, space, "_", ".", "-"; 1-64 characters.
bool valid_policy_name(std::string_view p);

} // namespace ab::dialogs::actions

template <>
struct boost::system::is_error_code_enum<ab::dialogs::actions::catalog_errc> : std::true_type {
};
