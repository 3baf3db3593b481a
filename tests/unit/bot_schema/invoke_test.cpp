#include "bot/schema/invoke.hpp"

#include "tests/unit/bot_schema/payloads.hpp"

#include <gtest/gtest.h>

using namespace ab::bot::schema;
using namespace ab::bot::schema::test;
using nlohmann::json;

namespace {

activity invoke_with(std::string name, json value)
{
    activity a;
    a.type = "invoke";
    a.name = std::move(name);
    a.value = std::move(value);
    return a;
}

} // namespace

TEST(AdaptiveCardAction, ReadsVerbDataAndTrigger)
{
    const activity a = parsed("invoke_adaptive_card_action.json");
    EXPECT_TRUE(is_invoke(a, adaptive_card_action_invoke));
    const auto action = adaptive_card_action_of(a);
    ASSERT_TRUE(action);
    EXPECT_EQ(action->verb, "escalate_confirm");
    EXPECT_EQ(action->type, "Action.Execute");
    EXPECT_EQ(action->id, "confirm-escalation");
    EXPECT_EQ(action->trigger, "manual");
    EXPECT_EQ(action->data.at("ticket_draft"), "td-4711");
    EXPECT_EQ(action->data.at("urgency"), "high");
}

TEST(AdaptiveCardAction, OnlyForThatInvoke)
{
    EXPECT_FALSE(adaptive_card_action_of(parsed("card_submit.json"))); // Action.Submit is a message
    EXPECT_FALSE(is_invoke(parsed("card_submit.json"), adaptive_card_action_invoke));
    const json value = {{"action", {{"verb", "x"}}}};
    EXPECT_FALSE(adaptive_card_action_of(invoke_with("task/fetch", value)));
    EXPECT_FALSE(adaptive_card_action_of(invoke_with("adaptiveCard/action", nullptr)));
    EXPECT_FALSE(adaptive_card_action_of(invoke_with("adaptiveCard/action", {{"action", "verb"}})));
    EXPECT_FALSE(adaptive_card_action_of(invoke_with("adaptivecard/action", value))); // names are exact
}

TEST(AdaptiveCardAction, MissingVerbAndDataAreEmpty)
{
    const auto action = adaptive_card_action_of(invoke_with("adaptiveCard/action", {{"action", {{"verb", 7}}}}));
    ASSERT_TRUE(action);
    EXPECT_TRUE(action->verb.empty());
    EXPECT_TRUE(action->data.is_null());
    EXPECT_TRUE(action->trigger.empty());
}

TEST(InvokeResponse, CardReplacesTheCardWithHttp200)
{
    const json card = {{"type", "AdaptiveCard"}, {"version", "1.5"}, {"body", json::array()}};
    const invoke_response r = card_response(card);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, (json{{"statusCode", 200}, {"type", "application/vnd.microsoft.card.adaptive"}, {"value", card}}));
}

TEST(InvokeResponse, MessageAndError)
{
    EXPECT_EQ(message_response("Ticket HD-0001 created").body,
              (json{{"statusCode", 200},
                    {"type", "application/vnd.microsoft.activity.message"},
                    {"value", "Ticket HD-0001 created"}}));
    const invoke_response e = error_response(400, "unknown_verb", "This button is no longer supported.");
    EXPECT_EQ(e.status, 200); // processed: the outcome is in the body
    EXPECT_EQ(e.body.at("statusCode"), 400);
    EXPECT_EQ(e.body.at("type"), "application/vnd.microsoft.error");
    EXPECT_EQ(e.body.at("value").at("code"), "unknown_verb");
}

TEST(InvokeResponse, ToJson)
{
    EXPECT_EQ(json(invoke_response{}), (json{{"status", 200}}));
    EXPECT_EQ(json(invoke_response{.status = 501, .body = nullptr}), (json{{"status", 501}}));
    EXPECT_EQ(json(message_response("ok")).at("body").at("value"), "ok");
}
