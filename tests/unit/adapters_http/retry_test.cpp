#include "adapters/http/retry.hpp"

#include <gtest/gtest.h>

namespace http = ab::adapters::http;
using namespace std::chrono;

namespace {

// Sun, 06 Nov 1994 08:49:37 GMT (the RFC 9110 example date).
const system_clock::time_point rfc_date = sys_days{year{1994} / November / 6} + hours{8} + minutes{49} + seconds{37};

} // namespace

TEST(HttpRetryAfter, DeltaSeconds)
{
    const auto now = system_clock::now();
    EXPECT_EQ(http::parse_retry_after("1", now), milliseconds{1000});
    EXPECT_EQ(http::parse_retry_after("120", now), milliseconds{120'000});
    EXPECT_EQ(http::parse_retry_after("0", now), milliseconds{0});
    EXPECT_EQ(http::parse_retry_after("  5 ", now), milliseconds{5000});
}

TEST(HttpRetryAfter, HugeDeltaSaturates)
{
    EXPECT_EQ(http::parse_retry_after("99999999999999999999999", system_clock::now()),
              duration_cast<milliseconds>(http::max_retry_after));
}

TEST(HttpRetryAfter, ImfFixdate)
{
    EXPECT_EQ(http::parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", rfc_date - seconds{10}), milliseconds{10'000});
}

TEST(HttpRetryAfter, ObsoleteDateForms)
{
    const auto now = rfc_date - seconds{3};
    EXPECT_EQ(http::parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now), milliseconds{3000});
    EXPECT_EQ(http::parse_retry_after("Sun Nov  6 08:49:37 1994", now), milliseconds{3000});
}

TEST(HttpRetryAfter, DateInThePastMeansNow)
{
    EXPECT_EQ(http::parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", rfc_date + hours{1}), milliseconds{0});
}

TEST(HttpRetryAfter, GarbageIsRejected)
{
    const auto now = system_clock::now();
    for (const char* bad : {"", "   ", "soon", "-1", "1.5", "12abc", "+3", "0x10", "Sun, 32 Nov 1994 08:49:37 GMT",
                            "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
                            "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 1994 08:49:37 GMT extra",
                            "Sun, 29 Feb 1994 08:49:37 GMT", "Sunday, 06-Nov-1994 08:49:37 GMT"})
        EXPECT_FALSE(http::parse_retry_after(bad, now)) << bad;
}

TEST(HttpDate, TwoDigitYearIsAtMostFiftyYearsAhead)
{
    const auto now = sys_days{year{2026} / January / 1} + hours{0};
    const auto past = http::parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", now);
    ASSERT_TRUE(past);
    EXPECT_EQ(*past, rfc_date);
    const auto soon = http::parse_http_date("Monday, 06-Nov-30 08:49:37 GMT", now);
    ASSERT_TRUE(soon);
    EXPECT_EQ(year_month_day{floor<days>(*soon)}.year(), year{2030});
}

TEST(HttpRetry, RetryableStatuses)
{
    for (unsigned s : {412u, 429u, 502u, 503u, 504u})
        EXPECT_TRUE(http::retryable_status(s)) << s;
    for (unsigned s : {200u, 201u, 204u, 301u, 400u, 401u, 403u, 404u, 409u, 500u, 501u})
        EXPECT_FALSE(http::retryable_status(s)) << s;
}

TEST(HttpBackoff, DoublesWithJitterAndIsCapped)
{
    const milliseconds base{200}, max{8000};
    EXPECT_EQ(http::backoff_delay(1, base, max, 1.0), milliseconds{200});
    EXPECT_EQ(http::backoff_delay(2, base, max, 1.0), milliseconds{400});
    EXPECT_EQ(http::backoff_delay(3, base, max, 1.0), milliseconds{800});
    EXPECT_EQ(http::backoff_delay(3, base, max, 0.8), milliseconds{640});
    EXPECT_EQ(http::backoff_delay(3, base, max, 1.2), milliseconds{960});
    EXPECT_EQ(http::backoff_delay(3, base, max, 5.0), milliseconds{960}); // jitter clamped to ±20 %
    EXPECT_EQ(http::backoff_delay(10, base, max, 1.0), max);
    EXPECT_EQ(http::backoff_delay(60, base, max, 1.2), max);
    EXPECT_EQ(http::backoff_delay(1, milliseconds{0}, max, 1.0), milliseconds{0});
}
