#include "dialogs/state.hpp"

#include <algorithm>

namespace ab::dialogs {

namespace {

template <class T>
void read(const nlohmann::json& j, const char* key, T& out)
{
    if (const auto it = j.find(key); it != j.end() && !it->is_null())
        it->get_to(out);
}

} // namespace

bool conversation_state::seen_activity(const std::string& id) const
{
    return std::find(recent_activities.begin(), recent_activities.end(), id) != recent_activities.end();
}

bool conversation_state::remember_activity(const std::string& id)
{
    if (seen_activity(id))
        return false;
    recent_activities.push_back(id);
    while (recent_activities.size() > max_recent_activities)
        recent_activities.pop_front();
    return true;
}

bool conversation_state::action_used(const std::string& card_id, const std::string& group) const
{
    const std::string key = card_id + '/' + group;
    return std::find(used_actions.begin(), used_actions.end(), key) != used_actions.end();
}

bool conversation_state::use_action(const std::string& card_id, const std::string& group)
{
    if (action_used(card_id, group))
        return false;
    used_actions.push_back(card_id + '/' + group);
    while (used_actions.size() > max_used_actions)
        used_actions.pop_front();
    return true;
}

void to_json(nlohmann::json& j, const clarify_state& v)
{
    j = {{"card_id", v.card_id}, {"question", v.question}, {"lang", v.lang},
         {"role", v.role},       {"domain", v.domain},     {"asked_at", v.asked_at}};
}

void from_json(const nlohmann::json& j, clarify_state& v)
{
    read(j, "card_id", v.card_id);
    read(j, "question", v.question);
    read(j, "lang", v.lang);
    read(j, "role", v.role);
    read(j, "domain", v.domain);
    read(j, "asked_at", v.asked_at);
}

void to_json(nlohmann::json& j, const conversation_state& v)
{
    j = {{"version", v.version},
         {"recent_activities", v.recent_activities},
         {"used_actions", v.used_actions},
         {"last_language", v.last_language},
         {"welcomed", v.welcomed}};
    j["clarify"] = v.clarify ? nlohmann::json(*v.clarify) : nlohmann::json();
}

void from_json(const nlohmann::json& j, conversation_state& v)
{
    read(j, "version", v.version);
    if (const auto it = j.find("clarify"); it != j.end() && it->is_object())
        v.clarify = it->get<clarify_state>();
    read(j, "recent_activities", v.recent_activities);
    read(j, "used_actions", v.used_actions);
    read(j, "last_language", v.last_language);
    read(j, "welcomed", v.welcomed);
}

void to_json(nlohmann::json& j, const user_preferences& v)
{
    j = {{"version", v.version}, {"language", v.language}};
}

void from_json(const nlohmann::json& j, user_preferences& v)
{
    read(j, "version", v.version);
    read(j, "language", v.language);
}

std::optional<conversation_state> conversation_state_from(const nlohmann::json& j)
{
    if (!j.is_object())
        return std::nullopt;
    try {
        auto s = j.get<conversation_state>();
        if (s.version < 1 || s.version > conversation_state::current_version)
            return std::nullopt;
        return s;
    } catch (const nlohmann::json::exception&) {
        return std::nullopt; // wrong-typed field: state from elsewhere, start afresh
    }
}

std::optional<user_preferences> user_preferences_from(const nlohmann::json& j)
{
    if (!j.is_object())
        return std::nullopt;
    try {
        auto p = j.get<user_preferences>();
        if (p.version < 1 || p.version > user_preferences::current_version)
            return std::nullopt;
        return p;
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

} // namespace ab::dialogs
