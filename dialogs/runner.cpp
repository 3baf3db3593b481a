#include "dialogs/runner.hpp"

#include "bot/log.hpp"
#include "bot/schema/invoke.hpp"
#include "bot/schema/mention.hpp"
#include "bot/schema/reply.hpp"
#include "dialogs/text_match.hpp"
#include "knowledge/text.hpp"

#include <algorithm>

namespace ab::dialogs {

namespace {

using json = nlohmann::json;
using knowledge::intent;
using knowledge::lang;
namespace schema = bot::schema;
namespace ports = bot::ports;

/// Says "no helpdesk is connected" until issue 6 brings the escalation dialog.
class helpdesk_not_connected final : public escalation_seam {
public:
    explicit helpdesk_not_connected(const knowledge::content& c, const cards::card_builder& b) : content_(c), cards_(b) {}
    task<json> start(const schema::activity&, escalation_request r) override
    {
        co_return cards_.notice_card(content_.ui("escalate_unavailable_title", r.lang), content_.ui("escalate_unavailable", r.lang));
    }

private:
    const knowledge::content& content_;
    const cards::card_builder& cards_;
};

lang supported_or_english(lang l)
{
    return static_cast<std::size_t>(l) < knowledge::answer_language_count ? l : lang::en;
}

lang lang_of_code(const std::string& code)
{
    return supported_or_english(knowledge::lang_from_code(code));
}

std::string truncate_utf8(std::string s, std::size_t max)
{
    if (s.size() <= max)
        return s;
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
        --cut; // never split a UTF-8 sequence
    s.resize(cut);
    return s;
}

} // namespace

/// One turn's working set: the loaded state (changed in place), and what to save.
struct runner::turn {
    bot::turn::turn_context& ctx;
    conversation_state state;
    user_preferences prefs;
    bool save_state = false;
    bool save_prefs = false;
    std::vector<std::pair<std::string, json>> records; ///< (idempotency key, data) for "feedback"
    std::optional<escalation_request> escalate;
    bool escalate_invoke = false;
    actions::access who;                         ///< the sender, as far as admin actions care
    std::optional<std::pair<card_action, bool>> admin_click; ///< (verified click, is invoke)
    std::optional<std::pair<json, std::string>> admin_rejected; ///< (unverified data, error id)
    std::optional<std::pair<card_action, bool>> escalation_click; ///< (verified click, is invoke)
    std::optional<lang> status_request;                          ///< "what's the status of my request?"
};

runner::runner(runner_parts parts, runner_options options)
    : parts_(parts), options_(std::move(options)), cards_(parts.content, parts.signer, options_.clock)
{
    if (!parts_.escalation) {
        default_escalation_ = std::make_unique<helpdesk_not_connected>(parts_.content, cards_);
        parts_.escalation = default_escalation_.get();
    }
}

runner::~runner() = default;

std::string runner::conversation_key(const schema::activity& a)
{
    return "conversation/" + a.channel_id + "/" + a.conversation.id;
}

std::string runner::user_key(const schema::activity& a)
{
    return "user/" + a.channel_id + "/" + (a.from.aad_object_id.empty() ? a.from.id : a.from.aad_object_id);
}

std::string runner::apology(const schema::activity& incoming) const
{
    return parts_.content.ui("apology", lang_of_code(incoming.locale));
}

task<void> runner::on_turn(bot::turn::turn_context& ctx)
{
    // Optimistic concurrency: another instance may save this conversation between our load and
    // save. Then everything is reloaded and the turn runs once more; a second conflict is a
    // failure (the adapter apologizes).
    for (int attempt = 0; attempt < 2; ++attempt) {
        bool conflict = false;
        co_await run_once(ctx, conflict);
        if (!conflict)
            co_return;
        ctx.outgoing.clear();
        ctx.updates.clear();
        ctx.invoke.reset();
        log::info("dialogs.state_conflict", {{"correlation_id", ctx.correlation_id}, {"attempt", attempt + 1}});
    }
    throw std::runtime_error("[dialogs.state_conflict] conversation state kept changing under this turn");
}

task<void> runner::run_once(bot::turn::turn_context& ctx, bool& conflict)
{
    const schema::activity& in = ctx.incoming;
    const std::string ckey = conversation_key(in);
    const std::string ukey = user_key(in);

    // Both documents in one read (one transaction and one trip to the store's thread on SQLite).
    std::vector<std::string> keys{ckey, ukey};
    auto both = co_await parts_.states.load_many(std::move(keys));
    if (!both)
        throw std::runtime_error("[dialogs.state_unavailable] " + both.error().message());
    const std::optional<ports::stored_document>& loaded = (*both)[0];
    const std::optional<ports::stored_document>& loaded_prefs = (*both)[1];

    turn t{ctx, {}, {}, false, false, {}, {}, false, {}, {}, {}, {}, {}};
    if (loaded) {
        if (auto s = conversation_state_from(loaded->value))
            t.state = std::move(*s);
        else
            log::warn("dialogs.state_unreadable", {{"error_id", "dialogs.state_unreadable"}, {"correlation_id", ctx.correlation_id}});
    }
    if (loaded_prefs)
        if (auto p = user_preferences_from(loaded_prefs->value))
            t.prefs = std::move(*p);

    // Redelivered after a restart (or to another instance): answered before, do nothing now.
    if (!in.id.empty() && t.state.seen_activity(in.id)) {
        log::info("dialogs.duplicate", {{"correlation_id", ctx.correlation_id}, {"activity_id", in.id}});
        if (in.type == schema::activity_types::invoke)
            ctx.invoke = schema::invoke_response{200, nullptr};
        co_return;
    }

    // Admin actions need to know who this is before cards with "Apply now" are built.
    if (parts_.admin && parts_.admin->enabled() &&
        (in.type == schema::activity_types::message || in.type == schema::activity_types::invoke))
        t.who = co_await parts_.admin->who(in);

    dispatch(t);

    if (t.admin_rejected)
        co_await parts_.admin->audit_rejected(in, t.admin_rejected->first, t.admin_rejected->second, ctx.correlation_id);
    if (t.admin_click) {
        const bool is_invoke = t.admin_click->second;
        actions::admin_reply r = co_await parts_.admin->on_action(in, t.admin_click->first, ctx.correlation_id);
        show_outcome(t, std::move(r.card), r.text, r.replace, is_invoke);
    }

    if (t.escalation_click) {
        const bool is_invoke = t.escalation_click->second;
        seam_reply r = co_await parts_.escalation->on_action(in, t.escalation_click->first, ctx.correlation_id);
        show_outcome(t, std::move(r.card), r.text, r.replace, is_invoke);
    }
    if (t.status_request) {
        json card = co_await parts_.escalation->status(in, *t.status_request);
        show(t, std::move(card), false, false);
    }

    if (t.escalate) {
        json card = co_await parts_.escalation->start(in, *t.escalate);
        show(t, std::move(card), false, false);
        if (t.escalate_invoke)
            ctx.invoke = schema::message_response(parts_.content.ui("escalate_title", t.escalate->lang));
    }

    if (t.save_state) {
        if (!in.id.empty())
            t.state.remember_activity(in.id);
        const auto expected = loaded ? ports::etag_match::must_equal(loaded->etag) : ports::etag_match::must_be_absent();
        auto saved = co_await parts_.states.save(ckey, json(t.state), expected);
        if (!saved && saved.error() == ports::storage_errc::conflict) {
            conflict = true;
            co_return;
        }
        if (!saved)
            throw std::runtime_error("[dialogs.state_unavailable] " + saved.error().message());
    }
    if (t.save_prefs) {
        // Preferences are the user's own: last writer wins.
        auto saved = co_await parts_.states.save(ukey, json(t.prefs), ports::etag_match::any_version());
        if (!saved)
            throw std::runtime_error("[dialogs.state_unavailable] " + saved.error().message());
    }
    for (auto& [key, data] : t.records) {
        auto appended = co_await parts_.records.append("feedback", std::move(data), key);
        if (!appended)
            log::error("dialogs.feedback_lost", {{"error_id", "dialogs.feedback_lost"}, {"correlation_id", ctx.correlation_id},
                                                 {"error", appended.error().message()}});
    }
}

void runner::dispatch(turn& t)
{
    const schema::activity& in = t.ctx.incoming;
    if (in.type == schema::activity_types::message) {
        if (!t.ctx.text.empty()) {
            on_message_text(t, t.ctx.text);
            return;
        }
        if (in.value.is_object()) { // Action.Submit
            on_action(t, in.value, false, {});
            return;
        }
        // Only a mention, an image, a sticker ...: show what the bot can do.
        show(t, cards_.help_card(reply_language(t), new_card_id(), t.prefs.language), false, false);
        t.save_state = true;
        return;
    }
    if (in.type == schema::activity_types::invoke) {
        if (auto action = schema::adaptive_card_action_of(in); action && schema::is_invoke(in, schema::adaptive_card_action_invoke)) {
            on_action(t, action->data, true, action->verb);
        } else {
            t.ctx.invoke = schema::invoke_response{501, nullptr}; // an invoke we do not implement
        }
        return;
    }
    const bool added = (in.type == schema::activity_types::installation_update && in.action.rfind("add", 0) == 0) ||
                       (in.type == schema::activity_types::conversation_update &&
                        std::any_of(in.members_added.begin(), in.members_added.end(), [&](const auto& m) { return m.id == in.recipient.id; }));
    if (added) {
        // Teams (and the Playground, on every reload) sends installationUpdate and
        // conversationUpdate together: welcome once per conversation.
        if (!t.state.welcomed) {
            show(t, cards_.welcome_card(reply_language(t), new_card_id()), false, false);
            t.state.welcomed = true;
            t.save_state = true;
        }
        return;
    }
    if (in.type == schema::activity_types::installation_update && in.action.rfind("remove", 0) == 0) {
        t.state = conversation_state{}; // uninstalled: forget the conversation (a reinstall welcomes again)
        t.save_state = true;
    }
    // messageReaction, typing, event, other conversationUpdates: nothing to say.
}

lang runner::reply_language(const turn& t) const
{
    return lang_of_code(t.prefs.language.empty() ? t.ctx.incoming.locale : t.prefs.language);
}

lang runner::answer_language(const turn& t, const knowledge::classification& c) const
{
    if (!t.prefs.language.empty())
        return lang_of_code(t.prefs.language);
    return c.language_supported ? supported_or_english(c.language) : lang::en;
}

std::vector<knowledge::articles::citation> runner::citations_for(intent topic, lang l, const std::string& text) const
{
    if (!parts_.articles || options_.citations == 0)
        return {};
    try {
        return parts_.articles->citations(topic, l, text, options_.citations, parts_.content.topic_profile(topic, l));
    } catch (const std::exception& e) {
        // Citations are a bonus: the answer goes out without them.
        log::warn("dialogs.citations_failed", {{"error_id", "dialogs.citations_failed"}, {"what", e.what()}});
        return {};
    }
}

void runner::on_message_text(turn& t, const std::string& text)
{
    t.save_state = true;
    // "What's the status of my request?" (in the saved language first, then any of the six).
    if (auto l = parts_.escalation->status_request(text, reply_language(t))) {
        t.status_request = *l;
        return;
    }
    const auto now = options_.clock();
    const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    if (t.state.clarify && now_s - t.state.clarify->asked_at > options_.clarify_lifetime.count())
        t.state.clarify.reset(); // lapsed: treat the message as a new question

    if (t.state.clarify) {
        // A typed answer to "chat only, or work in our team?" ("just chat", "the files").
        const clarify_state pending = *t.state.clarify;
        const lang l = lang_of_code(pending.lang);
        const auto words = words_of(text);
        const bool chat = mentions_any(words, parts_.content.ui("clarify_chat_words", l)) ||
                          (l != lang::en && mentions_any(words, parts_.content.ui("clarify_chat_words", lang::en)));
        const bool team = mentions_any(words, parts_.content.ui("clarify_team_words", l)) ||
                          (l != lang::en && mentions_any(words, parts_.content.ui("clarify_team_words", lang::en)));
        std::optional<intent> choice;
        if (chat != team && words.size() <= 8)
            choice = chat ? intent::external_access : intent::guest_access;
        if (!choice) {
            const auto c = parts_.engine.classify(text, t.ctx.incoming.locale);
            if (!c.ambiguous && (c.label == intent::external_access || c.label == intent::guest_access) && words.size() <= 8)
                choice = c.label;
            else if (!c.ambiguous && c.label != intent::out_of_scope && c.label != intent::smalltalk && words.size() > 3) {
                t.state.clarify.reset(); // a new question: answer that one instead
                route_question(t, text);
                return;
            }
        }
        if (!choice) {
            show(t, cards_.notice_card({}, parts_.content.ui("clarify_again", l)), false, false);
            return;
        }
        answer_clarification(t, pending, *choice, false);
        return;
    }
    route_question(t, text);
}

void runner::route_question(turn& t, const std::string& text)
{
    const schema::activity& in = t.ctx.incoming;
    const auto c = parts_.engine.classify(text, in.locale);
    const lang l = answer_language(t, c);
    t.state.last_language = std::string(knowledge::lang_code(l));
    const std::string question = truncate_utf8(text, options_.max_question_bytes);
    const std::string domain = c.domain.value_or("");
    // Per turn: debug level, built only when enabled (the turn.done line and /metrics count turns).
    if (log::level::debug >= log::min_level())
        log::debug("dialogs.classified", {{"correlation_id", t.ctx.correlation_id},
                                          {"intent", knowledge::intent_name(c.label)},
                                          {"confidence", c.confidence},
                                          {"ambiguous", c.ambiguous},
                                          {"lang", knowledge::lang_code(l)},
                                          {"role", knowledge::role_name(c.speaker)}});
    if (c.ambiguous) {
        clarify_state pending;
        pending.card_id = new_card_id();
        pending.question = question;
        pending.lang = std::string(knowledge::lang_code(l));
        pending.role = std::string(knowledge::role_name(c.speaker));
        pending.domain = domain;
        pending.asked_at = std::chrono::duration_cast<std::chrono::seconds>(options_.clock().time_since_epoch()).count();
        show(t, cards_.clarify_card(l, pending.card_id), false, false);
        t.state.clarify = std::move(pending);
        return;
    }
    if (knowledge::is_topic(c.label)) {
        cards::answer_view v;
        v.topic = c.label;
        v.lang = l;
        v.role = c.speaker;
        v.domain = domain;
        v.question = question;
        v.language_unsupported = !c.language_supported && t.prefs.language.empty();
        v.citations = citations_for(c.label, l, text);
        answer(t, v);
        return;
    }
    if (c.label == intent::escalate) {
        t.escalate = escalation_request{question, c.label, l, domain, {}};
        return;
    }
    if (c.label == intent::smalltalk) {
        const knowledge::answer_text* a = parts_.content.answer(intent::smalltalk, l);
        show(t, cards_.help_card(l, new_card_id(), t.prefs.language, a ? a->summary : std::string()), false, false);
        return;
    }
    show(t, cards_.out_of_scope_card(l, new_card_id(), question), false, false);
}

void runner::answer(turn& t, cards::answer_view v, bool is_invoke, bool replace, const std::string& card_id)
{
    if (parts_.admin && parts_.admin->enabled()) {
        v.apply_binding = parts_.admin->offer(t.who, t.ctx.incoming, cards_.governing_setting(v.topic, !v.domain.empty()), v.domain);
        v.can_apply = v.apply_binding.is_object();
    }
    const std::string id = card_id.empty() ? new_card_id() : card_id;
    if (is_invoke && replace) { // the invoke response carries the card as a document
        show(t, cards_.answer_card(v, id), is_invoke, replace);
        return;
    }
    schema::activity reply = schema::make_reply(t.ctx.incoming);
    schema::attachment att;
    att.content_type = "application/vnd.microsoft.card.adaptive";
    att.content_json = cards_.answer_card_text(v, id);
    reply.attachments.push_back(std::move(att));
    deliver(t, std::move(reply), replace);
}

void runner::answer_clarification(turn& t, clarify_state pending, intent choice, bool is_invoke)
{
    t.state.clarify.reset();
    t.state.use_action(pending.card_id, "clarify");
    t.save_state = true;
    cards::answer_view v;
    v.topic = choice;
    v.lang = lang_of_code(pending.lang);
    v.role = pending.role == "admin" ? knowledge::role::admin : knowledge::role::user;
    v.domain = pending.domain;
    v.question = pending.question;
    v.note = parts_.content.ui(choice == intent::external_access ? "clarify_choice_external" : "clarify_choice_guest", v.lang);
    v.citations = citations_for(v.topic, v.lang, pending.question);
    answer(t, std::move(v), is_invoke, is_invoke);
}

void runner::show(turn& t, json card, bool is_invoke, bool replace)
{
    if (is_invoke && replace) {
        t.ctx.invoke = schema::card_response(std::move(card));
        return;
    }
    schema::activity reply = schema::make_reply(t.ctx.incoming);
    schema::attachment att;
    att.content_type = "application/vnd.microsoft.card.adaptive";
    att.content = std::move(card);
    reply.attachments.push_back(std::move(att));
    deliver(t, std::move(reply), replace);
}

void runner::deliver(turn& t, schema::activity reply, bool replace)
{
    if (replace && !t.ctx.incoming.reply_to_id.empty())
        t.ctx.update(t.ctx.incoming.reply_to_id, std::move(reply)); // Action.Submit: change the card in place
    else
        t.ctx.send(std::move(reply));
}

void runner::show_outcome(turn& t, json card, const std::string& text, bool replace, bool is_invoke)
{
    if (!card.is_null()) {
        show(t, std::move(card), is_invoke, replace);
        if (is_invoke && !replace)
            t.ctx.invoke = schema::invoke_response{200, nullptr}; // the card came as a new message
    } else if (is_invoke) {
        t.ctx.invoke = schema::message_response(text);
    } else {
        t.ctx.send(schema::make_reply(t.ctx.incoming, text));
    }
}

void runner::reject_action(turn& t, bool is_invoke, std::string_view error_id)
{
    // Forged, edited or foreign button data: say so, change nothing (no state is saved).
    log::warn("dialogs.action_rejected", {{"error_id", std::string(error_id)}, {"correlation_id", t.ctx.correlation_id}});
    const std::string& msg = parts_.content.ui("tampered", reply_language(t));
    if (is_invoke)
        t.ctx.invoke = schema::message_response(msg);
    else
        t.ctx.send(schema::make_reply(t.ctx.incoming, msg));
}

void runner::stale(turn& t, bool is_invoke, const std::string& text_key, lang l)
{
    const std::string& msg = parts_.content.ui(text_key, l);
    if (is_invoke)
        t.ctx.invoke = schema::message_response(msg);
    else
        t.ctx.send(schema::make_reply(t.ctx.incoming, msg));
}

void runner::on_action(turn& t, const json& data, bool is_invoke, const std::string& invoke_verb)
{
    // What the button claims to be, before it is verified (only to audit forged admin clicks).
    std::string claimed_verb = invoke_verb;
    if (claimed_verb.empty())
        if (const auto ab = data.find("ab"); ab != data.end() && ab->is_object())
            if (const auto v = ab->find("verb"); v != ab->end() && v->is_string())
                claimed_verb = v->get<std::string>();
    const bool admin_verb = parts_.admin && actions::admin_actions::handles(claimed_verb);

    auto verified = parts_.signer.verify(data);
    if (!verified) {
        const std::string_view error_id = action_error_id(static_cast<action_errc>(verified.error().value()));
        if (admin_verb)
            t.admin_rejected.emplace(data, std::string(error_id));
        reject_action(t, is_invoke, error_id);
        return;
    }
    const card_action& a = *verified;
    if (is_invoke && !invoke_verb.empty() && invoke_verb != a.verb) {
        if (admin_verb || (parts_.admin && actions::admin_actions::handles(a.verb)))
            t.admin_rejected.emplace(data, "card.verb_mismatch");
        reject_action(t, is_invoke, "card.verb_mismatch"); // the verb outside the signed data was edited
        return;
    }
    if (parts_.escalation->handles(a.verb)) {
        t.save_state = true;
        t.escalation_click.emplace(a, is_invoke);
        return;
    }
    if (parts_.admin && actions::admin_actions::handles(a.verb)) {
        t.save_state = true; // remembers the activity id: a redelivered click is not handled twice
        t.admin_click.emplace(a, is_invoke);
        return;
    }
    const lang l = lang_of_code(a.args.value("l", std::string(knowledge::lang_code(lang_of_code(t.ctx.incoming.locale)))));

    // The answer card's context, carried (signed) by its buttons.
    const auto view_of = [&](const json& args) -> std::optional<cards::answer_view> {
        const auto topic = knowledge::intent_from_name(args.value("i", ""));
        if (!topic)
            return std::nullopt;
        cards::answer_view v;
        v.topic = *topic;
        v.lang = l;
        v.role = args.value("r", "") == "admin" ? knowledge::role::admin : knowledge::role::user;
        v.domain = args.value("d", "");
        v.question = args.value("q", "");
        return v;
    };

    if (a.verb == "clarify") {
        const std::string choice = a.args.value("choice", "");
        const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(options_.clock().time_since_epoch()).count();
        const bool current = t.state.clarify && t.state.clarify->card_id == a.card_id &&
                             now_s - t.state.clarify->asked_at <= options_.clarify_lifetime.count();
        if (!current || (choice != "external" && choice != "guest")) {
            stale(t, is_invoke, "stale_click", l);
            return;
        }
        // The question card turns into the answer (invoke: in place; Submit: a new message).
        answer_clarification(t, *t.state.clarify, choice == "external" ? intent::external_access : intent::guest_access, is_invoke);
        return;
    }
    if (a.verb == "helpful") {
        auto v = view_of(a.args);
        const std::string rating = a.args.value("a", "");
        if (!v || (rating != "yes" && rating != "no")) {
            reject_action(t, is_invoke, "card.malformed");
            return;
        }
        if (!t.state.use_action(a.card_id, "feedback")) {
            stale(t, is_invoke, "feedback_already", l);
            return;
        }
        t.save_state = true;
        t.records.emplace_back(a.card_id, json{{"answer", rating},
                                               {"intent", knowledge::intent_name(v->topic)},
                                               {"lang", knowledge::lang_code(v->lang)},
                                               {"role", knowledge::role_name(v->role)},
                                               {"card", a.card_id},
                                               {"conversation_type", t.ctx.incoming.conversation.conversation_type},
                                               {"tenant", t.ctx.incoming.conversation.tenant_id}});
        v->feedback = rating;
        v->citations = citations_for(v->topic, v->lang, v->question);
        answer(t, std::move(*v), is_invoke, true, a.card_id); // same card id: the other button is used up too
        return;
    }
    if (a.verb == "ask_it") {
        auto v = view_of(a.args);
        if (!v) {
            reject_action(t, is_invoke, "card.malformed");
            return;
        }
        t.escalate = escalation_request{v->question, v->topic, v->lang, v->domain, a.card_id};
        t.escalate_invoke = is_invoke;
        return;
    }
    if (a.verb == "example") {
        const std::string q = a.args.value("q", "");
        if (q.empty()) {
            reject_action(t, is_invoke, "card.malformed");
            return;
        }
        t.save_state = true;
        route_question(t, q);
        if (is_invoke)
            t.ctx.invoke = schema::invoke_response{200, nullptr};
        return;
    }
    if (a.verb == "help") {
        show(t, cards_.help_card(l, new_card_id(), t.prefs.language), false, false);
        if (is_invoke)
            t.ctx.invoke = schema::invoke_response{200, nullptr};
        return;
    }
    if (a.verb == "set_language") {
        const std::string choice = a.inputs.value("language", "");
        const bool valid = choice == "auto" ||
                           (knowledge::lang_from_code(choice) != lang::other && static_cast<std::size_t>(knowledge::lang_from_code(choice)) < knowledge::answer_language_count &&
                            choice.size() == 2);
        if (!valid) {
            stale(t, is_invoke, "clarify_again", l); // nothing chosen that we know
            return;
        }
        t.prefs.language = choice == "auto" ? std::string() : choice;
        t.save_prefs = true;
        t.save_state = true;
        const std::string msg = choice == "auto" ? parts_.content.ui("language_saved_auto", l)
                                                 : parts_.content.ui("language_saved", lang_of_code(choice));
        if (is_invoke)
            t.ctx.invoke = schema::message_response(msg);
        else
            t.ctx.send(schema::make_reply(t.ctx.incoming, msg));
        return;
    }
    // "apply…" without admin actions configured, or any other verb: not ours.
    reject_action(t, is_invoke, "card.unknown_verb");
}

} // namespace ab::dialogs
