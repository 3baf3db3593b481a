#pragma once
// The escalation dialog (issue 6), behind dialogs::escalation_seam:
//  - start: "Send this to the IT helpdesk?" with the question, the detected need and an editable
//    summary. Nothing is sent yet; the card carries a fresh escalation id, so Send clicked twice
//    (or redelivered) creates one escalation.
//  - esc_send: creates the escalation (record + outbox deliveries in one transaction), wakes the
//    outbox worker, replaces the card with "Sent to the IT helpdesk" and the reference.
//  - esc_discard: "Nothing was sent".
//  - status ("what's the status of my request?", six languages) and esc_cancel (the user's own,
//    open or acknowledged requests only; the helpdesk sinks are told).
// Buttons are signed (action_data) and bound to the user who asked.

#include "dialogs/cards/cards.hpp"
#include "dialogs/escalation.hpp"
#include "dialogs/escalations/service.hpp"
#include "dialogs/text_match.hpp"
#include "knowledge/content.hpp"

#include <array>
#include <functional>

namespace ab::dialogs::escalations {

/// What the helpdesk side needs from the composition (serve): who is on the helpdesk, the
/// channel card of an escalation, and the admin's "Apply now" card for Approve & apply.
struct helpdesk_hooks {
    std::function<bool(const bot::schema::activity&)> is_member;
    std::function<nlohmann::json(const escalation&)> card;
    std::function<task<nlohmann::json>(const bot::schema::activity&, const escalation&)> apply_card;
};

class escalation_dialog final : public escalation_seam {
public:
    escalation_dialog(const knowledge::content& content, const cards::card_builder& cards, escalation_service& service,
                      std::function<void()> wake_worker = {}, helpdesk_hooks helpdesk = {});

    task<nlohmann::json> start(const bot::schema::activity& from, escalation_request request) override;
    bool handles(std::string_view verb) const override;
    task<seam_reply> on_action(const bot::schema::activity& in, const card_action& a, std::string correlation_id) override;
    std::optional<knowledge::lang> status_request(const std::string& text, knowledge::lang preferred) const override;
    task<nlohmann::json> status(const bot::schema::activity& in, knowledge::lang l) override;

private:
    task<seam_reply> helpdesk_action(const bot::schema::activity& in, const card_action& a, std::string correlation_id, knowledge::lang l);
    static std::string user_of(const bot::schema::activity& a);
    cards::escalation_view view_of(const escalation& e) const;

    const knowledge::content& content_;
    const cards::card_builder& cards_;
    escalation_service& service_;
    std::function<void()> wake_;
    helpdesk_hooks helpdesk_;
    std::array<phrase_list, knowledge::answer_language_count> status_phrases_; ///< per language, tokenized once
};

} // namespace ab::dialogs::escalations
