#include "dialogs/escalations/channel_sink.hpp"

#include "bot/schema/reply.hpp"

namespace ab::dialogs::escalations {

namespace ports = bot::ports;
using json = nlohmann::json;

cards::helpdesk_view helpdesk_view_of(const escalation& e, const knowledge::content& content, knowledge::lang l)
{
    cards::helpdesk_view v;
    v.id = e.id;
    v.status = std::string(status_name(e.state));
    v.user_name = e.user_name;
    v.language = e.lang;
    if (const auto topic = knowledge::intent_from_name(e.intent); topic && knowledge::is_topic(*topic))
        if (const auto* a = content.answer(*topic, l))
            v.need = a->title;
    v.domain = e.domain;
    v.question = e.question;
    v.summary = e.summary;
    for (const auto& h : e.history)
        if (h.event != "ticket")
            v.history.push_back({h.at, h.event, h.actor, h.text});
    for (const auto& t : e.tickets)
        if (!t.number.empty())
            v.tickets.push_back(t.number);
    return v;
}

channel_sink::channel_sink(const knowledge::content& content, const cards::card_builder& cards, escalation_service& service,
                           ports::connector& connector, channel_options opt, apply_label_fn apply_label)
    : content_(content), cards_(cards), service_(service), connector_(connector), opt_(std::move(opt)), apply_label_(std::move(apply_label))
{
}

json channel_sink::card_of(const escalation& e) const
{
    cards::helpdesk_view v = helpdesk_view_of(e, content_, opt_.lang);
    if (apply_label_)
        v.apply_label = apply_label_(e, opt_.lang);
    const json args = {{"l", knowledge::lang_code(opt_.lang)}};
    return cards_.helpdesk_card(opt_.lang, new_card_id(), v, args);
}

bot::schema::conversation_reference channel_sink::thread_of(const std::string& thread_id) const
{
    bot::schema::conversation_reference where;
    where.conversation.id = thread_id;
    where.conversation.is_group = true;
    where.conversation.tenant_id = opt_.tenant_id;
    where.channel_id = "msteams";
    where.service_url = opt_.service_url;
    where.bot.id = opt_.bot_id;
    where.bot.name = opt_.bot_name;
    const auto at = thread_id.find(";messageid=");
    where.activity_id = at == std::string::npos ? std::string() : thread_id.substr(at + 11);
    return where;
}

task<ports::delivery_result> channel_sink::deliver(const ports::escalation_event& e)
{
    ports::delivery_result r;
    auto loaded = co_await service_.load(e.escalation_id);
    if (!loaded || !*loaded) {
        r.outcome = loaded ? ports::delivery_outcome::rejected : ports::delivery_outcome::retry;
        r.error_id = loaded ? "escalation.unknown" : "escalation.storage";
        co_return r;
    }
    const escalation& esc = **loaded;
    json card = card_of(esc);
    json attachment = {{"contentType", "application/vnd.microsoft.card.adaptive"}, {"content", card}};
    if (e.external_id.empty()) {
        // A new thread in the helpdesk channel with the card as its first message.
        json parameters = {{"isGroup", true},
                           {"bot", {{"id", opt_.bot_id}, {"name", opt_.bot_name}}},
                           {"tenantId", opt_.tenant_id},
                           {"channelData", {{"channel", {{"id", opt_.channel_id}}}, {"tenant", {{"id", opt_.tenant_id}}}}},
                           {"activity", {{"type", "message"}, {"attachments", json::array({attachment})}}}};
        std::string service_url = opt_.service_url;
        auto created = co_await connector_.create_conversation(std::move(service_url), std::move(parameters));
        if (!created) {
            r.outcome = ports::delivery_outcome::retry;
            r.error_id = "helpdesk.channel_unavailable";
            r.detail = created.error().message();
            co_return r;
        }
        r.outcome = ports::delivery_outcome::delivered;
        r.external_id = *created;
        co_return r;
    }
    const auto where = thread_of(e.external_id);
    bot::schema::activity message = bot::schema::make_message(where);
    bot::schema::attachment att;
    att.content_type = "application/vnd.microsoft.card.adaptive";
    att.content = std::move(card);
    message.attachments.push_back(std::move(att));
    std::string activity_id = where.activity_id;
    auto updated = co_await connector_.update(where, std::move(activity_id), std::move(message));
    if (!updated) {
        r.outcome = ports::delivery_outcome::retry;
        r.error_id = "helpdesk.channel_unavailable";
        r.detail = updated.error().message();
        co_return r;
    }
    r.outcome = ports::delivery_outcome::delivered;
    r.external_id = e.external_id;
    co_return r;
}

} // namespace ab::dialogs::escalations
