#include "dialogs/actions/dry_run.hpp"

namespace ab::dialogs::actions {

namespace {

std::string fill_all(std::string text, const nlohmann::json& parameters)
{
    for (const auto& [name, value] : parameters.items()) {
        if (!value.is_string())
            continue;
        const std::string token = "{" + name + "}";
        const std::string v = value.get<std::string>();
        for (std::size_t at = text.find(token); at != std::string::npos; at = text.find(token, at + v.size()))
            text.replace(at, token.size(), v);
    }
    return text;
}

std::vector<std::string> split(const std::string& s, std::string_view sep)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t at = s.find(sep); at != std::string::npos; at = s.find(sep, start)) {
        out.push_back(s.substr(start, at - start));
        start = at + sep.size();
    }
    out.push_back(s.substr(start));
    return out;
}

} // namespace

bool dry_run_executor::handles(std::string_view operation) const
{
    for (const auto& s : catalog_.all())
        if (s.operation == operation)
            return true;
    return false;
}

std::vector<std::string> dry_run_executor::steps(const bot::ports::setting_change& change) const
{
    const executable_setting* s = catalog_.find(change.setting);
    if (!s)
        return {};
    std::vector<std::string> out;
    if (s->executor == "graph" && s->setting->graph.is_object()) {
        // The Graph write as documented (b2b: resolving the domain to a tenant id
        // comes first).
        const auto& g = s->setting->graph;
        nlohmann::json params = change.parameters;
        if (params.contains("domain") && !params.contains("tenantId"))
            params["tenantId"] = "<tenant id of " + params["domain"].get<std::string>() + ">";
        for (const char* part : {"resolve", "read", "write"}) {
            const auto p = g.find(part);
            if (p == g.end() || !p->is_object())
                continue;
            if (std::string_view(part) == "resolve" && !change.parameters.contains("domain"))
                continue;
            std::string line = p->value("method", "GET") + " " + p->value("url", "");
            if (const auto b = p->find("body"); b != p->end() && !b->is_null())
                line += " " + b->dump();
            out.push_back(fill_all(std::move(line), params));
        }
        return out;
    }
    nlohmann::json params = change.parameters;
    for (auto& line : split(s->setting->powershell_read, "; "))
        if (!line.empty())
            out.push_back(fill_all(line, params));
    for (auto& line : split(s->setting->powershell, "; "))
        if (!line.empty())
            out.push_back(fill_all(line, params));
    return out;
}

task<bot::ports::current_value> dry_run_executor::read(const bot::ports::setting_change&)
{
    co_return bot::ports::current_value{}; // nothing is asked in a dry run
}

task<bot::ports::change_result> dry_run_executor::apply(const bot::ports::setting_change& change)
{
    bot::ports::change_result r;
    r.outcome = bot::ports::change_outcome::dry_run;
    r.steps = steps(change);
    co_return r;
}

} // namespace ab::dialogs::actions
