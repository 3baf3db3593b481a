#include "adapters/http/errc.hpp"

#include <gtest/gtest.h>

#include <string>

namespace http = ab::adapters::http;

TEST(HttpErrc, IdsAreStableAndInTheMessage)
{
    const boost::system::error_code ec = http::errc::timeout;
    EXPECT_EQ(ec, http::errc::timeout);
    EXPECT_STREQ(ec.category().name(), "http");
    EXPECT_EQ(http::error_id(http::errc::timeout), "http.timeout");
    EXPECT_EQ(http::error_id(http::errc::tls_failed), "http.tls_failed");
    EXPECT_EQ(http::error_id(http::errc::retries_exhausted), "http.retries_exhausted");
    EXPECT_EQ(ec.message().rfind("[http.timeout]", 0), 0u);
}

TEST(HttpErrc, EveryValueHasItsOwnId)
{
    for (int v = 1; v <= static_cast<int>(http::errc::retries_exhausted); ++v) {
        const auto id = http::error_id(static_cast<http::errc>(v));
        EXPECT_EQ(id.rfind("http.", 0), 0u);
        EXPECT_NE(id, "http.unknown");
    }
    EXPECT_EQ(http::error_id(static_cast<http::errc>(999)), "http.unknown");
}
