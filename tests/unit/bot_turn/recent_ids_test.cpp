#include "bot/turn/recent_ids.hpp"

#include <gtest/gtest.h>

#include <string>

using ab::bot::turn::recent_ids;

TEST(RecentIds, ASecondDeliveryOfTheSameActivityIsRecognized)
{
    recent_ids seen;
    EXPECT_TRUE(seen.insert("a:conv-1", "1700000000001"));
    EXPECT_FALSE(seen.insert("a:conv-1", "1700000000001"));
    EXPECT_TRUE(seen.insert("a:conv-1", "1700000000002"));
    EXPECT_TRUE(seen.insert("a:conv-2", "1700000000001")) << "the same activity id in another conversation is another activity";
    EXPECT_EQ(seen.size(), 3u);
}

TEST(RecentIds, PartsDoNotRunIntoEachOther)
{
    recent_ids seen;
    EXPECT_TRUE(seen.insert("ab", "c"));
    EXPECT_TRUE(seen.insert("a", "bc"));
    EXPECT_TRUE(seen.insert("a\x1f" "b", "c"));
    EXPECT_TRUE(seen.insert("a", "b\x1f" "c"));
    EXPECT_TRUE(seen.insert("", "abc"));
    EXPECT_TRUE(seen.insert("abc", ""));
    EXPECT_FALSE(seen.insert("a", "bc"));
}

TEST(RecentIds, TheOldestAreForgottenBeyondTheCapacity)
{
    recent_ids seen(100);
    for (int i = 0; i < 250; ++i)
        ASSERT_TRUE(seen.insert("conv", std::to_string(i))) << i;
    EXPECT_EQ(seen.size(), 100u);
    for (int i = 150; i < 250; ++i)
        EXPECT_FALSE(seen.insert("conv", std::to_string(i))) << i << " is among the last 100";
    EXPECT_TRUE(seen.insert("conv", "0")) << "forgotten: a very late redelivery runs again";
    EXPECT_EQ(seen.size(), 100u);
}

TEST(RecentIds, ManyDistinctIdsAreAllNew)
{
    // 200 000 real-looking Teams ids: no false "already seen" (it would drop a message).
    recent_ids seen(200000);
    const std::string conv = "a:1Xyz0Hn3SBxsmbvUqBzbJVIDvIWb0fPsZ6Qv4hQj3ysHkVPdVCEG2rM9qdoNtLG5J1Fn";
    for (int i = 0; i < 200000; ++i)
        ASSERT_TRUE(seen.insert(conv + std::to_string(i % 97), "17000000" + std::to_string(i) + "\x1f" "2026-11-22T05:00:00.000Z"))
            << i;
}
