#pragma once
// Admin actions (issue 5): "Apply now" on an answer card → a confirmation card
// (current value → new value, who, through what, what runs) → execute → a
// result card that replaces the confirmation. The server never trusts card
// data:
//  - every button is signed by the bot (action_data) and carries who it is for
//  (the user's Entra
//    object id), where (the conversation) and until when; another user, another
//    conversation or an expired button is refused;
//  - authorization is checked again, fresh, on every click (authorizer);
//  - parameters are validated against the catalog again at execution;
//  - a confirmation executes at most once: its action id is claimed in the
//  state store
//    (create-if-absent) before anything runs; a repeated click shows the
//    recorded result.
// Every attempt — executed, refused, cancelled, and a runbook's late report —
// is appended to the audit log (record_log kind "audit") with who, what,
// parameters, before/after, executor, result and the turn's correlation id.

#include "bot/async.hpp"
#include "bot/ports/admin.hpp"
#include "bot/ports/connector.hpp"
#include "bot/ports/storage.hpp"
#include "bot/schema/activity.hpp"
#include "dialogs/action_data.hpp"
#include "dialogs/actions/authorizer.hpp"
#include "dialogs/actions/catalog.hpp"
#include "dialogs/actions/dry_run.hpp"
#include "dialogs/cards/cards.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ab::dialogs::actions {

struct admin_parts {
    const knowledge::content& content;
    const catalog& settings;
    authorizer& auth;
    /// Real executors (Graph, runbook), asked in order; an operation none handles
    /// is a dry run.
    std::vector<bot::ports::setting_executor*> executors;
    bot::ports::state_store& states;
    bot::ports::record_log& records;
    const cards::card_builder& cards;
    /// Sends late results (runbook reports) into the conversation; null = only
    /// the audit log.
    bot::ports::connector* connector = nullptr;
};

struct admin_options {
    std::chrono::seconds offer_lifetime{std::chrono::minutes(30)};   ///< "Apply now" on an answer card
    std::chrono::seconds confirm_lifetime{std::chrono::minutes(10)}; ///< Confirm / Cancel
    std::function<std::chrono::system_clock::time_point()> clock = [] { return std::chrono::system_clock::now(); };
};

/// What the runner shows for a click.
struct admin_reply {
    nlohmann::json card;  ///< a card (or null)
    std::string text;     ///< or a message
    bool replace = false; ///< the card replaces the clicked card
                          ///< (confirm/cancel); else a new message
};

/// A late result from an asynchronous executor (the runbook's signed callback,
/// already verified).
struct executor_report {
    std::string id; ///< the action id
    std::string operation;
    std::string status; ///< "applied", "already_set" or "failed"
    nlohmann::json before;
    nlohmann::json after;
    std::string error;
    std::string reference; ///< e.g. the runbook job id
};

enum class report_status {
    recorded,         ///< stored, audited, the user's card updated
    already_recorded, ///< this action already has its final result (a repeated
                      ///< callback)
    unknown_action,   ///< no pending action with that id
    mismatch,         ///< the operation differs from what was requested
    bad_status,       ///< status is not one of the three
    unavailable,      ///< storage failed; the sender should retry
};

/// Storage key of an action's record.
std::string action_key(std::string_view action_id);

class admin_actions {
public:
    admin_actions(admin_parts parts, admin_options options = {});

    /// Anyone could be an admin (otherwise no "Apply now" is ever shown).
    bool enabled() const { return parts_.auth.enabled(); }

    /// What is known about the sender (cached directory lookup; for showing
    /// buttons only).
    task<access> who(const bot::schema::activity& a) { return parts_.auth.lookup(a, false); }

    /// The binding to sign into an "Apply now" button for setting `s` on an
    /// answer card, or null when the sender may not apply it (or it needs a
    /// domain the question did not name).
    nlohmann::json offer(const access& who, const bot::schema::activity& in, const knowledge::setting* s, const std::string& domain) const;

    /// True for the verbs handled here.
    static bool handles(std::string_view verb) { return verb == "apply" || verb == "apply_confirm" || verb == "apply_cancel"; }

    /// A verified click on apply / apply_confirm / apply_cancel.
    task<admin_reply> on_action(const bot::schema::activity& in, const card_action& a, std::string correlation_id);

    /// Audits a click on an admin button whose data failed verification (forged,
    /// edited, foreign).
    task<void> audit_rejected(const bot::schema::activity& in, const nlohmann::json& data, std::string error_id,
                              std::string correlation_id);

    /// Records a late result (runbook callback) and updates the admin's card.
    task<report_status> complete(executor_report report, std::string correlation_id);

private:
    struct click;
    bot::ports::setting_executor& executor_for(std::string_view operation);
    cards::change_view view_of(const executable_setting& s, const nlohmann::json& parameters, knowledge::lang l, std::string executor,
                               std::string requested_by, std::string action_id) const;
    bot::ports::setting_change change_of(const click& c, std::string id, nlohmann::json parameters) const;
    task<admin_reply> propose(click& c);
    task<admin_reply> confirm(click& c);
    task<admin_reply> cancel(click& c);
    /// The recorded outcome of an action id used before (result, cancelled or
    /// still running).
    task<admin_reply> prior_outcome(click& c, const cards::change_view& v, const nlohmann::json& parameters);
    task<admin_reply> deny(click& c, std::string reason, std::string text_key);
    task<void> audit(nlohmann::json entry, std::string idempotency_key, const std::string& correlation_id);

    admin_parts parts_;
    admin_options options_;
    dry_run_executor dry_run_;
};

} // namespace ab::dialogs::actions
