#pragma once
// The seam for the escalation dialog (issue 6): "Ask IT" buttons, typed "I want to talk to
// someone", out-of-scope offers. The runner calls it; until it is built the default says honestly
// that no helpdesk is connected.

#include "bot/async.hpp"
#include "bot/schema/activity.hpp"
#include "dialogs/action_data.hpp"
#include "knowledge/intent.hpp"
#include "knowledge/text.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace ab::dialogs {

struct escalation_request {
    std::string question;
    knowledge::intent topic = knowledge::intent::escalate;
    knowledge::lang lang = knowledge::lang::en;
    std::string domain;
    std::string card_id; ///< the card whose "Ask IT" was used; empty when typed
};

/// What to show for a click handled by the escalation dialog.
struct seam_reply {
    nlohmann::json card;  ///< a card, or null
    std::string text;     ///< or a message
    bool replace = false; ///< the card replaces the clicked card
};

class escalation_seam {
public:
    virtual ~escalation_seam() = default;
    /// The card to show for a request to involve the helpdesk.
    virtual task<nlohmann::json> start(const bot::schema::activity& from, escalation_request request) = 0;
    /// Verbs of its own cards (send, cancel, ...).
    virtual bool handles(std::string_view verb) const
    {
        (void)verb;
        return false;
    }
    virtual task<seam_reply> on_action(const bot::schema::activity& in, const card_action& a, std::string correlation_id)
    {
        (void)in;
        (void)a;
        (void)correlation_id;
        co_return seam_reply{};
    }
    /// The language to answer in if `text` asks for the status of the user's requests ("what's the
    /// status of my ticket?"): `preferred` when its phrases or the English ones match, else the
    /// first language whose phrases match; nullopt when it is not such a request.
    virtual std::optional<knowledge::lang> status_request(const std::string& text, knowledge::lang preferred) const
    {
        (void)text;
        (void)preferred;
        return std::nullopt;
    }
    /// The user's requests and their status.
    virtual task<nlohmann::json> status(const bot::schema::activity& in, knowledge::lang l)
    {
        (void)in;
        (void)l;
        co_return nlohmann::json();
    }
};

} // namespace ab::dialogs
