#pragma once
// Invoke activities are synchronous: the answer goes into the HTTP response body, not to the
// connector. Universal Actions (Action.Execute) arrive as invoke "adaptiveCard/action".

#include "bot/schema/activity.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace ab::bot::schema {

inline constexpr std::string_view adaptive_card_action_invoke = "adaptiveCard/action";

/// What the HTTP endpoint answers an invoke with: `status` is the HTTP status, `body` the JSON body.
struct invoke_response {
    int status = 200;
    nlohmann::json body; ///< null: no body

    bool operator==(const invoke_response&) const = default;
};

/// {"status": …, "body": …} (the Bot Framework SDK's InvokeResponse shape; body omitted when null).
void to_json(nlohmann::json& j, const invoke_response& v);

/// value.action of an "adaptiveCard/action" invoke.
struct adaptive_card_action {
    std::string verb;    ///< empty if the card did not set one (Teams then sends no invoke at all)
    nlohmann::json data; ///< the action's data with the card's input values merged in; null when absent
    std::string id;      ///< the action id (mobile clients omit it)
    std::string type;    ///< "Action.Execute"
    std::string trigger; ///< value.trigger: "manual" or "automatic" (refresh)
};

/// True if `a` is an invoke named `name` (exact comparison).
bool is_invoke(const activity& a, std::string_view name);

/// The action of an "adaptiveCard/action" invoke; nullopt for other activities or when
/// value.action is not an object.
std::optional<adaptive_card_action> adaptive_card_action_of(const activity& a);

// Responses to "adaptiveCard/action". The HTTP status is always 200 once the bot has processed the
// invoke (Universal Action Model); the outcome is the body's statusCode. botbuilder-js mirrors
// statusCode into the HTTP status instead; we follow the documented contract.

/// statusCode 200: `card` (an Adaptive Card) replaces the card for the user who clicked.
invoke_response card_response(nlohmann::json card);
/// statusCode 200: `text` is shown to the user.
invoke_response message_response(std::string text);
/// statusCode `status_code` (400 or 500): application/vnd.microsoft.error with {code, message}.
invoke_response error_response(int status_code, std::string code, std::string message);

} // namespace ab::bot::schema
