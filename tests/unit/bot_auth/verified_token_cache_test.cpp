#include "bot/auth/verified_token_cache.hpp"

#include "tests/unit/bot_auth/test_signer.hpp"

#include <gtest/gtest.h>

using namespace ab::bot::auth;
using namespace ab::bot::auth::testing;
using std::chrono::seconds;

namespace {
std::shared_ptr<const verified_claims> claims_for(const std::string& url)
{
    auto c = std::make_shared<verified_claims>();
    c->service_url = url;
    c->expires = static_cast<double>(t0 + 3600);
    return c;
}
} // namespace

TEST(VerifiedTokenCache, FindsWhatWasInsertedUntilItExpires)
{
    verified_token_cache cache(10);
    cache.insert("tok", claims_for("a"), now + seconds(100));
    const auto hit = cache.find("tok", now + seconds(99));
    ASSERT_NE(hit, nullptr);
    EXPECT_EQ(hit->service_url, "a");
    EXPECT_EQ(cache.find("tok", now + seconds(100)), nullptr);
    EXPECT_EQ(cache.size(), 0u); // dropped when found expired
    EXPECT_EQ(cache.hits(), 1u);
    EXPECT_EQ(cache.misses(), 1u);
}

TEST(VerifiedTokenCache, KeysOnTheWholeToken)
{
    verified_token_cache cache(10);
    cache.insert("aaa.bbb.ccc", claims_for("a"), now + seconds(100));
    EXPECT_EQ(cache.find("aaa.bbb.cc", now), nullptr);
    EXPECT_EQ(cache.find("aaa.bbb.ccd", now), nullptr);
    EXPECT_NE(cache.find("aaa.bbb.ccc", now), nullptr);
}

TEST(VerifiedTokenCache, EvictsTheLeastRecentlyUsed)
{
    verified_token_cache cache(2);
    cache.insert("t1", claims_for("1"), now + seconds(100));
    cache.insert("t2", claims_for("2"), now + seconds(100));
    ASSERT_NE(cache.find("t1", now), nullptr); // t2 is now the oldest
    cache.insert("t3", claims_for("3"), now + seconds(100));
    EXPECT_EQ(cache.size(), 2u);
    EXPECT_NE(cache.find("t1", now), nullptr);
    EXPECT_EQ(cache.find("t2", now), nullptr);
    EXPECT_NE(cache.find("t3", now), nullptr);
}

TEST(VerifiedTokenCache, ReplacesAnExistingEntry)
{
    verified_token_cache cache(2);
    cache.insert("t", claims_for("old"), now + seconds(1));
    cache.insert("t", claims_for("new"), now + seconds(100));
    EXPECT_EQ(cache.size(), 1u);
    const auto hit = cache.find("t", now + seconds(50));
    ASSERT_NE(hit, nullptr);
    EXPECT_EQ(hit->service_url, "new");
}

TEST(VerifiedTokenCache, ZeroCapacityStoresNothing)
{
    verified_token_cache cache(0);
    cache.insert("t", claims_for("a"), now + seconds(100));
    EXPECT_EQ(cache.size(), 0u);
    EXPECT_EQ(cache.find("t", now), nullptr);
}

TEST(VerifiedTokenCache, ClearEmptiesIt)
{
    verified_token_cache cache(4);
    cache.insert("t", claims_for("a"), now + seconds(100));
    cache.clear();
    EXPECT_EQ(cache.size(), 0u);
    EXPECT_EQ(cache.find("t", now), nullptr);
}
