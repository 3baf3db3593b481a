#pragma once
// The dialogs' turn handler (house style 7.2 rule 7): load the conversation's state and the
// user's preferences, continue the active dialog or classify the message and pick a route
// (answer, clarify, out of scope, help, escalate), build the card, save the state with its ETag
// (a conflict with another instance: reload and run the turn once more), then let the adapter send.
//
// Dialogs (each a plain function of state + input, nothing suspended between turns):
//  - answer       intent → answer card (topic intents), help card (smalltalk), out-of-scope card
//  - clarify      external or guest access? two buttons; continues from a click or a typed answer
//  - feedback     "Was this helpful?" → record_log "feedback", once per card
//  - help/welcome on install and on greetings; the answer language can be chosen there
//  - escalate     via escalation_seam (issue 6)
//  - admin        "Apply now" → confirm → execute → result, via actions::admin_actions (issue 5)

#include "bot/ports/storage.hpp"
#include "bot/turn/adapter.hpp"
#include "dialogs/action_data.hpp"
#include "dialogs/actions/admin_actions.hpp"
#include "dialogs/cards/cards.hpp"
#include "dialogs/escalation.hpp"
#include "dialogs/state.hpp"
#include "knowledge/articles/index.hpp"
#include "knowledge/classifier.hpp"
#include "knowledge/content.hpp"

#include <chrono>
#include <functional>
#include <memory>

namespace ab::dialogs {

struct runner_options {
    std::chrono::seconds clarify_lifetime{std::chrono::hours(24)};
    std::size_t citations = 3;
    std::size_t max_question_bytes = 600; ///< kept in card data (Ask IT) and state
    std::function<std::chrono::system_clock::time_point()> clock = [] { return std::chrono::system_clock::now(); };
};

struct runner_parts {
    const knowledge::content& content;
    const knowledge::classifier& engine;
    const knowledge::articles::article_index* articles = nullptr; ///< optional (citations)
    bot::ports::state_store& states;
    bot::ports::record_log& records;
    const action_signer& signer;
    escalation_seam* escalation = nullptr;     ///< default: "no helpdesk connected"
    actions::admin_actions* admin = nullptr;   ///< admin actions; null: nobody may apply
};

class runner : public bot::turn::handler {
public:
    explicit runner(runner_parts parts, runner_options options = {});
    ~runner() override;

    task<void> on_turn(bot::turn::turn_context& ctx) override;
    std::string apology(const bot::schema::activity& incoming) const override;

    const cards::card_builder& cards() const { return cards_; }

    /// Storage keys (exposed for tests and tools).
    static std::string conversation_key(const bot::schema::activity& a);
    static std::string user_key(const bot::schema::activity& a);

private:
    struct turn;
    task<void> run_once(bot::turn::turn_context& ctx, bool& conflict);
    void dispatch(turn& t);
    void on_message_text(turn& t, const std::string& text);
    void route_question(turn& t, const std::string& text);
    /// Sends (or, for a click, returns in place) the answer card for `v`; `card_id` empty = a new card.
    void answer(turn& t, cards::answer_view v, bool is_invoke = false, bool replace = false, const std::string& card_id = {});
    /// Ends the clarification with the user's choice (typed or clicked) and answers the question.
    void answer_clarification(turn& t, clarify_state pending, knowledge::intent choice, bool is_invoke);
    void on_action(turn& t, const nlohmann::json& data, bool is_invoke, const std::string& invoke_verb);
    void reject_action(turn& t, bool is_invoke, std::string_view error_id);
    void stale(turn& t, bool is_invoke, const std::string& text_key, knowledge::lang l);
    void show(turn& t, nlohmann::json card, bool is_invoke, bool replace);
    /// Sends `reply`, or with `replace` puts it in place of the clicked card (Action.Submit).
    void deliver(turn& t, bot::schema::activity reply, bool replace);
    /// The outcome of a click handled elsewhere (admin actions, escalations): a card (replacing the
    /// clicked one, or new) or a message.
    void show_outcome(turn& t, nlohmann::json card, const std::string& text, bool replace, bool is_invoke);
    /// The language of replies that are not answers: the saved preference, else the Teams locale.
    knowledge::lang reply_language(const turn& t) const;
    knowledge::lang answer_language(const turn& t, const knowledge::classification& c) const;
    std::vector<knowledge::articles::citation> citations_for(knowledge::intent topic, knowledge::lang l, const std::string& text) const;

    runner_parts parts_;
    runner_options options_;
    cards::card_builder cards_;
    std::unique_ptr<escalation_seam> default_escalation_;
};

} // namespace ab::dialogs
