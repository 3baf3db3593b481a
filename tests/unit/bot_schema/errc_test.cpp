#include "bot/schema/errc.hpp"

#include "bot/schema/activity.hpp"
#include "tests/unit/bot_schema/payloads.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace ab::bot::schema;
using namespace ab::bot::schema::test;

namespace {

/// The error of parsing `body`, or a default error_code if it parsed.
boost::system::error_code error_of(std::string_view body, const parse_limits& limits = {})
{
    const auto r = parse_activity(body, limits);
    return r ? boost::system::error_code() : r.error();
}

/// A valid activity whose `value` is `value_json`.
std::string with_value(const std::string& value_json)
{
    return R"({"type":"message","channelId":"msteams","serviceUrl":"https://s/","from":{"id":"29:u"},)"
           R"("conversation":{"id":"a:1"},"value":)" +
           value_json + "}";
}

std::string nested_arrays(std::size_t n)
{
    return std::string(n, '[') + std::string(n, ']');
}

} // namespace

TEST(SchemaErrc, StableIdsAndMessages)
{
    EXPECT_STREQ(schema_category().name(), "schema");
    const std::pair<errc, std::string_view> ids[] = {
        {errc::empty_body, "schema.empty_body"},         {errc::malformed_json, "schema.malformed_json"},
        {errc::not_an_object, "schema.not_an_object"},   {errc::missing_field, "schema.missing_field"},
        {errc::wrong_type, "schema.wrong_type"},         {errc::too_deep, "schema.too_deep"},
        {errc::string_too_long, "schema.string_too_long"},
    };
    for (const auto& [e, id] : ids) {
        EXPECT_EQ(error_id(e), id);
        const boost::system::error_code ec = e;
        EXPECT_EQ(&ec.category(), &schema_category());
        EXPECT_TRUE(ec.message().starts_with("[" + std::string(id) + "] ")) << ec.message();
        EXPECT_EQ(ec, e);
    }
    EXPECT_EQ(error_id(static_cast<errc>(99)), "schema.unknown");
}

TEST(ParseActivityErrors, EmptyBody)
{
    EXPECT_EQ(error_of(""), errc::empty_body);
    EXPECT_EQ(error_of(" \r\n\t"), errc::empty_body);
}

TEST(ParseActivityErrors, MalformedJson)
{
    EXPECT_EQ(error_of("{"), errc::malformed_json);
    EXPECT_EQ(error_of("not json"), errc::malformed_json);
    EXPECT_EQ(error_of(R"({"type":"message",})"), errc::malformed_json);
    EXPECT_EQ(error_of(R"({"type":"message"} trailing)"), errc::malformed_json);
    EXPECT_EQ(error_of("{\"type\":\"caf\xC3\"}"), errc::malformed_json); // ill-formed UTF-8
    EXPECT_EQ(error_of(R"({"type":"message" /* comment */})"), errc::malformed_json);
    const std::string truncated = payload("personal_message.json");
    EXPECT_EQ(error_of(std::string_view(truncated).substr(0, truncated.size() / 2)), errc::malformed_json);
}

TEST(ParseActivityErrors, TopLevelMustBeAnObject)
{
    EXPECT_EQ(error_of(payload("top_level_array.json")), errc::not_an_object);
    EXPECT_EQ(error_of(R"("message")"), errc::not_an_object);
    EXPECT_EQ(error_of("42"), errc::not_an_object);
    EXPECT_EQ(error_of("null"), errc::not_an_object);
}

TEST(ParseActivityErrors, MissingType)
{
    EXPECT_EQ(error_of(R"({"channelId":"msteams","serviceUrl":"https://s/","from":{"id":"29:u"},)"
                       R"("conversation":{"id":"a:1"}})"),
              errc::missing_field);
    EXPECT_EQ(error_of(R"({"type":"","channelId":"msteams","serviceUrl":"https://s/","from":{"id":"29:u"},)"
                       R"("conversation":{"id":"a:1"}})"),
              errc::missing_field);
    EXPECT_EQ(error_of(R"({"type":null,"channelId":"msteams","serviceUrl":"https://s/","from":{"id":"29:u"},)"
                       R"("conversation":{"id":"a:1"}})"),
              errc::missing_field);
}

TEST(ParseActivityErrors, MissingConversationId)
{
    const std::string head = R"({"type":"message","channelId":"msteams","serviceUrl":"https://s/","from":{"id":"29:u"})";
    EXPECT_EQ(error_of(head + "}"), errc::missing_field);
    EXPECT_EQ(error_of(head + R"(,"conversation":{}})"), errc::missing_field);
    EXPECT_EQ(error_of(head + R"(,"conversation":{"name":"x"}})"), errc::missing_field);
    EXPECT_EQ(error_of(head + R"(,"conversation":{"id":""}})"), errc::missing_field);
}

TEST(ParseActivityErrors, MissingServiceUrlChannelIdOrFromId)
{
    EXPECT_EQ(error_of(payload("missing_service_url.json")), errc::missing_field);
    EXPECT_EQ(error_of(R"({"type":"message","serviceUrl":"https://s/","from":{"id":"29:u"},)"
                       R"("conversation":{"id":"a:1"}})"),
              errc::missing_field);
    EXPECT_EQ(error_of(R"({"type":"message","channelId":"msteams","serviceUrl":"https://s/","from":{"name":"U"},)"
                       R"("conversation":{"id":"a:1"}})"),
              errc::missing_field);
}

TEST(ParseActivityErrors, RequiredFieldsOfTheWrongType)
{
    const std::string rest =
        R"(,"channelId":"msteams","serviceUrl":"https://s/","from":{"id":"29:u"},"conversation":{"id":"a:1"}})";
    EXPECT_EQ(error_of(R"({"type":5)" + rest), errc::wrong_type);
    EXPECT_EQ(error_of(R"({"type":["message"])" + rest), errc::wrong_type);
    const std::string head = R"({"type":"message","channelId":"msteams","serviceUrl":"https://s/","from":{"id":"29:u"})";
    EXPECT_EQ(error_of(head + R"(,"conversation":"a:1"})"), errc::wrong_type);
    EXPECT_EQ(error_of(head + R"(,"conversation":{"id":42}})"), errc::wrong_type);
    EXPECT_EQ(error_of(R"({"type":"message","channelId":"msteams","serviceUrl":true,"from":{"id":"29:u"},)"
                       R"("conversation":{"id":"a:1"}})"),
              errc::wrong_type);
    EXPECT_EQ(error_of(R"({"type":"message","channelId":"msteams","serviceUrl":"https://s/","from":"29:u",)"
                       R"("conversation":{"id":"a:1"}})"),
              errc::wrong_type);
}

TEST(ParseActivityLimits, NestingUpTo64IsAcceptedDeeperIsRejected)
{
    // The activity object is level 1, so 63 arrays inside it reach exactly 64.
    EXPECT_FALSE(error_of(with_value(nested_arrays(63))));
    EXPECT_EQ(error_of(with_value(nested_arrays(64))), errc::too_deep);
    EXPECT_EQ(error_of(with_value(std::string(100000, '['))), errc::too_deep); // also when unterminated
    EXPECT_EQ(error_of(std::string(65, '{')), errc::too_deep);
}

TEST(ParseActivityLimits, BracketsInsideStringsDoNotCount)
{
    EXPECT_FALSE(error_of(with_value("\"" + std::string(1000, '[') + "\\\"" + std::string(1000, '{') + "\"")));
}

TEST(ParseActivityLimits, StringsUpTo128KiBAreAcceptedLongerAreRejected)
{
    constexpr std::size_t limit = 128 * 1024;
    EXPECT_FALSE(error_of(with_value("\"" + std::string(limit, 'x') + "\"")));
    EXPECT_EQ(error_of(with_value("\"" + std::string(limit + 1, 'x') + "\"")), errc::string_too_long);
    EXPECT_EQ(error_of(with_value("{\"" + std::string(limit + 1, 'k') + "\":1}")), errc::string_too_long);
}

TEST(ParseActivityLimits, CustomLimits)
{
    const parse_limits tight{.max_depth = 3, .max_string_bytes = 16};
    EXPECT_FALSE(error_of(with_value("[[1]]"), tight));
    EXPECT_EQ(error_of(with_value("[[[1]]]"), tight), errc::too_deep);
    // Measured escaped: "\u00e9" is 6 bytes on the wire.
    EXPECT_EQ(error_of(with_value(R"("\u00e9\u00e9\u00e9")"), tight), errc::string_too_long);
}

TEST(ParseActivityLimits, ManySiblingObjectsParse)
{
    // Linear work: nlohmann's callback parser is quadratic on this shape, the plain one is not.
    std::string many = "[";
    for (int i = 0; i < 40000; ++i)
        many += i == 0 ? "{}" : ",{}";
    many += "]";
    const auto r = parse_activity(with_value(many));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->value.size(), 40000u);
}
