#include "bot/schema/mention.hpp"

#include "tests/unit/bot_schema/payloads.hpp"

#include <gtest/gtest.h>

using namespace ab::bot::schema;
using namespace ab::bot::schema::test;

namespace {

activity message_with(std::string text, std::vector<entity> entities)
{
    activity a;
    a.type = "message";
    a.text = std::move(text);
    a.entities = std::move(entities);
    return a;
}

channel_account account(std::string id, std::string name)
{
    channel_account c;
    c.id = std::move(id);
    c.name = std::move(name);
    return c;
}

} // namespace

TEST(AsMention, ReadsMentionedAccountAndText)
{
    const activity a = parsed("group_chat_mention.json");
    const auto m = as_mention(a.entities.at(1));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->mentioned.name, "Adele Vance");
    EXPECT_EQ(m->mentioned.aad_object_id, "0b9a8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d");
    EXPECT_EQ(m->text, "<at>Adele Vance</at>");
    EXPECT_FALSE(as_mention(a.entities.at(2))); // clientInfo
}

TEST(AsMention, TypeIsCaseInsensitive)
{
    entity e;
    e.type = "Mention";
    e.raw = {{"type", "Mention"}, {"mentioned", {{"id", "28:x"}}}, {"text", "<at>X</at>"}};
    const auto m = as_mention(e);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->mentioned.id, "28:x");
}

TEST(Mentions, TrueOnlyForAMentionEntityOfThatId)
{
    const activity group = parsed("group_chat_mention.json");
    EXPECT_TRUE(mentions(group, bot_id));
    EXPECT_TRUE(mentions(group, "29:1pQk7Zr0mXb3LwE9sYt2VnC8uHd4JgF6aKe5RiO1oMzN3xWq7yPb2cS4vTl0hUf9Gj"));
    EXPECT_FALSE(mentions(group, "28:someone-else"));
    EXPECT_FALSE(mentions(group, ""));
    EXPECT_FALSE(mentions(parsed("personal_message.json"), bot_id));
    // Markup in the text alone is not a mention.
    EXPECT_FALSE(mentions(message_with("<at>Access Bot</at> hi", {}), bot_id));
}

TEST(StripMention, RemovesTheBotMentionAndKeepsOtherNamesAsText)
{
    const activity a = parsed("group_chat_mention.json");
    EXPECT_EQ(strip_mention(a, bot_id), "can Adele Vance add a guest from contoso.com to our chat?");
}

TEST(StripMention, ChannelMessageWithNbsp)
{
    const activity a = parsed("channel_message.json");
    EXPECT_EQ(strip_mention(a, a.recipient.id), "is external access enabled for our shared channel?");
}

TEST(StripMention, NoMentionLeavesTheTextTrimmed)
{
    EXPECT_EQ(strip_mention(parsed("personal_message.json"), bot_id), "How do I chat with someone at fabrikam.com?");
    EXPECT_EQ(strip_mention(message_with("  hello\n", {}), bot_id), "hello");
    EXPECT_EQ(strip_mention(message_with("", {}), bot_id), "");
}

TEST(StripMention, OnlyAnotherUsersMention)
{
    const channel_account adele = account("29:adele", "Adele Vance");
    const activity a = message_with("ask <at>Adele Vance</at> about it", {make_mention(adele)});
    EXPECT_EQ(strip_mention(a, bot_id), "ask Adele Vance about it");
}

TEST(StripMention, OnlyTheMentionGivesEmptyText)
{
    const channel_account bot = account(std::string(bot_id), "Access Bot");
    EXPECT_EQ(strip_mention(message_with("<at>Access Bot</at>\xC2\xA0 ", {make_mention(bot)}), bot_id), "");
}

TEST(StripMention, RemovesOneOccurrencePerEntity)
{
    const channel_account bot = account(std::string(bot_id), "Access Bot");
    const activity once = message_with("<at>Access Bot</at> tell me about <at>Access Bot</at>", {make_mention(bot)});
    EXPECT_EQ(strip_mention(once, bot_id), "tell me about Access Bot");
    const activity twice =
        message_with("<at>Access Bot</at> tell me about <at>Access Bot</at>", {make_mention(bot), make_mention(bot)});
    EXPECT_EQ(strip_mention(twice, bot_id), "tell me about");
}

TEST(StripMention, EntityTextNotInTheTextChangesNothing)
{
    const channel_account bot = account(std::string(bot_id), "Access Bot");
    const activity a = message_with("hello there", {make_mention(bot)});
    EXPECT_EQ(strip_mention(a, bot_id), "hello there");
}

TEST(StripMention, TagsWithAttributesAndUnbalancedMarkup)
{
    EXPECT_EQ(strip_mention(message_with(R"(hi <at id="0">Adele</at>!)", {}), bot_id), "hi Adele!");
    EXPECT_EQ(strip_mention(message_with("a <at>b", {}), bot_id), "a <at>b");
    EXPECT_EQ(strip_mention(message_with("<atom> x </at>", {}), bot_id), "<atom> x </at>");
}

TEST(MakeMention, EntityAndTextMatch)
{
    const channel_account adele = account("29:adele", "Adele Vance");
    EXPECT_EQ(mention_text(adele), "<at>Adele Vance</at>");
    EXPECT_EQ(mention_text(account("29:x", "")), "<at>29:x</at>");
    const entity e = make_mention(adele);
    EXPECT_EQ(e.raw, nlohmann::json::parse(R"({"type":"mention","mentioned":{"id":"29:adele","name":"Adele Vance"},)"
                                           R"("text":"<at>Adele Vance</at>"})"));
    const auto m = as_mention(e);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->mentioned.id, "29:adele");
    EXPECT_EQ(m->text, mention_text(adele));
}
