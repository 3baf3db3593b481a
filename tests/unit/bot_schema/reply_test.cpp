#include "bot/schema/reply.hpp"

#include "tests/unit/bot_schema/payloads.hpp"

#include <gtest/gtest.h>

using namespace ab::bot::schema;
using namespace ab::bot::schema::test;
using nlohmann::json;

TEST(ReferenceOf, KeepsWhatAProactiveMessageNeeds)
{
    const activity in = parsed("personal_message.json");
    const conversation_reference ref = reference_of(in);
    EXPECT_EQ(ref.activity_id, "1741944413417");
    EXPECT_EQ(ref.user.id, in.from.id);
    EXPECT_EQ(ref.user.aad_object_id, "5f3c1a2e-8b7d-4c6e-9a1f-2d3e4f5a6b7c");
    EXPECT_EQ(ref.bot.id, bot_id);
    EXPECT_EQ(ref.conversation.id, in.conversation.id);
    EXPECT_EQ(ref.conversation.tenant_id, tenant_id);
    EXPECT_EQ(ref.channel_id, "msteams");
    EXPECT_EQ(ref.service_url, "https://smba.trafficmanager.net/emea/");
    EXPECT_EQ(ref.locale, "en-US");
    EXPECT_TRUE(ref.user.raw.is_null());
    EXPECT_TRUE(ref.conversation.raw.is_null());
}

TEST(MakeReply, SwapsFromAndRecipientAndAnswersTheActivity)
{
    const activity in = parsed("group_chat_mention.json");
    const activity out = make_reply(in, "Yes, if guest access is on.");
    EXPECT_EQ(out.type, activity_types::message);
    EXPECT_EQ(out.text, "Yes, if guest access is on.");
    EXPECT_EQ(out.from.id, in.recipient.id);
    EXPECT_EQ(out.from.name, "Access Bot");
    EXPECT_EQ(out.recipient.id, in.from.id);
    EXPECT_EQ(out.conversation.id, in.conversation.id);
    EXPECT_EQ(out.reply_to_id, in.id);
    EXPECT_EQ(out.service_url, in.service_url);
    EXPECT_EQ(out.channel_id, "msteams");
    EXPECT_EQ(out.locale, "en-US");
    EXPECT_TRUE(out.id.empty());
    EXPECT_TRUE(out.entities.empty());
    EXPECT_TRUE(out.raw.is_null());
}

TEST(MakeReply, ChannelThreadKeepsTheMessageIdSuffix)
{
    const activity out = make_reply(parsed("channel_message.json"));
    EXPECT_EQ(out.conversation.id, "19:c4b1a2f3e5d6478990aa1b2c3d4e5f60@thread.tacv2;messageid=1741959900982");
}

TEST(MakeReply, SerializesWithoutTheIncomingExtras)
{
    const json out = json::parse(to_json_string(make_reply(parsed("unknown_type_and_fields.json"), "hi")));
    EXPECT_FALSE(out.contains("futureField"));
    EXPECT_FALSE(out.contains("deliveryMode"));
    EXPECT_FALSE(out.contains("value"));
    EXPECT_FALSE(out.contains("channelData"));
    EXPECT_FALSE(out.at("recipient").contains("userPrincipalName"));
    EXPECT_FALSE(out.at("conversation").contains("pinned"));
    EXPECT_EQ(out.at("replyToId"), "f:0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e");
    EXPECT_EQ(out.at("text"), "hi");
}

TEST(MakeMessage, FromAStoredReferenceHasNoReplyToId)
{
    const json stored = reference_of(parsed("installation_update_add.json"));
    const activity out = make_message(stored.get<conversation_reference>(), "Thanks for adding me.");
    EXPECT_EQ(out.type, "message");
    EXPECT_TRUE(out.reply_to_id.empty());
    EXPECT_EQ(out.from.id, bot_id);
    EXPECT_EQ(out.conversation.id, "19:8e1f2a3b4c5d6e7f8091a2b3c4d5e6f7@thread.tacv2");
    EXPECT_EQ(out.conversation.conversation_type, "channel");
    EXPECT_EQ(out.service_url, "https://smba.trafficmanager.net/emea/");
}
