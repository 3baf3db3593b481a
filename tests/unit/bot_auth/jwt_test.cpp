#include "bot/auth/jwt.hpp"

#include "bot/auth/base64url.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace ab::bot::auth;

namespace {
std::string b64(const std::string& s)
{
    return base64url_encode(s);
}
} // namespace

TEST(DecodeJwt, SplitsAndParsesAWellFormedToken)
{
    const std::string token = b64(R"({"alg":"RS256","kid":"k"})") + "." + b64(R"({"aud":"x"})") + "." + b64("sig");
    const auto jwt = decode_jwt(token);
    ASSERT_TRUE(jwt);
    EXPECT_EQ(jwt->header["kid"], "k");
    EXPECT_EQ(jwt->claims["aud"], "x");
    EXPECT_EQ(jwt->signature, "sig");
    EXPECT_EQ(jwt->signing_input, token.substr(0, token.rfind('.')));
}

TEST(DecodeJwt, AcceptsAnEmptySignaturePart)
{
    // Structure only: alg "none" tokens end in '.', and are refused later for their alg.
    const auto jwt = decode_jwt(b64(R"({"alg":"none"})") + "." + b64("{}") + ".");
    ASSERT_TRUE(jwt);
    EXPECT_TRUE(jwt->signature.empty());
}

TEST(DecodeJwt, RefusesWrongNumberOfParts)
{
    const std::string h = b64(R"({"alg":"RS256"})"), p = b64("{}");
    for (const std::string& t : std::vector<std::string>{"", h, h + "." + p, h + "." + p + ".a.b", "..", "...", h + ".." + p})
        EXPECT_EQ(decode_jwt(t).error(), errc::malformed) << t;
}

TEST(DecodeJwt, RefusesPartsThatAreNotBase64urlJsonObjects)
{
    const std::string obj = b64("{}");
    EXPECT_EQ(decode_jwt(b64("[1]") + "." + obj + ".").error(), errc::malformed);
    EXPECT_EQ(decode_jwt(obj + "." + b64("\"str\"") + ".").error(), errc::malformed);
    EXPECT_EQ(decode_jwt(obj + "." + b64("{\"a\":") + ".").error(), errc::malformed);
    EXPECT_EQ(decode_jwt(obj + "." + obj + "=." ).error(), errc::malformed);
    EXPECT_EQ(decode_jwt(obj + "." + obj + ".a+b").error(), errc::malformed);
}

TEST(DecodeJwt, RefusesCritAndOversizedTokens)
{
    EXPECT_EQ(decode_jwt(b64(R"({"alg":"RS256","crit":["b64"],"b64":false})") + "." + b64("{}") + ".").error(),
              errc::malformed);
    const std::string big = b64(R"({"alg":"RS256"})") + "." + b64("{\"x\":\"" + std::string(max_token_bytes, 'a') + "\"}") + ".";
    EXPECT_EQ(decode_jwt(big).error(), errc::malformed);
}

TEST(AlgFromName, AllowsOnlyRsaPkcs1)
{
    EXPECT_EQ(alg_from_name("RS256"), jwt_alg::rs256);
    EXPECT_EQ(alg_from_name("RS384"), jwt_alg::rs384);
    EXPECT_EQ(alg_from_name("RS512"), jwt_alg::rs512);
    for (const char* bad : {"none", "None", "HS256", "HS512", "ES256", "PS256", "rs256", "RS256 ", "", "EdDSA"})
        EXPECT_FALSE(alg_from_name(bad)) << bad;
    EXPECT_EQ(alg_name(jwt_alg::rs384), "RS384");
}
