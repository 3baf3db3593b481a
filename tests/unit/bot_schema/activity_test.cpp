#include "bot/schema/activity.hpp"

#include "bot/schema/reply.hpp"
#include "tests/unit/bot_schema/payloads.hpp"

#include <gtest/gtest.h>

using namespace ab::bot::schema;
using namespace ab::bot::schema::test;
using nlohmann::json;

TEST(ParseActivity, PersonalChatMessage)
{
    const activity a = parsed("personal_message.json");
    EXPECT_EQ(a.type, activity_types::message);
    EXPECT_EQ(a.id, "1741944413417");
    EXPECT_EQ(a.timestamp, "2025-03-14T09:26:53.4173Z");
    EXPECT_EQ(a.local_timestamp, "2025-03-14T10:26:53.4173+01:00");
    EXPECT_EQ(a.service_url, "https://smba.trafficmanager.net/emea/");
    EXPECT_EQ(a.channel_id, "msteams");
    EXPECT_EQ(a.text, "How do I chat with someone at fabrikam.com?");
    EXPECT_EQ(a.text_format, "plain");
    EXPECT_EQ(a.locale, "en-US");
    EXPECT_EQ(a.from.name, "Megan Bowen");
    EXPECT_EQ(a.from.aad_object_id, "5f3c1a2e-8b7d-4c6e-9a1f-2d3e4f5a6b7c");
    EXPECT_TRUE(a.from.id.starts_with("29:"));
    EXPECT_EQ(a.recipient.id, bot_id);
    EXPECT_EQ(a.recipient.name, "Access Bot");
    EXPECT_EQ(a.conversation.conversation_type, "personal");
    EXPECT_EQ(a.conversation.tenant_id, tenant_id);
    EXPECT_TRUE(a.conversation.id.starts_with("a:"));
    EXPECT_FALSE(a.conversation.is_group.has_value());
    ASSERT_EQ(a.attachments.size(), 1u);
    EXPECT_EQ(a.attachments[0].content_type, "text/html");
    EXPECT_EQ(a.attachments[0].content, "<p>How do I chat with someone at fabrikam.com?</p>");
    ASSERT_EQ(a.entities.size(), 1u);
    EXPECT_EQ(a.entities[0].type, "clientInfo");
    EXPECT_EQ(a.entities[0].raw.at("platform"), "Web");
    EXPECT_EQ(a.channel_data.tenant_id, tenant_id);
    EXPECT_TRUE(a.channel_data.team_id.empty());
    EXPECT_TRUE(a.value.is_null());
    EXPECT_EQ(a.raw.at("localTimezone"), "Europe/Amsterdam"); // not typed, still there
}

TEST(ParseActivity, GroupChatWithMention)
{
    const activity a = parsed("group_chat_mention.json");
    EXPECT_EQ(a.conversation.conversation_type, "groupChat");
    EXPECT_EQ(a.conversation.is_group, std::optional<bool>(true));
    EXPECT_TRUE(a.conversation.id.ends_with("@thread.v2"));
    EXPECT_TRUE(a.text.starts_with("<at>Access Bot</at> can <at>Adele Vance</at>"));
    ASSERT_EQ(a.entities.size(), 3u);
    EXPECT_EQ(a.entities[0].type, "mention");
    EXPECT_EQ(a.entities[0].raw.at("mentioned").at("id"), bot_id);
    EXPECT_EQ(a.entities[2].type, "clientInfo");
}

TEST(ParseActivity, ChannelMessageWithTeamAndChannel)
{
    const activity a = parsed("channel_message.json");
    EXPECT_EQ(a.conversation.conversation_type, "channel");
    EXPECT_EQ(a.conversation.id, "19:c4b1a2f3e5d6478990aa1b2c3d4e5f60@thread.tacv2;messageid=1741959900982");
    EXPECT_EQ(a.channel_data.team_id, "19:8e1f2a3b4c5d6e7f8091a2b3c4d5e6f7@thread.tacv2");
    EXPECT_EQ(a.channel_data.channel_id, "19:c4b1a2f3e5d6478990aa1b2c3d4e5f60@thread.tacv2");
    EXPECT_TRUE(a.channel_data.team_name.empty()); // only sent on rename events
    EXPECT_TRUE(a.channel_data.channel_name.empty());
    EXPECT_EQ(a.channel_data.tenant_id, tenant_id);
    EXPECT_TRUE(a.channel_data.event_type.empty());
    EXPECT_EQ(a.channel_data.raw.at("team").at("aadGroupId"), "3c2b1a09-8f7e-4d6c-5b4a-39281706f5e4");
    EXPECT_EQ(a.channel_data.raw.at("teamsTeamId"), a.channel_data.team_id);
}

TEST(ParseActivity, InvokeAdaptiveCardAction)
{
    const activity a = parsed("invoke_adaptive_card_action.json");
    EXPECT_EQ(a.type, activity_types::invoke);
    EXPECT_EQ(a.name, "adaptiveCard/action");
    EXPECT_EQ(a.reply_to_id, "1741961245030");
    EXPECT_EQ(a.id, "f:6a1c7b2e-3f4d-4e5a-8b9c-0d1e2f3a4b5c");
    EXPECT_EQ(a.value.at("action").at("verb"), "escalate_confirm");
    EXPECT_TRUE(a.text.empty());
}

TEST(ParseActivity, CardSubmitIsAMessageWithValueAndNoText)
{
    const activity a = parsed("card_submit.json");
    EXPECT_EQ(a.type, activity_types::message);
    EXPECT_TRUE(a.text.empty());
    EXPECT_EQ(a.reply_to_id, "1741961245030");
    ASSERT_TRUE(a.value.is_object());
    EXPECT_EQ(a.value.at("choice"), "guest_access");
    EXPECT_EQ(a.value.at("question_id"), "q-17");
}

TEST(ParseActivity, ConversationUpdateBotAdded)
{
    const activity a = parsed("conversation_update_bot_added.json");
    EXPECT_EQ(a.type, activity_types::conversation_update);
    ASSERT_EQ(a.members_added.size(), 1u);
    EXPECT_EQ(a.members_added[0].id, a.recipient.id); // the bot itself was added
    EXPECT_TRUE(a.members_removed.empty());
    EXPECT_EQ(a.channel_data.event_type, "teamMemberAdded");
    EXPECT_EQ(a.channel_data.team_name, "Partner Projects");
    EXPECT_TRUE(a.from.name.empty());
    EXPECT_TRUE(a.locale.empty());
}

TEST(ParseActivity, InstallationUpdateAdd)
{
    const activity a = parsed("installation_update_add.json");
    EXPECT_EQ(a.type, activity_types::installation_update);
    EXPECT_EQ(a.action, "add");
    EXPECT_EQ(a.conversation.conversation_type, "channel");
    EXPECT_EQ(a.conversation.tenant_id, tenant_id);
    EXPECT_EQ(a.channel_data.team_id, "19:8e1f2a3b4c5d6e7f8091a2b3c4d5e6f7@thread.tacv2");
    EXPECT_EQ(a.channel_data.settings.at("selectedChannel").at("id"), a.channel_data.team_id);
}

TEST(ParseActivity, MessageReaction)
{
    const activity a = parsed("message_reaction.json");
    EXPECT_EQ(a.type, activity_types::message_reaction);
    ASSERT_EQ(a.reactions_added.size(), 1u);
    EXPECT_EQ(a.reactions_added[0].type, "like");
    EXPECT_TRUE(a.reactions_removed.empty());
    EXPECT_EQ(a.reply_to_id, "1741961245030"); // the message reacted to
}

TEST(ParseActivity, UnknownTypeIsAccepted)
{
    const activity a = parsed("unknown_type_and_fields.json");
    EXPECT_EQ(a.type, "meetingParticipantsJoin");
    EXPECT_EQ(a.raw.at("deliveryMode"), "normal");
    EXPECT_EQ(a.value.at("members").at(0).at("meeting").at("role"), "Organizer");
    EXPECT_EQ(a.raw.at("futureField").at("emoji"), "\xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80");
}

TEST(ParseActivity, WrongTypedOptionalFieldsAreIgnored)
{
    const activity a = parsed("wrong_typed_optionals.json");
    EXPECT_EQ(a.from.id, "29:u");
    EXPECT_TRUE(a.from.name.empty());
    EXPECT_FALSE(a.conversation.is_group.has_value());
    EXPECT_TRUE(a.recipient.id.empty());
    EXPECT_TRUE(a.text.empty());
    EXPECT_TRUE(a.locale.empty());
    EXPECT_TRUE(a.entities.empty());
    ASSERT_EQ(a.attachments.size(), 1u); // the non-object element is skipped
    EXPECT_EQ(a.attachments[0].content_type, "text/plain");
}

TEST(ParseActivity, MinimalActivityNeedsOnlyWhatAReplyNeeds)
{
    const auto r = parse_activity(R"({"type":"typing","channelId":"msteams","serviceUrl":"https://s/",)"
                                  R"("from":{"id":"29:u"},"conversation":{"id":"a:1"}})");
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->type, activity_types::typing);
    EXPECT_TRUE(r->id.empty());
    EXPECT_TRUE(r->recipient.id.empty());
}

// --- round trip ---------------------------------------------------------------------------

class RoundTrip : public ::testing::TestWithParam<const char*> {};

TEST_P(RoundTrip, ParseSerializeParseIsEqual)
{
    const activity a = parsed(GetParam());
    const std::string s = to_json_string(a);
    const auto b = parse_activity(s);
    ASSERT_TRUE(b) << b.error().message();
    EXPECT_EQ(*b, a) << s;
    EXPECT_EQ(b->raw, json::parse(payload(GetParam()))); // nothing lost, nothing added
}

INSTANTIATE_TEST_SUITE_P(TeamsPayloads, RoundTrip,
                         ::testing::Values("personal_message.json", "group_chat_mention.json",
                                           "channel_message.json", "invoke_adaptive_card_action.json",
                                           "card_submit.json", "conversation_update_bot_added.json",
                                           "installation_update_add.json", "message_reaction.json",
                                           "unknown_type_and_fields.json"));

TEST_P(RoundTrip, StreamedBytesEqualTheDocumentsDump)
{
    // to_json_string streams the attachments instead of copying them into a document: the bytes
    // must be exactly what dumping the whole document gives (key order included).
    activity a = parsed(GetParam());
    a.attachments.push_back({.content_type = "application/vnd.microsoft.card.adaptive",
                             .content = {{"type", "AdaptiveCard"}, {"body", json::array({{{"text", "Zoë \"quoted\"\n"}}})}},
                             .content_json = {},
                             .content_url = {},
                             .name = "card",
                             .raw = {{"zzz", 1}, {"content", "stale"}, {"aaa", json::array()}}});
    json doc;
    to_json(doc, a);
    EXPECT_EQ(to_json_string(a), doc.dump(-1, ' ', false, json::error_handler_t::replace));
    // A card already rendered as text is written in its place as it is.
    a.attachments.back().content = nullptr;
    a.attachments.back().content_json = R"({"body":[{"text":"Zoë","type":"TextBlock"}],"type":"AdaptiveCard"})";
    to_json(doc, a);
    EXPECT_EQ(to_json_string(a), doc.dump(-1, ' ', false, json::error_handler_t::replace));
    EXPECT_NE(to_json_string(a).find(a.attachments.back().content_json), std::string::npos);
    a.attachments.clear();
    to_json(doc, a);
    EXPECT_EQ(to_json_string(a), doc.dump(-1, ' ', false, json::error_handler_t::replace));
}

TEST(ToJsonString, UnknownFieldsSurvive)
{
    const json out = json::parse(to_json_string(parsed("unknown_type_and_fields.json")));
    EXPECT_EQ(out.at("deliveryMode"), "normal");
    EXPECT_EQ(out.at("futureField").at("nested").size(), 5u);
    EXPECT_EQ(out.at("from").at("userPrincipalName"), "megan@contoso.example");
    EXPECT_EQ(out.at("conversation").at("pinned"), false);
    EXPECT_EQ(out.at("channelData").at("meeting").at("id"), "MCMxOTptZWV0aW5nX05qQmhaVGcy");
    EXPECT_EQ(out.at("channelData").at("notification").at("alert"), true);
}

TEST(ToJsonString, TypedFieldsWinOverRaw)
{
    activity a = parsed("channel_message.json");
    a.text = "edited";
    a.locale.clear();
    a.channel_data.team_id = "19:other@thread.tacv2";
    a.entities.clear();
    a.conversation.is_group.reset();
    const json out = json::parse(to_json_string(a));
    EXPECT_EQ(out.at("text"), "edited");
    EXPECT_FALSE(out.contains("locale"));
    EXPECT_FALSE(out.contains("entities"));
    EXPECT_FALSE(out.at("conversation").contains("isGroup"));
    EXPECT_EQ(out.at("channelData").at("team").at("id"), "19:other@thread.tacv2");
    EXPECT_EQ(out.at("channelData").at("team").at("aadGroupId"), "3c2b1a09-8f7e-4d6c-5b4a-39281706f5e4");
    EXPECT_EQ(out.at("channelData").at("teamsTeamId"), "19:8e1f2a3b4c5d6e7f8091a2b3c4d5e6f7@thread.tacv2");
}

TEST(ToJsonString, WrongTypedOptionalsAreDroppedNotRepeated)
{
    const json out = json::parse(to_json_string(parsed("wrong_typed_optionals.json")));
    EXPECT_FALSE(out.contains("text"));
    EXPECT_FALSE(out.contains("recipient"));
    EXPECT_FALSE(out.contains("entities"));
    EXPECT_FALSE(out.contains("locale"));
    EXPECT_FALSE(out.at("from").contains("name"));
    EXPECT_FALSE(out.at("conversation").contains("isGroup"));
    EXPECT_EQ(out.at("attachments"), json::parse(R"([{"contentType":"text/plain"}])"));
}

TEST(ToJsonString, BuiltInCodeIsCamelCaseAndOmitsEmpty)
{
    activity a;
    a.type = "message";
    a.service_url = "https://smba.trafficmanager.net/emea/";
    a.channel_id = "msteams";
    a.conversation.id = "a:1";
    a.conversation.tenant_id = "t";
    a.from.id = "28:bot";
    a.recipient.id = "29:user";
    a.recipient.aad_object_id = "aad";
    a.reply_to_id = "17";
    a.text_format = "markdown";
    a.attachments.push_back({.content_type = "application/vnd.microsoft.card.adaptive",
                             .content = {{"type", "AdaptiveCard"}, {"version", "1.5"}},
                             .content_json = {},
                             .content_url = {},
                             .name = {},
                             .raw = {}});
    const json expected = json::parse(R"({
        "type": "message", "serviceUrl": "https://smba.trafficmanager.net/emea/", "channelId": "msteams",
        "conversation": {"id": "a:1", "tenantId": "t"}, "from": {"id": "28:bot"},
        "recipient": {"id": "29:user", "aadObjectId": "aad"}, "replyToId": "17", "textFormat": "markdown",
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
                         "content": {"type": "AdaptiveCard", "version": "1.5"}}]})");
    EXPECT_EQ(json::parse(to_json_string(a)), expected);
}

TEST(ToJsonString, InvalidUtf8FromCodeIsReplacedNotThrown)
{
    activity a;
    a.type = "message";
    a.text = "caf\xC3"; // truncated UTF-8 sequence
    std::string s;
    EXPECT_NO_THROW(s = to_json_string(a));
    EXPECT_NE(s.find("caf\xEF\xBF\xBD"), std::string::npos); // U+FFFD

    // ... also inside a card attachment, which is written by the streaming path.
    a.attachments.push_back({.content_type = "application/vnd.microsoft.card.adaptive",
                             .content = {{"text", "Gr\xC3\xBC\xC3"}},
                             .content_json = {},
                             .content_url = {},
                             .name = {},
                             .raw = {}});
    EXPECT_NO_THROW(s = to_json_string(a));
    EXPECT_NE(s.find("Gr\xC3\xBC\xEF\xBF\xBD"), std::string::npos);
    EXPECT_TRUE(json::accept(s));
}

TEST(ToJson, ConversationReferenceRoundTrip)
{
    const conversation_reference ref = reference_of(parsed("channel_message.json"));
    const json j = ref;
    EXPECT_EQ(j.at("serviceUrl"), "https://smba.trafficmanager.net/emea/");
    EXPECT_EQ(j.at("bot").at("id"), bot_id);
    EXPECT_EQ(j.at("conversation").at("isGroup"), true);
    EXPECT_EQ(j.get<conversation_reference>(), ref);
}

TEST(FromJson, NonObjectsGiveEmptyValues)
{
    EXPECT_EQ(json(5).get<channel_account>(), channel_account{});
    EXPECT_EQ(json("x").get<activity>(), activity{});
    EXPECT_EQ(json::array().get<teams_channel_data>(), teams_channel_data{});
}
