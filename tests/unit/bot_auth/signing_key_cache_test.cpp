#include "bot/auth/signing_key_cache.hpp"

#include "tests/unit/bot_auth/test_signer.hpp"

#include <gtest/gtest.h>

using namespace ab::bot::auth;
using namespace ab::bot::auth::testing;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {
std::string one_key_jwks(const std::string& kid = "k1")
{
    return jwks_text({test_key::get("teams").jwk(kid, {"msteams"})});
}
} // namespace

TEST(SigningKeyCache, StartsEmptyAndAsksForKeys)
{
    signing_key_cache cache;
    EXPECT_EQ(cache.snapshot(), nullptr);
    EXPECT_FALSE(cache.fetched_at());
    EXPECT_TRUE(cache.needs_refresh(now));
}

TEST(SigningKeyCache, RefreshesDaily)
{
    signing_key_cache cache;
    const auto n = cache.update(one_key_jwks(), now);
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 1u);
    EXPECT_EQ(cache.fetched_at(), now);
    EXPECT_FALSE(cache.needs_refresh(now));
    EXPECT_FALSE(cache.needs_refresh(now + hours(23) + minutes(59)));
    EXPECT_TRUE(cache.needs_refresh(now + hours(24)));
    ASSERT_TRUE(cache.update(one_key_jwks(), now + hours(24)));
    EXPECT_FALSE(cache.needs_refresh(now + hours(25)));
}

TEST(SigningKeyCache, AClockThatWentBackAsksForARefresh)
{
    signing_key_cache cache;
    ASSERT_TRUE(cache.update(one_key_jwks(), now));
    EXPECT_TRUE(cache.needs_refresh(now - hours(1)));
}

TEST(SigningKeyCache, HonoursConfiguredIntervals)
{
    signing_key_cache cache(key_cache_options{hours(1), minutes(1)});
    ASSERT_TRUE(cache.update(one_key_jwks(), now));
    EXPECT_TRUE(cache.needs_refresh(now + hours(1)));
    EXPECT_FALSE(cache.may_refresh_for_unknown_kid(now + seconds(59)));
    EXPECT_TRUE(cache.may_refresh_for_unknown_kid(now + seconds(60)));
}

TEST(SigningKeyCache, RateLimitsRefreshesForUnknownKids)
{
    signing_key_cache cache;
    EXPECT_TRUE(cache.may_refresh_for_unknown_kid(now)); // nothing loaded: go
    EXPECT_FALSE(cache.may_refresh_for_unknown_kid(now + seconds(1)));
    EXPECT_FALSE(cache.may_refresh_for_unknown_kid(now + minutes(4) + seconds(59)));
    EXPECT_TRUE(cache.may_refresh_for_unknown_kid(now + minutes(5)));
    EXPECT_FALSE(cache.may_refresh_for_unknown_kid(now + minutes(6)));
}

TEST(SigningKeyCache, AnUpdateCountsAsTheLastRefresh)
{
    signing_key_cache cache;
    ASSERT_TRUE(cache.update(one_key_jwks(), now));
    EXPECT_FALSE(cache.may_refresh_for_unknown_kid(now + minutes(2)));
    EXPECT_TRUE(cache.may_refresh_for_unknown_kid(now + minutes(5)));
    ASSERT_TRUE(cache.update(one_key_jwks(), now + minutes(7)));
    EXPECT_FALSE(cache.may_refresh_for_unknown_kid(now + minutes(11)));
    EXPECT_TRUE(cache.may_refresh_for_unknown_kid(now + minutes(12)));
}

TEST(SigningKeyCache, AFailedUpdateKeepsTheCurrentKeys)
{
    signing_key_cache cache;
    ASSERT_TRUE(cache.update(one_key_jwks(), now));
    const auto before = cache.snapshot();
    EXPECT_EQ(cache.update("<html>503</html>", now + hours(25)).error(), errc::malformed);
    EXPECT_EQ(cache.update(R"({"keys":[]})", now + hours(25)).error(), errc::no_keys);
    EXPECT_EQ(cache.snapshot(), before);
    EXPECT_EQ(cache.fetched_at(), now);
    EXPECT_TRUE(cache.needs_refresh(now + hours(25)));
}

TEST(SigningKeyCache, EachUpdateIsANewGeneration)
{
    signing_key_cache cache;
    ASSERT_TRUE(cache.update(one_key_jwks("k1"), now));
    const auto first = cache.snapshot();
    ASSERT_TRUE(cache.update(one_key_jwks("k2"), now + seconds(1)));
    const auto second = cache.snapshot();
    EXPECT_GT(second->generation, first->generation);
    // A snapshot held by a verifier is unaffected by the update.
    EXPECT_NE(first->keys.find("k1"), nullptr);
    EXPECT_EQ(second->keys.find("k1"), nullptr);
    EXPECT_NE(second->keys.find("k2"), nullptr);
}
