#include "adapters/http/url.hpp"

#include "adapters/http/errc.hpp"

#include <gtest/gtest.h>

namespace http = ab::adapters::http;

TEST(HttpUrl, SplitsHttpsWithPathAndQuery)
{
    const auto u = http::parse_url("https://smba.trafficmanager.net/amer/v3/conversations?x=1#frag");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->scheme, "https");
    EXPECT_TRUE(u->tls());
    EXPECT_EQ(u->host, "smba.trafficmanager.net");
    EXPECT_EQ(u->port, 443);
    EXPECT_EQ(u->target, "/amer/v3/conversations?x=1");
    EXPECT_EQ(u->path(), "/amer/v3/conversations");
    EXPECT_EQ(u->host_header(), "smba.trafficmanager.net");
    EXPECT_EQ(u->origin(), "https://smba.trafficmanager.net:443");
}

TEST(HttpUrl, LoopbackWithPortAndNoPath)
{
    const auto u = http::parse_url("http://127.0.0.1:8080");
    ASSERT_TRUE(u);
    EXPECT_FALSE(u->tls());
    EXPECT_EQ(u->host, "127.0.0.1");
    EXPECT_EQ(u->port, 8080);
    EXPECT_EQ(u->target, "/");
    EXPECT_EQ(u->host_header(), "127.0.0.1:8080");
}

TEST(HttpUrl, SchemeAndHostAreCaseInsensitive)
{
    const auto u = http::parse_url("HTTPS://Graph.Microsoft.COM/v1.0/Users/ABC");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->scheme, "https");
    EXPECT_EQ(u->host, "graph.microsoft.com");
    EXPECT_EQ(u->target, "/v1.0/Users/ABC");
}

TEST(HttpUrl, QueryWithoutPathGetsRoot)
{
    const auto u = http::parse_url("http://localhost?a=b");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->host, "localhost");
    EXPECT_EQ(u->port, 80);
    EXPECT_EQ(u->target, "/?a=b");
}

TEST(HttpUrl, Ipv6Literal)
{
    const auto u = http::parse_url("http://[::1]:9000/x");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->host, "::1");
    EXPECT_EQ(u->port, 9000);
    EXPECT_EQ(u->host_header(), "[::1]:9000");
}

TEST(HttpUrl, RejectsWhatItCannotSend)
{
    for (const char* bad : {"", "example.com/x", "ftp://example.com/", "http://", "http:///path", "http://:80/",
                            "http://host:0/", "http://host:65536/", "http://host:/", "http://host:12a/",
                            "http://user:pw@host/", "http://ho st/", "http://host/a b", "http://[::1/",
                            "http://host\r\n/", "http://[zz]/"}) {
        const auto u = http::parse_url(bad);
        ASSERT_FALSE(u) << bad;
        EXPECT_EQ(u.error(), http::errc::bad_url) << bad;
    }
}
