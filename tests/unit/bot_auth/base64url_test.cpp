#include "bot/auth/base64url.hpp"

#include <gtest/gtest.h>

#include <string>

using ab::bot::auth::base64url_decode;
using ab::bot::auth::base64url_encode;

TEST(Base64url, RoundTripsEveryLength)
{
    std::string bytes;
    for (int i = 0; i < 70; ++i) {
        const std::string enc = base64url_encode(bytes);
        EXPECT_EQ(enc.find('='), std::string::npos);
        const auto dec = base64url_decode(enc);
        ASSERT_TRUE(dec) << enc;
        EXPECT_EQ(*dec, bytes);
        bytes.push_back(static_cast<char>(i * 37 + 250)); // includes 0xFF-ish bytes and '\0'
    }
}

TEST(Base64url, UsesTheUrlAlphabet)
{
    EXPECT_EQ(base64url_encode("\xfb\xff\xbf"), "-_-_");
    EXPECT_EQ(base64url_decode("-_-_"), std::string("\xfb\xff\xbf"));
    EXPECT_EQ(base64url_encode(R"({"alg":"RS256"})"), "eyJhbGciOiJSUzI1NiJ9");
}

TEST(Base64url, RejectsPaddingWhitespaceAndTheStandardAlphabet)
{
    EXPECT_FALSE(base64url_decode("eyJhIjoxfQ=="));
    EXPECT_FALSE(base64url_decode("ab+/"));
    EXPECT_FALSE(base64url_decode("ab c"));
    EXPECT_FALSE(base64url_decode("abc\n"));
    EXPECT_FALSE(base64url_decode(std::string("ab\0c", 4)));
}

TEST(Base64url, RejectsImpossibleLengthAndNonCanonicalTrailingBits)
{
    EXPECT_FALSE(base64url_decode("a"));
    EXPECT_FALSE(base64url_decode("abcde"));
    EXPECT_TRUE(base64url_decode("QQ"));  // "A"
    EXPECT_FALSE(base64url_decode("QR")); // same byte, non-zero unused bits
    EXPECT_TRUE(base64url_decode("QUE"));
    EXPECT_FALSE(base64url_decode("QUF"));
}

TEST(Base64url, EmptyIsEmpty)
{
    EXPECT_EQ(base64url_encode(""), "");
    EXPECT_EQ(base64url_decode(""), std::string());
}
