#include "bot/turn/adapter.hpp"

#include "bot/schema/invoke.hpp"
#include "bot/schema/reply.hpp"
#include "tests/support/recording_connector.hpp"
#include "tests/support/run_sync.hpp"
#include "tests/support/shared_engine.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <gtest/gtest.h>

using namespace ab;
using namespace ab::bot;

namespace {

schema::activity message(std::string text, std::string id = "act-1", std::string conversation = "a:conv-1",
                         std::string locale = "en-US")
{
    const nlohmann::json j = {{"type", "message"},
                              {"id", id},
                              {"serviceUrl", "https://smba.trafficmanager.net/emea/"},
                              {"channelId", "msteams"},
                              {"from", {{"id", "29:user"}, {"name", "Anna"}, {"aadObjectId", "aad-1"}}},
                              {"recipient", {{"id", "28:bot"}, {"name", "access-bot"}}},
                              {"conversation", {{"id", conversation}, {"conversationType", "personal"}}},
                              {"text", text},
                              {"locale", locale}};
    auto r = schema::parse_activity(j.dump());
    EXPECT_TRUE(r.has_value());
    return *r;
}

// Echoes messages (and replaces an earlier card), answers card invokes in the body, says hello
// when added: enough to watch the adapter. The real conversation is tested in unit/dialogs.
class echo_handler : public turn::handler {
public:
    task<void> on_turn(turn::turn_context& ctx) override
    {
        const auto& in = ctx.incoming;
        if (in.type == schema::activity_types::message) {
            ctx.send(schema::make_reply(in, "you said: " + ctx.text));
            ctx.update("earlier-card", schema::make_reply(in, "replaced"));
        } else if (in.type == schema::activity_types::invoke) {
            if (schema::is_invoke(in, schema::adaptive_card_action_invoke))
                ctx.invoke = schema::card_response({{"type", "AdaptiveCard"}, {"version", "1.5"}});
            else
                ctx.invoke = schema::invoke_response{501, nullptr};
        } else if (in.type == schema::activity_types::conversation_update) {
            ctx.send(schema::make_reply(in, "hello"));
        }
        co_return;
    }
    std::string apology(const schema::activity&) const override { return "sorry"; }
};

struct fixture {
    test::recording_connector connector;
    echo_handler handler;
    turn::adapter adapter{connector, handler};
};

// A handler that takes time, to observe ordering.
class slow_handler : public turn::handler {
public:
    std::vector<std::string> events;
    task<void> on_turn(turn::turn_context& ctx) override
    {
        events.push_back("start " + ctx.incoming.id);
        net::steady_timer t(co_await net::this_coro::executor, std::chrono::milliseconds(20));
        co_await t.async_wait(net::use_awaitable);
        events.push_back("end " + ctx.incoming.id);
    }
    std::string apology(const schema::activity&) const override { return "sorry"; }
};

class throwing_handler : public turn::handler {
public:
    task<void> on_turn(turn::turn_context&) override
    {
        throw std::runtime_error("boom");
        co_return;
    }
    std::string apology(const schema::activity&) const override { return "Sorry, something went wrong."; }
};

} // namespace

TEST(TurnAdapter, SendsWhatTheHandlerSaysAsRepliesAndUpdates)
{
    fixture f;
    const auto out = test::run_sync(f.adapter.process(message("Hoe voeg ik een gast toe aan mijn team?", "m1", "a:conv", "en-US")));
    EXPECT_EQ(out.what, turn::turn_outcome::kind::handled);
    ASSERT_EQ(f.connector.activities.size(), 2u);
    const auto& sent = f.connector.activities[0];
    EXPECT_EQ(sent.kind, "reply");
    EXPECT_EQ(sent.reply_to_id, "m1");
    EXPECT_EQ(sent.activity.text, "you said: Hoe voeg ik een gast toe aan mijn team?");
    const auto& updated = f.connector.activities[1];
    EXPECT_EQ(updated.kind, "update");
    EXPECT_EQ(updated.reply_to_id, "earlier-card");
    EXPECT_EQ(out.sent, 2u);
}

TEST(TurnAdapter, RedeliveredActivityIsAnsweredOnce)
{
    fixture f;
    net::io_context ioc;
    const auto a = test::run_sync(ioc, f.adapter.process(message("hi", "same-id")));
    const auto b = test::run_sync(ioc, f.adapter.process(message("hi", "same-id")));
    EXPECT_EQ(a.what, turn::turn_outcome::kind::handled);
    EXPECT_EQ(b.what, turn::turn_outcome::kind::duplicate);
    EXPECT_EQ(f.connector.activities.size(), 2u); // the reply and the update of the first turn only
}

TEST(TurnAdapter, OneTurnAtATimePerConversation)
{
    test::recording_connector connector;
    slow_handler h;
    turn::adapter adapter{connector, h};
    net::io_context ioc;
    int done = 0;
    auto run = [&](schema::activity a) -> task<void> {
        co_await adapter.process(std::move(a));
        ++done;
    };
    net::co_spawn(ioc, run(message("one", "1", "a:same")), net::detached);
    net::co_spawn(ioc, run(message("two", "2", "a:same")), net::detached);
    net::co_spawn(ioc, run(message("three", "3", "a:other")), net::detached);
    ioc.run();
    EXPECT_EQ(done, 3);
    // Same conversation: strictly one after the other. Other conversation: overlaps.
    const auto& e = h.events;
    auto pos = [&](const std::string& s) { return std::find(e.begin(), e.end(), s) - e.begin(); };
    EXPECT_LT(pos("end 1"), pos("start 2"));
    EXPECT_LT(pos("start 3"), pos("end 1"));
    EXPECT_EQ(adapter.busy_conversations(), 0u);
}

TEST(TurnAdapter, FailedTurnApologizes)
{
    test::recording_connector connector;
    throwing_handler h;
    turn::adapter adapter{connector, h};
    const auto out = test::run_sync(adapter.process(message("anything")));
    EXPECT_EQ(out.what, turn::turn_outcome::kind::failed);
    ASSERT_EQ(connector.activities.size(), 1u);
    EXPECT_EQ(connector.activities[0].activity.text, "Sorry, something went wrong.");
}

TEST(TurnAdapter, ConnectorFailureIsCountedNotThrown)
{
    fixture f;
    f.connector.fail = true;
    const auto out = test::run_sync(f.adapter.process(message("how do I add a guest?")));
    EXPECT_EQ(out.sent, 0u);
    EXPECT_EQ(out.send_failures, 2u);
}

TEST(TurnAdapter, InvokesAreAnsweredInTheHttpBody)
{
    fixture f;
    const nlohmann::json j = nlohmann::json::parse(R"({"type":"invoke","name":"adaptiveCard/action","id":"inv1",
      "serviceUrl":"https://smba.trafficmanager.net/emea/","channelId":"msteams","from":{"id":"29:user"},
      "recipient":{"id":"28:bot"},"conversation":{"id":"a:c3"},"locale":"de-DE",
      "value":{"action":{"type":"Action.Execute","verb":"helpful_yes","data":{}}}})");
    const auto out = test::run_sync(f.adapter.process(*schema::parse_activity(j.dump())));
    ASSERT_TRUE(out.invoke.has_value());
    EXPECT_EQ(out.invoke->status, 200);
    EXPECT_TRUE(f.connector.activities.empty());

    nlohmann::json other = j;
    other["name"] = "composeExtension/query";
    other["id"] = "inv2";
    const auto o2 = test::run_sync(f.adapter.process(*schema::parse_activity(other.dump())));
    ASSERT_TRUE(o2.invoke.has_value());
    EXPECT_EQ(o2.invoke->status, 501);
}

TEST(TurnAdapter, GroupChatMentionIsStripped)
{
    fixture f;
    nlohmann::json j = nlohmann::json::parse(message("x").raw.dump());
    j["text"] = "<at>access-bot</at> how do I add a guest to our team?";
    j["conversation"] = {{"id", "19:group@thread.v2"}, {"conversationType", "groupChat"}, {"isGroup", true}};
    j["entities"] = nlohmann::json::array({{{"type", "mention"}, {"text", "<at>access-bot</at>"},
                                            {"mentioned", {{"id", "28:bot"}, {"name", "access-bot"}}}}});
    const auto out = test::run_sync(f.adapter.process(*schema::parse_activity(j.dump())));
    EXPECT_EQ(out.sent, 2u);
    EXPECT_EQ(f.connector.activities.at(0).activity.text, "you said: how do I add a guest to our team?");
}
