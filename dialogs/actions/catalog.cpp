#include "dialogs/actions/catalog.hpp"

#include <algorithm>

namespace ab::dialogs::actions {

namespace {

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class catalog_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "admin.catalog"; }
    std::string message(int ev) const override
    {
        switch (static_cast<catalog_errc>(ev)) {
        case catalog_errc::unknown_setting: return "[admin.unknown_setting] no such setting, or it cannot be applied";
        case catalog_errc::bad_parameter: return "[admin.bad_parameter] missing or invalid parameter";
        }
        return "[admin.unknown] unknown catalog error";
    }
};
#pragma GCC diagnostic pop

std::string fill_token(std::string text, std::string_view name, std::string_view value)
{
    const std::string token = "{" + std::string(name) + "}";
    for (std::size_t at = text.find(token); at != std::string::npos; at = text.find(token, at + value.size()))
        text.replace(at, token.size(), value);
    return text;
}

} // namespace

const boost::system::error_category& catalog_category() noexcept
{
    static const catalog_category_impl instance;
    return instance;
}

bool valid_domain(std::string_view d)
{
    if (d.empty() || d.size() > 253 || d.front() == '.' || d.back() == '.')
        return false;
    std::size_t labels = 0;
    std::size_t start = 0;
    while (start <= d.size()) {
        std::size_t end = d.find('.', start);
        if (end == std::string_view::npos)
            end = d.size();
        const std::string_view label = d.substr(start, end - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
            return false;
        for (char c : label)
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
                return false;
        ++labels;
        start = end + 1;
    }
    const std::string_view tld = d.substr(d.rfind('.') + 1);
    return labels >= 2 && tld.size() >= 2 && std::all_of(tld.begin(), tld.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

bool valid_policy_name(std::string_view p)
{
    return !p.empty() && p.size() <= 64 && std::all_of(p.begin(), p.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' || c == '_' || c == '.' || c == '-';
    });
}

catalog::catalog(const knowledge::content& content)
{
    for (const knowledge::setting& s : content.settings()) {
        const auto apply = s.raw.find("apply");
        if (apply == s.raw.end() || !apply->is_object())
            continue;
        executable_setting e;
        e.setting = &s;
        e.operation = apply->value("operation", "");
        e.target = apply->value("target", "");
        e.executor = s.executor;
        const std::string param = apply->value("parameter", "");
        if (param == "domain")
            e.parameter = parameter_kind::domain;
        else if (param == "policy")
            e.parameter = parameter_kind::policy;
        else if (!param.empty())
            throw knowledge::content_error("settings.json: " + s.id + ": apply.parameter '" + param + "' is not domain or policy");
        if (e.operation.empty() || e.target.empty())
            throw knowledge::content_error("settings.json: " + s.id + ": apply needs operation and target");
        if (const auto roles = s.raw.find("required_role_template_ids"); roles != s.raw.end() && roles->is_array())
            for (const auto& r : *roles)
                if (r.is_string())
                    e.role_template_ids.push_back(r.get<std::string>());
        settings_.push_back(std::move(e));
    }
}

const executable_setting* catalog::find(std::string_view setting_id) const
{
    for (const auto& s : settings_)
        if (s.setting->id == setting_id)
            return &s;
    return nullptr;
}

bool catalog::applicable(const executable_setting& s, std::string_view domain) const
{
    return s.parameter != parameter_kind::domain || valid_domain(domain);
}

boost::system::result<nlohmann::json> catalog::parameters_for(const executable_setting& s, std::string_view domain) const
{
    switch (s.parameter) {
    case parameter_kind::none: return nlohmann::json::object();
    case parameter_kind::domain:
        if (!valid_domain(domain))
            return boost::system::result<nlohmann::json>(boost::system::in_place_error, make_error_code(catalog_errc::bad_parameter));
        return nlohmann::json{{"domain", std::string(domain)}};
    case parameter_kind::policy: return nlohmann::json{{"policy", "Global"}};
    }
    return boost::system::result<nlohmann::json>(boost::system::in_place_error, make_error_code(catalog_errc::bad_parameter));
}

std::string catalog::describe(const executable_setting& s, const nlohmann::json& parameters) const
{
    std::string out = s.target;
    for (const auto& [name, value] : parameters.items())
        if (value.is_string())
            out = fill_token(std::move(out), name, value.get<std::string>());
    return out;
}

} // namespace ab::dialogs::actions
