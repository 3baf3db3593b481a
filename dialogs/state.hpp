#pragma once
// What the bot remembers between turns (house style 7.2 rule 10/11, 7.5 rule 28): one struct per
// conversation and one per user, saved as JSON with an ETag at the end of each turn. Nothing waits
// in memory between turns, so a restart or another instance continues the conversation.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

namespace ab::dialogs {

/// The clarify dialog asked "chat only, or work in our team?" and waits for the answer.
struct clarify_state {
    std::string card_id;      ///< the question card; a click on any other card id is stale
    std::string question;     ///< what the user asked (answered once the choice is known)
    std::string lang;         ///< answer language code
    std::string role;         ///< "user" / "admin"
    std::string domain;       ///< an organization domain the question mentioned, or empty
    std::int64_t asked_at = 0; ///< unix seconds; the question lapses after clarify_lifetime

    bool operator==(const clarify_state&) const = default;
};

struct conversation_state {
    static constexpr int current_version = 1;
    int version = current_version;
    std::optional<clarify_state> clarify;     ///< the active dialog, if any
    std::deque<std::string> recent_activities; ///< last activity ids handled (redelivery across restarts)
    std::deque<std::string> used_actions;      ///< "<card id>/<verb group>" of one-shot buttons already used
    std::string last_language;                 ///< the language of the last answer
    bool welcomed = false;                     ///< the welcome card was sent (once per install)

    bool operator==(const conversation_state&) const = default;

    static constexpr std::size_t max_recent_activities = 16; // redeliveries come within seconds; the adapter also checks in memory
    static constexpr std::size_t max_used_actions = 100;

    bool seen_activity(const std::string& id) const;
    /// Records an activity id; false if it was handled before.
    bool remember_activity(const std::string& id);
    /// Marks a one-shot button as used; false if it was used before.
    bool use_action(const std::string& card_id, const std::string& group);
    bool action_used(const std::string& card_id, const std::string& group) const;
};

struct user_preferences {
    static constexpr int current_version = 1;
    int version = current_version;
    std::string language; ///< "" = detect from each message; else one of the six codes

    bool operator==(const user_preferences&) const = default;
};

void to_json(nlohmann::json& j, const clarify_state& v);
void from_json(const nlohmann::json& j, clarify_state& v);
void to_json(nlohmann::json& j, const conversation_state& v);
void from_json(const nlohmann::json& j, conversation_state& v);
void to_json(nlohmann::json& j, const user_preferences& v);
void from_json(const nlohmann::json& j, user_preferences& v);

/// Decodes stored state; nullopt when it is not a state this version can read (the caller then
/// starts afresh and logs it). Never throws.
std::optional<conversation_state> conversation_state_from(const nlohmann::json& j);
std::optional<user_preferences> user_preferences_from(const nlohmann::json& j);

} // namespace ab::dialogs
