#include "bot/auth/channel_validator.hpp"

#include "bot/auth/base64url.hpp"
#include "tests/unit/bot_auth/test_signer.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

using namespace ab::bot::auth;
using namespace ab::bot::auth::testing;
using std::chrono::seconds;

// One test per rule of protocol notes §2.3 and per token case of the bench emulator
// (../shared/bench/README.md: valid, expired, not-yet-valid, missing-exp, wrong-audience,
// wrong-issuer, bad-signature, unknown-kid, alg-none, alg-hs256, serviceurl-mismatch,
// no-msteams-endorsement) plus the auth checks' no-auth-header, wrong-scheme, malformed-jwt.

namespace {

const test_key& teams_key() { return test_key::get("teams"); }
const test_key& skype_key() { return test_key::get("skype"); }
const test_key& rogue_key() { return test_key::get("rogue"); }

constexpr std::string_view teams_kid = "teams-kid";
constexpr std::string_view skype_kid = "skype-kid";

std::string published_jwks()
{
    return jwks_text({teams_key().jwk(std::string(teams_kid), {"msteams", "skype", "webchat"}),
                      skype_key().jwk(std::string(skype_kid), {"skype"})});
}

validation_options options(std::size_t cache = 10000)
{
    validation_options o;
    o.app_id = std::string(app_id);
    o.token_cache_capacity = cache;
    return o;
}

std::string token(const nlohmann::json& claims = valid_claims(), std::string_view kid = teams_kid,
                  const test_key& key = teams_key(), jwt_alg alg = jwt_alg::rs256)
{
    return sign_token(header_for(kid, alg_name(alg)), claims, key, alg);
}

::testing::AssertionResult fails_with(const result<identity>& r, errc expected)
{
    if (r)
        return ::testing::AssertionFailure() << "accepted, expected [" << error_id(expected) << "]";
    if (r.error() != expected)
        return ::testing::AssertionFailure() << "got " << r.error().message() << ", expected [" << error_id(expected) << "]";
    return ::testing::AssertionSuccess();
}

} // namespace

class ChannelValidator : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(keys_.update(published_jwks(), now)); }

    result<identity> validate(const std::string& tok, std::string_view channel = "msteams",
                              std::string_view url = service_url, std::chrono::system_clock::time_point at = now) const
    {
        return validator_.validate("Bearer " + tok, channel, url, at);
    }

    signing_key_cache keys_;
    channel_validator validator_{options(), keys_};
};

// --- the valid control ------------------------------------------------------------------------

TEST_F(ChannelValidator, AcceptsTheValidControl)
{
    const auto who = validate(token());
    ASSERT_TRUE(who) << who.error().message();
    EXPECT_EQ(who->app_id, app_id);
    EXPECT_EQ(who->issuer, issuer);
    EXPECT_EQ(who->service_url, service_url);
    EXPECT_EQ(who->expires_at, now + seconds(3600));
}

TEST_F(ChannelValidator, AcceptsRs384AndRs512)
{
    EXPECT_TRUE(validate(token(valid_claims(), teams_kid, teams_key(), jwt_alg::rs384)));
    EXPECT_TRUE(validate(token(valid_claims(), teams_kid, teams_key(), jwt_alg::rs512)));
}

TEST_F(ChannelValidator, AcceptsTheCamelCaseServiceUrlClaim)
{
    auto c = valid_claims();
    c.erase("serviceurl");
    c["serviceUrl"] = service_url;
    EXPECT_TRUE(validate(token(c)));
}

// --- rule 1: header ----------------------------------------------------------------------------

TEST_F(ChannelValidator, RejectsAMissingHeader)
{
    EXPECT_TRUE(fails_with(validator_.validate("", "msteams", service_url, now), errc::missing_header));
}

TEST_F(ChannelValidator, RejectsAWrongScheme)
{
    const std::string t = token();
    EXPECT_TRUE(fails_with(validator_.validate("Basic " + t, "msteams", service_url, now), errc::bad_scheme));
    EXPECT_TRUE(fails_with(validator_.validate("bearer " + t, "msteams", service_url, now), errc::bad_scheme));
    EXPECT_TRUE(fails_with(validator_.validate(t, "msteams", service_url, now), errc::bad_scheme));
    EXPECT_TRUE(fails_with(validator_.validate("Bearer  " + t, "msteams", service_url, now), errc::bad_scheme));
}

// --- rule 2: a JWT -------------------------------------------------------------------------------

TEST_F(ChannelValidator, RejectsAMalformedToken)
{
    for (const std::string t : {"not-a-jwt", "a.b.c", "e30.e30", "e30.e30.e30.e30", "eyJhbGciOiJSUzI1NiJ9.e30=.AAAA"})
        EXPECT_TRUE(fails_with(validate(t), errc::malformed)) << t;
    EXPECT_TRUE(fails_with(validator_.validate("Bearer ", "msteams", service_url, now), errc::malformed));
}

TEST_F(ChannelValidator, RejectsAnOversizedTokenBeforeDecoding)
{
    EXPECT_TRUE(fails_with(validate(std::string(max_token_bytes + 1, 'a')), errc::malformed));
}

TEST_F(ChannelValidator, RejectsNonNumericTimes)
{
    auto c = valid_claims();
    c["exp"] = std::to_string(t0 + 3600);
    EXPECT_TRUE(fails_with(validate(token(c)), errc::malformed));
    c = valid_claims();
    c["nbf"] = nullptr;
    EXPECT_TRUE(fails_with(validate(token(c)), errc::malformed));
}

// --- rule 3: issuer (bench: wrong-issuer) ------------------------------------------------------

TEST_F(ChannelValidator, RejectsAWrongIssuer)
{
    auto c = valid_claims();
    c["iss"] = "https://login.example.com";
    EXPECT_TRUE(fails_with(validate(token(c)), errc::bad_issuer));
    c.erase("iss");
    EXPECT_TRUE(fails_with(validate(token(c)), errc::bad_issuer));
}

// --- rule 4: audience (bench: wrong-audience) --------------------------------------------------

TEST_F(ChannelValidator, RejectsAWrongAudience)
{
    auto c = valid_claims();
    c["aud"] = "11111111-1111-1111-1111-111111111111";
    EXPECT_TRUE(fails_with(validate(token(c)), errc::bad_audience));
    c["aud"] = nlohmann::json::array({app_id});
    EXPECT_TRUE(fails_with(validate(token(c)), errc::bad_audience));
}

// --- rule 5: lifetime (bench: expired, not-yet-valid, missing-exp) -----------------------------

TEST_F(ChannelValidator, RejectsAnExpiredToken)
{
    auto c = valid_claims();
    c["nbf"] = t0 - 3600;
    c["exp"] = t0 - 301;
    EXPECT_TRUE(fails_with(validate(token(c)), errc::expired));
}

TEST_F(ChannelValidator, AcceptsATokenExpiredWithinTheSkew)
{
    auto c = valid_claims();
    c["nbf"] = t0 - 3600;
    c["exp"] = t0 - 299;
    EXPECT_TRUE(validate(token(c)));
}

TEST_F(ChannelValidator, RejectsATokenNotYetValidBeyondTheSkew)
{
    auto c = valid_claims();
    c["nbf"] = t0 + 301;
    EXPECT_TRUE(fails_with(validate(token(c)), errc::not_yet_valid));
}

TEST_F(ChannelValidator, AcceptsATokenNotYetValidWithinTheSkew)
{
    auto c = valid_claims();
    c["nbf"] = t0 + 299;
    EXPECT_TRUE(validate(token(c)));
}

TEST_F(ChannelValidator, RejectsATokenWithoutExp)
{
    auto c = valid_claims();
    c.erase("exp");
    EXPECT_TRUE(fails_with(validate(token(c)), errc::missing_exp));
}

// --- rule 6: signature and key (bench: bad-signature, unknown-kid, alg-none, alg-hs256) --------

TEST_F(ChannelValidator, RejectsABadSignature)
{
    // The published kid, signed with another key.
    EXPECT_TRUE(fails_with(validate(token(valid_claims(), teams_kid, rogue_key())), errc::bad_signature));
}

TEST_F(ChannelValidator, RejectsATamperedPayload)
{
    const std::string good = token();
    auto c = valid_claims();
    c["aud"] = "attacker";
    // header and signature of `good`, another payload
    const std::string spliced = good.substr(0, good.find('.') + 1) + base64url_encode(c.dump()) + good.substr(good.rfind('.'));
    EXPECT_TRUE(fails_with(validate(spliced), errc::bad_signature));
}

TEST_F(ChannelValidator, RejectsAnUnknownKid)
{
    EXPECT_TRUE(fails_with(validate(token(valid_claims(), "rotated-kid", rogue_key())), errc::unknown_kid));
}

TEST_F(ChannelValidator, RejectsATokenWithoutKid)
{
    const auto t = sign_token({{"alg", "RS256"}, {"typ", "JWT"}}, valid_claims(), teams_key());
    EXPECT_TRUE(fails_with(validate(t), errc::unknown_kid));
}

TEST_F(ChannelValidator, RejectsAlgNone)
{
    EXPECT_TRUE(fails_with(validate(assemble_token(header_for(teams_kid, "none"), valid_claims(), "")),
                           errc::unsupported_alg));
    EXPECT_TRUE(fails_with(validate(assemble_token({{"alg", "none"}}, valid_claims(), "")), errc::unsupported_alg));
    // Even with a genuine RS256 signature attached, "none" is not an algorithm we run.
    const std::string input_sig = token();
    const std::string with_sig = assemble_token(header_for(teams_kid, "none"), valid_claims(), "") +
                                 input_sig.substr(input_sig.rfind('.') + 1);
    EXPECT_TRUE(fails_with(validate(with_sig), errc::unsupported_alg));
}

TEST_F(ChannelValidator, RejectsHs256KeyedWithThePublicKey)
{
    // The classic confusion: HMAC with the RSA public key as the shared secret.
    EXPECT_TRUE(fails_with(validate(hmac_token(header_for(teams_kid, "HS256"), valid_claims(), teams_key().public_pem())),
                           errc::unsupported_alg));
    EXPECT_TRUE(fails_with(validate(hmac_token(header_for(teams_kid, "HS256"), valid_claims(), published_jwks())),
                           errc::unsupported_alg));
}

TEST_F(ChannelValidator, RejectsOtherAlgorithms)
{
    for (const char* alg : {"ES256", "PS256", "HS512", "rs256", "EdDSA"}) {
        const std::string rs = token();
        const std::string t = assemble_token(header_for(teams_kid, alg), valid_claims(), "") + rs.substr(rs.rfind('.') + 1);
        EXPECT_TRUE(fails_with(validate(t), errc::unsupported_alg)) << alg;
    }
    EXPECT_TRUE(fails_with(validate(assemble_token({{"kid", teams_kid}}, valid_claims(), "sig")), errc::malformed));
}

TEST(ChannelValidatorKeys, RejectsAnAlgOtherThanTheKeysOwn)
{
    auto jwk = teams_key().jwk("pinned", {"msteams"});
    jwk["alg"] = "RS512";
    signing_key_cache keys;
    ASSERT_TRUE(keys.update(jwks_text({jwk}), now));
    const channel_validator v(options(), keys);
    EXPECT_TRUE(fails_with(v.validate("Bearer " + token(valid_claims(), "pinned"), "msteams", service_url, now),
                           errc::unsupported_alg));
    EXPECT_TRUE(v.validate("Bearer " + token(valid_claims(), "pinned", teams_key(), jwt_alg::rs512), "msteams",
                           service_url, now));
}

TEST(ChannelValidatorKeys, RejectsEverythingBeforeKeysAreLoaded)
{
    const signing_key_cache keys;
    const channel_validator v(options(), keys);
    EXPECT_TRUE(fails_with(v.validate("Bearer " + token(), "msteams", service_url, now), errc::no_keys));
}

TEST_F(ChannelValidator, AcceptsANewKidAfterARateLimitedRefresh)
{
    const std::string t = token(valid_claims(), "rotated-kid", rogue_key());
    ASSERT_TRUE(fails_with(validate(t), errc::unknown_kid));
    ASSERT_TRUE(keys_.may_refresh_for_unknown_kid(now + seconds(301)));
    ASSERT_TRUE(keys_.update(jwks_text({teams_key().jwk(std::string(teams_kid), {"msteams"}),
                                        rogue_key().jwk("rotated-kid", {"msteams"})}),
                             now + seconds(301)));
    EXPECT_TRUE(validate(t, "msteams", service_url, now + seconds(302)));
    EXPECT_FALSE(keys_.may_refresh_for_unknown_kid(now + seconds(303)));
}

// --- rule 7: serviceurl (bench: serviceurl-mismatch) --------------------------------------------

TEST_F(ChannelValidator, RejectsAServiceUrlMismatch)
{
    EXPECT_TRUE(fails_with(validate(token(), "msteams", "https://127.0.0.1:39381/emea/"), errc::serviceurl_mismatch));
    EXPECT_TRUE(fails_with(validate(token(), "msteams", "https://127.0.0.1:39381/amer"), errc::serviceurl_mismatch));
    EXPECT_TRUE(fails_with(validate(token(), "msteams", ""), errc::serviceurl_mismatch));
}

TEST_F(ChannelValidator, RejectsATokenWithoutServiceUrl)
{
    auto c = valid_claims();
    c.erase("serviceurl");
    EXPECT_TRUE(fails_with(validate(token(c)), errc::serviceurl_mismatch));
    c["serviceurl"] = 1;
    EXPECT_TRUE(fails_with(validate(token(c)), errc::serviceurl_mismatch));
}

TEST_F(ChannelValidator, RejectsDisagreeingServiceUrlClaims)
{
    auto c = valid_claims();
    c["serviceUrl"] = "https://evil.example/";
    EXPECT_TRUE(fails_with(validate(token(c)), errc::serviceurl_mismatch));
    EXPECT_TRUE(fails_with(validate(token(c), "msteams", "https://evil.example/"), errc::serviceurl_mismatch));
}

// --- rule 8: endorsements (bench: no-msteams-endorsement) -----------------------------------------

TEST_F(ChannelValidator, RejectsAKeyNotEndorsedForMsteams)
{
    const std::string t = token(valid_claims(), skype_kid, skype_key());
    EXPECT_TRUE(fails_with(validate(t), errc::endorsement_missing));
    EXPECT_TRUE(validate(t, "skype"));
}

TEST_F(ChannelValidator, RejectsAnActivityWithoutChannelId)
{
    EXPECT_TRUE(fails_with(validate(token(), ""), errc::endorsement_missing));
}

TEST(ChannelValidatorKeys, AKeyWithoutEndorsementsSignsForNoChannelByDefault)
{
    signing_key_cache keys;
    ASSERT_TRUE(keys.update(jwks_text({teams_key().jwk("bare", {}, false)}), now));
    const std::string header = "Bearer " + token(valid_claims(), "bare");
    EXPECT_TRUE(fails_with(channel_validator(options(), keys).validate(header, "msteams", service_url, now),
                           errc::endorsement_missing));
    auto o = options();
    o.allow_unendorsed_keys = true;
    EXPECT_TRUE(channel_validator(o, keys).validate(header, "msteams", service_url, now));
}

// --- the verified-token cache ----------------------------------------------------------------------

TEST_F(ChannelValidator, ServesARepeatedTokenFromTheCache)
{
    const std::string t = token();
    ASSERT_TRUE(validate(t));
    EXPECT_EQ(validator_.token_cache().size(), 1u);
    const auto hits = validator_.token_cache().hits();
    const auto who = validate(t, "msteams", service_url, now + seconds(10));
    ASSERT_TRUE(who);
    EXPECT_EQ(who->service_url, service_url);
    EXPECT_EQ(validator_.token_cache().hits(), hits + 1);
}

TEST_F(ChannelValidator, CacheDoesNotBypassTheServiceUrlCheck)
{
    const std::string t = token();
    ASSERT_TRUE(validate(t));
    const auto hits = validator_.token_cache().hits();
    EXPECT_TRUE(fails_with(validate(t, "msteams", "https://evil.example/amer/"), errc::serviceurl_mismatch));
    EXPECT_EQ(validator_.token_cache().hits(), hits + 1); // decided on the cached entry
    EXPECT_TRUE(validate(t));
}

TEST_F(ChannelValidator, CacheDoesNotBypassTheEndorsementCheck)
{
    const std::string t = token(valid_claims(), skype_kid, skype_key());
    ASSERT_TRUE(validate(t, "skype"));
    EXPECT_TRUE(fails_with(validate(t, "msteams"), errc::endorsement_missing));
}

TEST_F(ChannelValidator, CachedTokenStillExpires)
{
    const std::string t = token();
    ASSERT_TRUE(validate(t));
    EXPECT_TRUE(validate(t, "msteams", service_url, now + seconds(3600 + 299)));
    EXPECT_TRUE(fails_with(validate(t, "msteams", service_url, now + seconds(3600 + 300)), errc::expired));
}

TEST_F(ChannelValidator, KeyRefreshRevalidatesCachedTokens)
{
    const std::string t = token();
    ASSERT_TRUE(validate(t));
    // teams-kid withdrawn from the published set: the cached token no longer counts.
    ASSERT_TRUE(keys_.update(jwks_text({skype_key().jwk(std::string(skype_kid), {"skype"})}), now + seconds(60)));
    EXPECT_TRUE(fails_with(validate(t, "msteams", service_url, now + seconds(61)), errc::unknown_kid));
}

TEST_F(ChannelValidator, RejectedTokensAreNotCached)
{
    const std::string bad = token(valid_claims(), teams_kid, rogue_key());
    EXPECT_TRUE(fails_with(validate(bad), errc::bad_signature));
    EXPECT_TRUE(fails_with(validate(bad), errc::bad_signature));
    EXPECT_EQ(validator_.token_cache().size(), 0u);
    // A genuine token sent with the wrong serviceUrl: its verification is cached (it is the
    // token's own), the request is still refused, every time.
    const std::string wrong_url = token();
    EXPECT_TRUE(fails_with(validate(wrong_url, "msteams", "https://evil.example/"), errc::serviceurl_mismatch));
    EXPECT_TRUE(fails_with(validate(wrong_url, "msteams", "https://evil.example/"), errc::serviceurl_mismatch));
}

TEST_F(ChannelValidator, AuthenticateThenBindIsValidateInTwoSteps)
{
    // authenticate() needs only the header: the endpoint calls it before parsing the body.
    auto claims = validator_.authenticate("Bearer " + token(), now);
    ASSERT_TRUE(claims) << claims.error().message();
    EXPECT_TRUE(validator_.bind(**claims, "msteams", service_url, now));
    EXPECT_EQ(validator_.bind(**claims, "msteams", "https://evil.example/", now).error(), errc::serviceurl_mismatch);
    EXPECT_EQ(validator_.bind(**claims, "facebook", service_url, now).error(), errc::endorsement_missing);
    EXPECT_EQ(validator_.bind(**claims, "", service_url, now).error(), errc::endorsement_missing);

    // Token-only failures come out of authenticate() already.
    EXPECT_EQ(validator_.authenticate("", now).error(), errc::missing_header);
    EXPECT_EQ(validator_.authenticate("Bearer " + token(valid_claims(), teams_kid, rogue_key()), now).error(), errc::bad_signature);
    auto expired = valid_claims();
    expired["nbf"] = t0 - 3600;
    expired["exp"] = t0 - 301;
    EXPECT_EQ(validator_.authenticate("Bearer " + token(expired), now).error(), errc::expired);
    // ... also for a token that was cached while it was valid.
    EXPECT_EQ(validator_.authenticate("Bearer " + token(), now + std::chrono::hours(3)).error(), errc::expired);
}

TEST(ChannelValidatorCache, IsBounded)
{
    signing_key_cache keys;
    ASSERT_TRUE(keys.update(published_jwks(), now));
    const channel_validator v(options(2), keys);
    for (int i = 0; i < 5; ++i) {
        auto c = valid_claims();
        c["jti"] = i;
        ASSERT_TRUE(v.validate("Bearer " + token(c), "msteams", service_url, now));
    }
    EXPECT_EQ(v.token_cache().size(), 2u);
}

TEST(ChannelValidatorCache, CanBeDisabled)
{
    signing_key_cache keys;
    ASSERT_TRUE(keys.update(published_jwks(), now));
    const channel_validator v(options(0), keys);
    const std::string t = "Bearer " + token();
    ASSERT_TRUE(v.validate(t, "msteams", service_url, now));
    ASSERT_TRUE(v.validate(t, "msteams", service_url, now));
    EXPECT_EQ(v.token_cache().size(), 0u);
    EXPECT_EQ(v.token_cache().hits(), 0u);
}

TEST_F(ChannelValidator, ValidatesConcurrentlyWhileKeysAreRefreshed)
{
    std::vector<std::string> tokens;
    for (int i = 0; i < 8; ++i) {
        auto c = valid_claims();
        c["jti"] = i;
        tokens.push_back(token(c));
    }
    const std::string jwks = published_jwks();
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 60; ++i)
                if (!validate(tokens[static_cast<std::size_t>(i + t) % tokens.size()]))
                    ++failures;
        });
    for (int i = 0; i < 5; ++i)
        ASSERT_TRUE(keys_.update(jwks, now + seconds(i)));
    for (auto& th : threads)
        th.join();
    EXPECT_EQ(failures.load(), 0);
}
