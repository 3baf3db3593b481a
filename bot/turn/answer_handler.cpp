#include "bot/turn/answer_handler.hpp"

#include "bot/schema/invoke.hpp"
#include "bot/schema/reply.hpp"

#include <cmath>

namespace ab::bot::turn {

namespace {

using json = nlohmann::json;

json text_block(std::string text, bool bold = false)
{
    json t = {{"type", "TextBlock"}, {"text", std::move(text)}, {"wrap", true}};
    if (bold) {
        t["weight"] = "Bolder";
        t["size"] = "Medium";
    }
    return t;
}

json card_of(json body, json actions = json::array())
{
    json c = {{"type", "AdaptiveCard"},
              {"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
              {"version", "1.5"},
              {"body", std::move(body)}};
    if (!actions.empty())
        c["actions"] = std::move(actions);
    return c;
}

knowledge::lang language_of(const schema::activity& a)
{
    const auto l = knowledge::lang_from_code(a.locale);
    return static_cast<std::size_t>(l) < knowledge::answer_language_count ? l : knowledge::lang::en;
}

} // namespace

json answer_handler::answer_card(const knowledge::classification& c) const
{
    const auto l = c.language;
    json body = json::array();
    if (const knowledge::answer_text* a = content_.answer(c.label, l)) {
        body.push_back(text_block(a->title, true));
        body.push_back(text_block(a->summary));
    }
    if (c.ambiguous)
        body.push_back(text_block(content_.ui("clarify_question", l)));
    const int pct = static_cast<int>(std::lround(c.confidence * 100.0f));
    json facts = json::array({{{"title", content_.ui("confidence_label", l)}, {"value", std::to_string(pct) + " %"}}});
    if (c.domain)
        facts.push_back({{"title", "Domain"}, {"value", *c.domain}});
    body.push_back({{"type", "FactSet"}, {"facts", facts}});
    json actions = json::array();
    const auto settings = content_.settings_for(c.label);
    if (!settings.empty() && !settings.front()->deep_link.empty() && settings.front()->deep_link.find('{') == std::string::npos)
        actions.push_back({{"type", "Action.OpenUrl"}, {"title", content_.ui("open_admin_center", l)}, {"url", settings.front()->deep_link}});
    return card_of(std::move(body), std::move(actions));
}

json answer_handler::welcome_card(knowledge::lang l) const
{
    return card_of(json::array({text_block(content_.ui("welcome_title", l), true), text_block(content_.ui("welcome_text", l))}));
}

schema::activity answer_handler::card_reply(const schema::activity& incoming, json card) const
{
    schema::activity r = schema::make_reply(incoming);
    schema::attachment att;
    att.content_type = "application/vnd.microsoft.card.adaptive";
    att.content = std::move(card);
    r.attachments.push_back(std::move(att));
    return r;
}

task<void> answer_handler::on_turn(turn_context& ctx)
{
    const schema::activity& in = ctx.incoming;
    if (in.type == schema::activity_types::message) {
        if (ctx.text.empty() && !in.value.is_null()) {
            // An Action.Submit from a card: acknowledged; the dialogs (issue 4) act on it.
            ctx.send(schema::make_reply(in, content_.ui("feedback_thanks", language_of(in))));
            co_return;
        }
        const knowledge::classification c = engine_.classify(ctx.text, in.locale);
        ctx.send(card_reply(in, answer_card(c)));
        co_return;
    }
    if (in.type == schema::activity_types::conversation_update) {
        for (const auto& m : in.members_added)
            if (m.id == in.recipient.id) {
                ctx.send(card_reply(in, welcome_card(language_of(in))));
                break;
            }
        co_return;
    }
    if (in.type == schema::activity_types::installation_update) {
        if (in.action.rfind("add", 0) == 0)
            ctx.send(card_reply(in, welcome_card(language_of(in))));
        co_return;
    }
    if (in.type == schema::activity_types::invoke) {
        if (schema::is_invoke(in, schema::adaptive_card_action_invoke)) {
            const auto l = language_of(in);
            ctx.invoke = schema::card_response(card_of(json::array({text_block(content_.ui("feedback_thanks", l))})));
        } else {
            ctx.invoke = schema::invoke_response{501, nullptr}; // an invoke we do not implement
        }
        co_return;
    }
    // messageReaction, typing, event ...: nothing to say.
    co_return;
}

std::string answer_handler::apology(const schema::activity& incoming) const
{
    return content_.ui("apology", language_of(incoming));
}

} // namespace ab::bot::turn
