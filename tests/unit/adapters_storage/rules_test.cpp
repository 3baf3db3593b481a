#include "adapters/storage/rules.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

using namespace ab;
using namespace ab::adapters::storage;
using ab::bot::ports::storage_errc;

TEST(StorageRules, KeysMustBeNonEmptyAndAtMostMaxKeyBytes)
{
    EXPECT_EQ(check_key(""), storage_errc::bad_key);
    EXPECT_FALSE(check_key("k"));
    EXPECT_FALSE(check_key(std::string(bot::ports::max_key_bytes, 'k')));
    EXPECT_EQ(check_key(std::string(bot::ports::max_key_bytes + 1, 'k')), storage_errc::bad_key);
    // Bytes, not characters: 257 two-byte characters are 514 bytes.
    std::string umlauts;
    for (int i = 0; i < 257; ++i)
        umlauts += "ä";
    EXPECT_EQ(check_key(umlauts), storage_errc::bad_key);
}

TEST(StorageRules, ValuesAreCompactJsonUpToMaxValueBytes)
{
    auto small = encode_value({{"a", 1}, {"b", "ü"}});
    ASSERT_TRUE(small);
    EXPECT_EQ(*small, "{\"a\":1,\"b\":\"ü\"}");
    EXPECT_TRUE(encode_value(std::string(bot::ports::max_value_bytes - 2, 'x')));
    auto big = encode_value(std::string(bot::ports::max_value_bytes - 1, 'x'));
    ASSERT_FALSE(big);
    EXPECT_EQ(big.error(), storage_errc::too_large);
}

TEST(StorageRules, InvalidUtf8InAValueIsABugThatThrows)
{
    EXPECT_THROW((void)encode_value(std::string("\xff\xfe")), nlohmann::json::type_error);
}

TEST(StorageRules, TextThatIsNotJsonDecodesToCorrupt)
{
    auto ok = decode_value("[1,{\"a\":null}]");
    ASSERT_TRUE(ok);
    EXPECT_EQ(*ok, nlohmann::json::parse("[1,{\"a\":null}]"));
    for (const char* bad : {"", "{", "{not json", "[1,]", "\xff"}) {
        auto r = decode_value(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error(), storage_errc::corrupt) << bad;
    }
}

TEST(StorageRules, RecordedAtIsIso8601UtcWithMilliseconds)
{
    using namespace std::chrono;
    EXPECT_EQ(format_recorded_at(system_clock::time_point{milliseconds{1700000000123}}), "2023-11-14T22:13:20.123Z");
    EXPECT_EQ(format_recorded_at(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
    // Sub-millisecond parts are cut, not rounded.
    EXPECT_EQ(format_recorded_at(system_clock::time_point{microseconds{1700000000999999}}), "2023-11-14T22:13:20.999Z");
}
