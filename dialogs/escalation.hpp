#pragma once
// The seam for the escalation dialog (issue 6): "Ask IT" buttons, typed "I want to talk to
// someone", out-of-scope offers. The runner calls it; until it is built the default says honestly
// that no helpdesk is connected.

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

} // namespace ab::dialogs
