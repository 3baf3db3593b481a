#pragma once
// Seams for the dialogs that come next. The runner calls them; until they are built the defaults
// below say honestly what is not there.
//  - escalation (issue 6): "Ask IT" buttons, typed "I want to talk to someone", out-of-scope offers.
//  - admin actions (issue 5): whether the user may apply a setting from the card.

#include "bot/async.hpp"
#include "bot/schema/activity.hpp"
#include "knowledge/intent.hpp"
#include "knowledge/text.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace ab::dialogs {

struct escalation_request {
    std::string question;
    knowledge::intent topic = knowledge::intent::escalate;
    knowledge::lang lang = knowledge::lang::en;
    std::string domain;
    std::string card_id; ///< the card whose "Ask IT" was used; empty when typed
};

class escalation_seam {
public:
    virtual ~escalation_seam() = default;
    /// The card to show for a request to involve the helpdesk.
    virtual task<nlohmann::json> start(const bot::schema::activity& from, escalation_request request) = 0;
};

class admin_action_seam {
public:
    virtual ~admin_action_seam() = default;
    /// True if the sender may apply settings from cards (shows "Apply now").
    virtual bool may_apply(const bot::schema::activity& from) const = 0;
};

} // namespace ab::dialogs
