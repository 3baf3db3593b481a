#include "bot/schema/invoke.hpp"

#include <utility>

namespace ab::bot::schema {

using nlohmann::json;

namespace {

std::string string_at(const json& obj, std::string_view key)
{
    const auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

invoke_response universal_action_response(int status_code, std::string_view type, json value)
{
    invoke_response r;
    r.status = 200;
    r.body = {{"statusCode", status_code}, {"type", type}, {"value", std::move(value)}};
    return r;
}

} // namespace

void to_json(json& j, const invoke_response& v)
{
    j = {{"status", v.status}};
    if (!v.body.is_null())
        j["body"] = v.body;
}

bool is_invoke(const activity& a, std::string_view name)
{
    return a.type == activity_types::invoke && a.name == name;
}

std::optional<adaptive_card_action> adaptive_card_action_of(const activity& a)
{
    if (!is_invoke(a, adaptive_card_action_invoke) || !a.value.is_object())
        return std::nullopt;
    const auto action = a.value.find("action");
    if (action == a.value.end() || !action->is_object())
        return std::nullopt;
    adaptive_card_action out;
    out.verb = string_at(*action, "verb");
    if (const auto data = action->find("data"); data != action->end())
        out.data = *data;
    out.id = string_at(*action, "id");
    out.type = string_at(*action, "type");
    out.trigger = string_at(a.value, "trigger");
    return out;
}

invoke_response card_response(json card)
{
    return universal_action_response(200, "application/vnd.microsoft.card.adaptive", std::move(card));
}

invoke_response message_response(std::string text)
{
    return universal_action_response(200, "application/vnd.microsoft.activity.message", std::move(text));
}

invoke_response error_response(int status_code, std::string code, std::string message)
{
    return universal_action_response(status_code, "application/vnd.microsoft.error",
                                     {{"code", std::move(code)}, {"message", std::move(message)}});
}

} // namespace ab::bot::schema
