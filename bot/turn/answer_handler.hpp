#pragma once
// The first real answer (issue 3's thin slice, replaced by the dialogs of issue 4): a message is
// classified and answered with a small Adaptive Card in the user's language (answer title, one
// line, intent and confidence, the governing setting's admin-center link); installing the bot
// says hello; card actions are acknowledged in place.

#include "bot/turn/adapter.hpp"
#include "knowledge/classifier.hpp"

#include <nlohmann/json.hpp>

namespace ab::bot::turn {

class answer_handler : public handler {
public:
    answer_handler(const knowledge::content& content, const knowledge::classifier& engine) : content_(content), engine_(engine) {}

    task<void> on_turn(turn_context& ctx) override;
    std::string apology(const schema::activity& incoming) const override;

    /// The Adaptive Card answering `c` (exposed for tests and golden files).
    nlohmann::json answer_card(const knowledge::classification& c) const;
    nlohmann::json welcome_card(knowledge::lang l) const;

private:
    schema::activity card_reply(const schema::activity& incoming, nlohmann::json card) const;

    const knowledge::content& content_;
    const knowledge::classifier& engine_;
};

} // namespace ab::bot::turn
