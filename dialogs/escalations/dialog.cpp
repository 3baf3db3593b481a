#include "dialogs/escalations/dialog.hpp"

#include "bot/log.hpp"
#include "bot/schema/reply.hpp"
#include "dialogs/text_match.hpp"
#include "knowledge/text.hpp"

#include <algorithm>
#include <cstdint>

namespace ab::dialogs::escalations {

namespace {

using json = nlohmann::json;
using knowledge::lang;

/// 12 hex digits of FNV-1a 64 over `s`: the same input gives the same id in every process.
std::string stable_id(const std::string& s)
{
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 12; ++i)
        out.push_back(hex[(h >> (60 - 4 * i)) & 0xF]);
    return out;
}

lang lang_of(const std::string& code)
{
    const lang l = knowledge::lang_from_code(code);
    return static_cast<std::size_t>(l) < knowledge::answer_language_count ? l : lang::en;
}

std::string trimmed(std::string s, std::size_t max)
{
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        return {};
    s = s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
    if (s.size() > max) {
        std::size_t cut = max;
        while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
            --cut;
        s.resize(cut);
    }
    return s;
}

} // namespace

escalation_dialog::escalation_dialog(const knowledge::content& content, const cards::card_builder& cards, escalation_service& service,
                                     std::function<void()> wake_worker, helpdesk_hooks helpdesk)
    : content_(content), cards_(cards), service_(service), wake_(std::move(wake_worker)), helpdesk_(std::move(helpdesk))
{
    for (std::size_t i = 0; i < knowledge::answer_language_count; ++i)
        status_phrases_[i] = phrases_of(content_.ui("esc_status_words", static_cast<lang>(i)));
}

std::string escalation_dialog::user_of(const bot::schema::activity& a)
{
    return a.from.aad_object_id.empty() ? a.from.id : a.from.aad_object_id;
}

bool escalation_dialog::handles(std::string_view verb) const
{
    return verb == "esc_send" || verb == "esc_discard" || verb == "esc_cancel" || verb == "esc_ack" || verb == "esc_reply" ||
           verb == "esc_resolve" || verb == "esc_apply";
}

cards::escalation_view escalation_dialog::view_of(const escalation& e) const
{
    cards::escalation_view v;
    v.id = e.id;
    v.summary = e.summary;
    v.status = std::string(status_name(e.state));
    for (const auto& t : e.tickets)
        if (!t.number.empty())
            v.tickets.push_back(t.number);
    for (const auto& h : e.history)
        if (h.event == "replied")
            v.last_reply = h.text;
    v.can_cancel = e.state == status::open || e.state == status::acknowledged;
    return v;
}

task<json> escalation_dialog::start(const bot::schema::activity& from, escalation_request r)
{
    const lang l = r.lang;
    std::string need;
    if (knowledge::is_topic(r.topic))
        if (const auto* a = content_.answer(r.topic, l))
            need = a->title;
    std::string summary = r.domain.empty() ? cards::fill(content_.ui("esc_summary_default", l), "question", r.question)
                                           : cards::fill(cards::fill(content_.ui("esc_summary_domain", l), "domain", r.domain), "question",
                                                         r.question);
    // One escalation per answer card and user: Ask IT clicked twice on the same card (and Send on
    // both confirmations) creates one. Typed requests get a fresh id.
    const std::string id = r.card_id.empty() ? "esc-" + new_card_id() : "esc-" + stable_id(r.card_id + "|" + user_of(from));
    const json args = {{"e", id},
                       {"q", r.question},
                       {"i", knowledge::intent_name(r.topic)},
                       {"l", knowledge::lang_code(l)},
                       {"d", r.domain},
                       {"u", user_of(from)}};
    co_return cards_.escalation_confirm_card(l, new_card_id(), r.question, need, trimmed(summary, 1000), args);
}

task<seam_reply> escalation_dialog::on_action(const bot::schema::activity& in, const card_action& a, std::string correlation_id)
{
    const lang l = lang_of(a.args.value("l", std::string("en")));
    if (a.verb == "esc_ack" || a.verb == "esc_reply" || a.verb == "esc_resolve" || a.verb == "esc_apply")
        co_return co_await helpdesk_action(in, a, correlation_id, l);
    if (a.args.value("u", "") != user_of(in)) {
        log::warn("escalation.not_yours", {{"error_id", "escalation.not_yours"}, {"correlation_id", correlation_id}});
        co_return seam_reply{nullptr, content_.ui("admin_not_yours", l), false};
    }
    if (a.verb == "esc_discard")
        co_return seam_reply{cards_.notice_card({}, content_.ui("esc_not_sent", l)), {}, true};

    if (a.verb == "esc_send") {
        escalation e;
        e.id = a.args.value("e", "");
        if (e.id.rfind("esc-", 0) != 0 || e.id.size() != 16)
            co_return seam_reply{nullptr, content_.ui("tampered", l), false};
        e.question = a.args.value("q", "");
        e.intent = a.args.value("i", "");
        e.lang = std::string(knowledge::lang_code(l));
        e.domain = a.args.value("d", "");
        e.summary = trimmed(a.inputs.value("summary", ""), 1000);
        if (e.summary.empty())
            e.summary = trimmed(e.question, 1000);
        e.user_id = in.from.id;
        e.user_aad_object_id = in.from.aad_object_id;
        e.user_name = in.from.name;
        e.tenant_id = in.conversation.tenant_id;
        e.reference = bot::schema::reference_of(in);
        bool created = false;
        auto saved = co_await service_.create(std::move(e), created);
        if (!saved) {
            log::error("escalation.not_saved", {{"error_id", "escalation.not_saved"}, {"correlation_id", correlation_id},
                                                {"error", saved.error().message()}});
            co_return seam_reply{nullptr, content_.ui("admin_unavailable", l), false};
        }
        if (!created && user_of(in) != (saved->user_aad_object_id.empty() ? saved->user_id : saved->user_aad_object_id))
            co_return seam_reply{nullptr, content_.ui("tampered", l), false}; // someone else's request: never shown
        log::info("escalation.created", {{"correlation_id", correlation_id}, {"escalation_id", saved->id}, {"new", created}});
        if (created && wake_)
            wake_();
        co_return seam_reply{cards_.escalation_sent_card(l, view_of(*saved)), {}, true};
    }

    // esc_cancel: the user's own request, while the helpdesk has not resolved it.
    const std::string id = a.args.value("id", "");
    auto loaded = co_await service_.load(id);
    if (!loaded || !*loaded || user_of(in) != ((*loaded)->user_aad_object_id.empty() ? (*loaded)->user_id : (*loaded)->user_aad_object_id))
        co_return seam_reply{nullptr, content_.ui("tampered", l), false};
    std::string event = "cancelled";
    auto changed = co_await service_.change(id, status::cancelled, std::move(event), in.from.name, std::string(), true);
    if (!changed) {
        const std::string st = content_.ui("esc_status_" + std::string(status_name((*loaded)->state)), l);
        co_return seam_reply{nullptr, cards::fill(cards::fill(content_.ui("esc_cannot_cancel", l), "id", id), "status", st), false};
    }
    if (wake_)
        wake_();
    json card = co_await status(in, l);
    co_return seam_reply{std::move(card), cards::fill(content_.ui("esc_cancelled", l), "id", id), true};
}

task<seam_reply> escalation_dialog::helpdesk_action(const bot::schema::activity& in, const card_action& a, std::string correlation_id, lang l)
{
    // Helpdesk cards are not bound to one person: whoever acts must be a helpdesk member (or an
    // admin), checked on every click.
    if (!helpdesk_.is_member || !helpdesk_.is_member(in)) {
        log::warn("escalation.not_helpdesk", {{"error_id", "escalation.not_helpdesk"}, {"correlation_id", correlation_id}});
        co_return seam_reply{nullptr, content_.ui("hd_not_member", l), false};
    }
    const std::string id = a.args.value("id", "");
    auto loaded = co_await service_.load(id);
    if (!loaded || !*loaded)
        co_return seam_reply{nullptr, content_.ui("tampered", l), false};
    if (a.verb == "esc_apply") {
        json card;
        if (helpdesk_.apply_card)
            card = co_await helpdesk_.apply_card(in, **loaded);
        if (card.is_null())
            co_return seam_reply{nullptr, content_.ui("admin_denied", l), false};
        co_return seam_reply{std::move(card), {}, false}; // the admin's Apply now, as a new card in the thread
    }
    escalations::status to = (*loaded)->state;
    std::string event;
    std::string text;
    if (a.verb == "esc_ack") {
        to = escalations::status::acknowledged;
        event = "acknowledged";
    } else if (a.verb == "esc_resolve") {
        to = escalations::status::resolved;
        event = "resolved";
        text = trimmed(a.inputs.value("reply", ""), 2000);
    } else {
        event = "replied";
        text = trimmed(a.inputs.value("reply", ""), 2000);
        if (text.empty())
            co_return seam_reply{nullptr, content_.ui("hd_empty_reply", l), false};
        if ((*loaded)->state == escalations::status::open)
            to = escalations::status::acknowledged; // a reply picks the request up
    }
    std::string actor = in.from.name;
    auto changed = co_await service_.change(id, to, std::move(event), std::move(actor), std::move(text), false);
    if (!changed) {
        const std::string st = content_.ui("esc_status_" + std::string(status_name((*loaded)->state)), l);
        co_return seam_reply{nullptr, cards::fill(cards::fill(content_.ui("esc_cannot_cancel", l), "id", id), "status", st), false};
    }
    log::info("escalation.changed", {{"correlation_id", correlation_id}, {"escalation_id", id}, {"status", status_name(changed->state)}});
    if (wake_)
        wake_();
    seam_reply reply;
    reply.replace = true;
    if (helpdesk_.card)
        reply.card = helpdesk_.card(*changed);
    else
        reply.text = content_.ui("esc_status_" + std::string(status_name(changed->state)), l);
    co_return reply;
}

std::optional<lang> escalation_dialog::status_request(const std::string& text, lang preferred) const
{
    const auto words = words_of(text);
    if (words.size() > 14)
        return std::nullopt;
    const auto matches = [&](lang l) { return mentions_any(words, status_phrases_[static_cast<std::size_t>(l)]); };
    if (matches(preferred) || matches(lang::en))
        return preferred;
    for (std::size_t i = 0; i < knowledge::answer_language_count; ++i)
        if (matches(static_cast<lang>(i)))
            return static_cast<lang>(i);
    return std::nullopt;
}

task<json> escalation_dialog::status(const bot::schema::activity& in, lang l)
{
    auto list = co_await service_.of_user(in, 5);
    std::vector<cards::escalation_view> views;
    if (list)
        for (const auto& e : *list)
            views.push_back(view_of(e));
    const json args = {{"l", knowledge::lang_code(l)}, {"u", user_of(in)}};
    co_return cards_.escalation_status_card(l, new_card_id(), views, args);
}

} // namespace ab::dialogs::escalations
