#pragma once
// Adaptive Card builders (house style 7.3 rule 16: <noun>_card()). Pure functions of their
// inputs: no I/O, no state, so every card can be written out as a golden file and checked with
// Microsoft's renderer (tests/golden/cards, ../shared/realclient cards).
//
// Teams rules kept here (../shared/reference/bot-framework-protocol.md §5): version 1.5 (Action.Execute
// needs 1.4), every Action.Execute has a verb and an Action.Submit fallback with the same data
// (Teams mobile), markdown only in TextBlocks (bold, lists, links), well under 28 KB, at most
// 6 top-level actions, OpenUrl only with absolute https URLs.

#include "bot/ports/admin.hpp"
#include "dialogs/action_data.hpp"
#include "knowledge/articles/index.hpp"
#include "knowledge/content.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ab::dialogs::cards {

/// Everything an answer card shows. The same context re-renders the card after a click.
struct answer_view {
    knowledge::intent topic = knowledge::intent::external_access;
    knowledge::lang lang = knowledge::lang::en;
    knowledge::role role = knowledge::role::user;
    std::string domain;                                  ///< organization domain, or empty
    std::string question;                                ///< what was asked (for Ask IT; truncated)
    std::vector<knowledge::articles::citation> citations; ///< 0-3
    bool language_unsupported = false;                   ///< the user wrote in a language we don't speak
    std::string note;                                    ///< a line above the answer ("You chose: …"), or empty
    std::string feedback;                                ///< "", "yes" or "no": shown instead of the buttons once given
    bool can_apply = false;                              ///< the user may apply the setting (admin actions, issue 5)
    nlohmann::json apply_binding;                        ///< signed into "Apply now": who, where, until when
};

/// An admin change, for the confirmation and result cards (admin actions).
struct change_view {
    knowledge::lang lang = knowledge::lang::en;
    const knowledge::setting* setting = nullptr;
    std::string label;        ///< the setting's action label, filled ("Allow fabrikam.com for external access")
    std::string target;       ///< the target state ("AllowedDomains + fabrikam.com")
    std::string executor;     ///< "graph", "runbook" or "dry-run"
    std::string requested_by; ///< display name of the admin
    std::string action_id;
    std::vector<std::string> steps;    ///< what will run / ran / would run
    bot::ports::current_value current; ///< confirmation: the value read now
    int expires_minutes = 10;          ///< confirmation: how long the buttons work
};

/// One escalation as the user sees it (sent card, status list).
struct escalation_view {
    std::string id;
    std::string summary;
    std::string status;     ///< open, acknowledged, resolved, cancelled
    std::vector<std::string> tickets; ///< "INC0010002", ...
    std::string last_reply; ///< the helpdesk's last reply, or ""
    bool can_cancel = false;
};

/// An escalation as the helpdesk sees it (the card in the helpdesk channel).
struct helpdesk_view {
    std::string id, status, user_name, language, need, domain, question, summary;
    struct entry {
        std::string at, event, actor, text;
    };
    std::vector<entry> history;
    std::vector<std::string> tickets;
    std::string apply_label; ///< "Approve & apply: Allow fabrikam.com …" when a setting can be applied, else ""
};

/// Builds cards in the user's language from the built-in content; buttons are signed.
class card_builder {
public:
    using clock_fn = std::function<std::chrono::system_clock::time_point()>;
    /// `clock` stamps the button data (a fixed clock makes cards reproducible: golden files).
    card_builder(const knowledge::content& content, const action_signer& signer, clock_fn clock = {});

    nlohmann::json answer_card(const answer_view& v, const std::string& card_id) const;
    /// The same card as answer_card(), serialized (`answer_card(v, id).dump()` parses to the same
    /// document). Everything but the buttons' signed data is rendered once per distinct answer
    /// (topic, language, role, domain, citations, note, feedback state, Apply now) and kept, so a
    /// repeated answer costs only its signatures: the endpoint's main path.
    std::string answer_card_text(const answer_view& v, const std::string& card_id) const;
    /// "Chat only, or work in our team?" with two buttons.
    nlohmann::json clarify_card(knowledge::lang l, const std::string& card_id) const;
    nlohmann::json welcome_card(knowledge::lang l, const std::string& card_id) const;
    /// `language_pref`: the saved answer language ("" = detect), preselected in the chooser.
    nlohmann::json help_card(knowledge::lang l, const std::string& card_id, const std::string& language_pref,
                             const std::string& lead = {}) const;
    nlohmann::json out_of_scope_card(knowledge::lang l, const std::string& card_id, const std::string& question) const;
    /// "Confirm the change": current value → target, who, via what, what runs; Confirm / Cancel.
    nlohmann::json confirm_card(const change_view& v, const std::string& card_id, const nlohmann::json& confirm_args,
                                const nlohmann::json& cancel_args) const;
    /// The outcome of a change (applied, already set, pending, failed, dry run) or "cancelled"
    /// (`result` null). Replaces the confirmation card.
    nlohmann::json result_card(const change_view& v, const bot::ports::change_result* result) const;

    /// "Send this to the IT helpdesk?": the question, the detected need, an editable summary;
    /// Send / Don't send (both carry `args`).
    nlohmann::json escalation_confirm_card(knowledge::lang l, const std::string& card_id, const std::string& question, const std::string& need,
                                           const std::string& summary, const nlohmann::json& args) const;
    /// "Sent to the IT helpdesk" with the reference and status.
    nlohmann::json escalation_sent_card(knowledge::lang l, const escalation_view& v) const;
    /// The user's requests, newest first; open ones with a Cancel button (args + "id").
    nlohmann::json escalation_status_card(knowledge::lang l, const std::string& card_id, const std::vector<escalation_view>& list,
                                          const nlohmann::json& args) const;

    /// The helpdesk channel's card of one escalation: details, history, reply box; Acknowledge,
    /// Send reply, Approve & apply, Resolve while it is open (buttons carry `args` + "id").
    nlohmann::json helpdesk_card(knowledge::lang l, const std::string& card_id, const helpdesk_view& v, const nlohmann::json& args) const;

    /// A short card with a title and a text (notices: language saved, helpdesk not connected, …).
    nlohmann::json notice_card(const std::string& title, const std::string& text) const;

    /// The setting an answer card names for `topic` (with a domain: the one that takes it).
    const knowledge::setting* governing_setting(knowledge::intent topic, bool has_domain) const;

    card_builder(const card_builder&) = delete;
    card_builder& operator=(const card_builder&) = delete;
    ~card_builder();

private:
    struct answer_button {
        std::string title;
        std::string_view verb;
        nlohmann::json args;
    };
    struct answer_buttons {
        std::vector<answer_button> list; ///< in card order: feedback yes/no, then Apply now, then Ask IT
        std::size_t feedback = 0;        ///< how many of the first ones are the feedback pair
    };
    struct template_cache;

    nlohmann::json examples(knowledge::lang l, const std::string& card_id) const;
    nlohmann::json button(const std::string& title, std::string_view verb, const std::string& card_id, nlohmann::json args) const;
    answer_buttons buttons_of(const answer_view& v, const knowledge::setting* s) const;
    /// The answer card with button i's `data` from `data_of(i)`.
    nlohmann::json answer_document(const answer_view& v, const knowledge::setting* s, const answer_buttons& buttons,
                                   const std::function<nlohmann::json(std::size_t)>& data_of) const;

    const knowledge::content& content_;
    const action_signer& signer_;
    clock_fn clock_;
    std::unique_ptr<template_cache> templates_;
};

/// The attachment wrapper Teams expects around a card.
nlohmann::json attachment_of(nlohmann::json card);

/// Replaces {name} in `text` (UI strings like "Ask IT to allow {domain}").
std::string fill(std::string text, std::string_view name, std::string_view value);

/// Escapes the characters Teams' card markdown would interpret (for text that comes from users).
std::string escape_markdown(std::string_view text);

} // namespace ab::dialogs::cards
