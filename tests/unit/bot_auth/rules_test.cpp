#include "bot/auth/rules.hpp"

#include "tests/unit/bot_auth/test_signer.hpp"

#include <gtest/gtest.h>

using namespace ab::bot::auth;
using namespace ab::bot::auth::testing;
using std::chrono::seconds;

namespace {
validation_options options()
{
    validation_options o;
    o.app_id = std::string(app_id);
    return o;
}
} // namespace

// --- rule 1: "Bearer <token>" -------------------------------------------------------------------

TEST(BearerToken, TakesTheTokenOfExactlyBearerSpaceToken)
{
    EXPECT_EQ(bearer_token("Bearer abc.def.ghi").value(), "abc.def.ghi");
}

TEST(BearerToken, MissingHeader)
{
    EXPECT_EQ(bearer_token("").error(), errc::missing_header);
}

TEST(BearerToken, WrongScheme)
{
    for (const char* h : {"Basic dXNlcjpwYXNz", "bearer abc", "BEARER abc", "Bearer", "Bearerabc", "Bearer  abc",
                          "Bearer abc def", " Bearer abc", "Bearer\tabc", "Token abc", "abc"})
        EXPECT_EQ(bearer_token(h).error(), errc::bad_scheme) << '"' << h << '"';
}

TEST(BearerToken, EmptyTokenIsMalformed)
{
    EXPECT_EQ(bearer_token("Bearer ").error(), errc::malformed);
}

// --- rules 3, 4: issuer and audience ------------------------------------------------------------

TEST(CheckIssuer, AcceptsOnlyConfiguredIssuersExactly)
{
    auto c = valid_claims();
    EXPECT_FALSE(check_issuer(c, options()));
    for (const nlohmann::json& iss : {nlohmann::json("https://api.botframework.com/"), nlohmann::json("https://API.botframework.com"),
                                      nlohmann::json("https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"),
                                      nlohmann::json(nullptr), nlohmann::json(42), nlohmann::json::array({issuer})}) {
        c["iss"] = iss;
        EXPECT_EQ(check_issuer(c, options()), errc::bad_issuer) << iss;
    }
    c.erase("iss");
    EXPECT_EQ(check_issuer(c, options()), errc::bad_issuer);

    auto o = options();
    o.issuers.push_back("https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/");
    c["iss"] = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/";
    EXPECT_FALSE(check_issuer(c, o));
}

TEST(CheckAudience, IsExactlyOurAppId)
{
    auto c = valid_claims();
    EXPECT_FALSE(check_audience(c, options()));
    for (const nlohmann::json& aud : {nlohmann::json("00000000-0000-0000-0000-00000000B07E"), nlohmann::json("https://api.botframework.com"),
                                      nlohmann::json(""), nlohmann::json::array({app_id}), nlohmann::json(1)}) {
        c["aud"] = aud;
        EXPECT_EQ(check_audience(c, options()), errc::bad_audience) << aud;
    }
    c.erase("aud");
    EXPECT_EQ(check_audience(c, options()), errc::bad_audience);
}

TEST(CheckAudience, AnEmptyAppIdMatchesNothing)
{
    auto c = valid_claims();
    c["aud"] = "";
    EXPECT_EQ(check_audience(c, validation_options{}), errc::bad_audience);
}

// --- rule 5: lifetime with 5 minutes of skew ---------------------------------------------------

TEST(CheckLifetime, ExpiryWithSkew)
{
    const double exp = static_cast<double>(t0);
    EXPECT_FALSE(check_lifetime(std::nullopt, exp, now + seconds(299), default_clock_skew));
    EXPECT_EQ(check_lifetime(std::nullopt, exp, now + seconds(300), default_clock_skew), errc::expired);
    EXPECT_EQ(check_lifetime(std::nullopt, exp, now + seconds(301), default_clock_skew), errc::expired);
    EXPECT_EQ(check_lifetime(std::nullopt, exp, now, seconds(0)), errc::expired);
}

TEST(CheckLifetime, NotBeforeWithSkew)
{
    const double exp = static_cast<double>(t0 + 3600);
    EXPECT_FALSE(check_lifetime(static_cast<double>(t0 + 300), exp, now, default_clock_skew));
    EXPECT_EQ(check_lifetime(static_cast<double>(t0 + 301), exp, now, default_clock_skew), errc::not_yet_valid);
    EXPECT_EQ(check_lifetime(t0 + 300.5, exp, now, default_clock_skew), errc::not_yet_valid);
}

TEST(CheckLifetime, UsesWholeSecondsOfNow)
{
    // jsonwebtoken floors the clock to seconds: exp t0, 300 s skew, now t0+299.9 is still valid.
    EXPECT_FALSE(check_lifetime(std::nullopt, static_cast<double>(t0), now + std::chrono::milliseconds(299'900),
                                default_clock_skew));
}

// --- rule 7: serviceurl -------------------------------------------------------------------------

TEST(CheckServiceUrl, ComparesByteForByte)
{
    EXPECT_FALSE(check_service_url(service_url, service_url));
    for (const char* other : {"https://127.0.0.1:39381/amer", "https://127.0.0.1:39381/AMER/", "HTTPS://127.0.0.1:39381/amer/",
                              "https://127.0.0.1:39381/amer/ ", "https://127.0.0.1:39381/emea/", ""})
        EXPECT_EQ(check_service_url(service_url, other), errc::serviceurl_mismatch) << other;
    EXPECT_EQ(check_service_url("", ""), errc::serviceurl_mismatch);
    EXPECT_EQ(check_service_url("", service_url), errc::serviceurl_mismatch);
}

// --- rule 8: endorsements -----------------------------------------------------------------------

TEST(CheckEndorsements, TheKeyMustEndorseTheChannel)
{
    const std::vector<std::string> teams{"msteams", "skype"};
    EXPECT_FALSE(check_endorsements(teams, "msteams", options()));
    EXPECT_EQ(check_endorsements({"skype"}, "msteams", options()), errc::endorsement_missing);
    EXPECT_EQ(check_endorsements(teams, "MSTEAMS", options()), errc::endorsement_missing);
    EXPECT_EQ(check_endorsements(teams, "", options()), errc::endorsement_missing);
}

TEST(CheckEndorsements, AKeyWithoutEndorsementsOnlyWhenAllowed)
{
    EXPECT_EQ(check_endorsements({}, "msteams", options()), errc::endorsement_missing);
    auto o = options();
    o.allow_unendorsed_keys = true;
    EXPECT_FALSE(check_endorsements({}, "msteams", o));
}

TEST(CheckEndorsements, RequiredEndorsementsAreAlsoNeeded)
{
    auto o = options();
    o.required_endorsements = {"gov"};
    EXPECT_EQ(check_endorsements({"msteams"}, "msteams", o), errc::endorsement_missing);
    EXPECT_FALSE(check_endorsements({"msteams", "gov"}, "msteams", o));
    o.allow_unendorsed_keys = true;
    EXPECT_EQ(check_endorsements({}, "msteams", o), errc::endorsement_missing);
}

// --- helpers --------------------------------------------------------------------------------------

TEST(ToTimePoint, ClampsInsteadOfOverflowing)
{
    EXPECT_EQ(to_time_point(static_cast<double>(t0)), now);
    EXPECT_GT(to_time_point(1e300), to_time_point(4e9));
    EXPECT_LT(to_time_point(-1e300), to_time_point(0));
}
