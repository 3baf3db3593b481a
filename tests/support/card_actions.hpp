#pragma once
// Finding the buttons on an Adaptive Card the bot sent (tests only).
#include <nlohmann/json.hpp>

#include <string>

namespace ab::test {

/// Calls `f` for every Action.Execute / OpenUrl / Submit on `card` (body action sets, select
/// actions, top-level actions), not for the Action.Submit fallbacks of Action.Execute.
template <class F>
void visit_actions(const nlohmann::json& j, F&& f)
{
    if (j.is_object()) {
        const std::string type = j.value("type", "");
        if (type == "Action.Execute" || type == "Action.OpenUrl" || type == "Action.Submit")
            f(j);
        for (const auto& [k, v] : j.items())
            if (k != "fallback")
                visit_actions(v, f);
    } else if (j.is_array()) {
        for (const auto& v : j)
            visit_actions(v, f);
    }
}

/// The first button titled `title` that has a verb (Action.Execute), or null.
inline nlohmann::json find_button(const nlohmann::json& card, const std::string& title)
{
    nlohmann::json found;
    visit_actions(card, [&](const nlohmann::json& action) {
        if (found.is_null() && action.value("title", "") == title && action.contains("verb"))
            found = action;
    });
    return found;
}

} // namespace ab::test
