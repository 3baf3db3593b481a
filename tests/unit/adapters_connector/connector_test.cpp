// Token provider and Connector client against a scripted loopback server.
#include "adapters/connector/connector_client.hpp"

#include "adapters/connector/errc.hpp"
#include "bot/http/server.hpp"
#include "bot/schema/reply.hpp"
#include "tests/support/loopback_server.hpp"
#include "tests/support/run_sync.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>

using namespace ab;
using namespace ab::adapters;
using json = nlohmann::json;

namespace {

// The shared loopback server, scripted with whole replies; records every request.
class scripted {
public:
    using script = std::function<bot::http::reply(const bot::http::request_view&)>;
    explicit scripted(script s) : server_(test::loopback_server::replying(std::move(s))) {}
    std::string url(const std::string& path) const { return server_.base() + path; }
    std::vector<bot::http::request_view> requests() const { return server_.requests(); }

private:
    test::loopback_server server_;
};

bot::http::reply token_ok()
{
    bot::http::reply r;
    r.body = json{{"token_type", "Bearer"}, {"expires_in", 3600}, {"access_token", "tok-1"}}.dump();
    return r;
}

http::client::options fast()
{
    http::client::options o;
    o.base_delay = std::chrono::milliseconds(5);
    o.max_delay = std::chrono::milliseconds(20);
    o.max_attempts = 3;
    return o;
}

bot::schema::activity incoming(const std::string& service_url)
{
    bot::schema::activity a;
    a.type = "message";
    a.id = "1:abc";
    a.service_url = service_url;
    a.channel_id = "msteams";
    a.conversation.id = "a:conv;messageid=7";
    a.from.id = "29:user";
    a.recipient.id = "28:bot";
    return a;
}

} // namespace

TEST(TokenProvider, CachesTheTokenAndSendsTheClientCredentialsForm)
{
    scripted up([](const bot::http::request_view&) { return token_ok(); });
    net::io_context ioc;
    http::client client(ioc.get_executor(), fast());
    connector::token_provider tokens(client, {up.url("/t/oauth2/v2.0/token"), "app id", "s&cret", "https://api.botframework.com/.default"});
    auto a = test::run_sync(ioc, tokens.token());
    auto b = test::run_sync(ioc, tokens.token());
    ASSERT_TRUE(a.has_value());
    ASSERT_TRUE(b.has_value());
    EXPECT_EQ(*a, "tok-1");
    EXPECT_EQ(tokens.fetches(), 1u);
    const auto reqs = up.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].method, "POST");
    EXPECT_EQ(reqs[0].body, "grant_type=client_credentials&client_id=app+id&client_secret=s%26cret&scope=https%3A%2F%2Fapi.botframework.com%2F.default");
}

TEST(TokenProvider, OneRequestInFlightForConcurrentCallers)
{
    scripted up([](const bot::http::request_view&) { return token_ok(); });
    net::io_context ioc;
    http::client client(ioc.get_executor(), fast());
    connector::token_provider tokens(client, {up.url("/token"), "id", "secret", "scope"});
    std::vector<std::future<boost::system::result<std::string>>> futures;
    for (int i = 0; i < 5; ++i)
        futures.push_back(net::co_spawn(ioc, tokens.token(), net::use_future));
    ioc.run();
    for (auto& f : futures) {
        auto r = f.get();
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(*r, "tok-1");
    }
    EXPECT_EQ(tokens.fetches(), 1u);
    EXPECT_EQ(up.requests().size(), 1u);
}

TEST(TokenProvider, RefusedOrBrokenAnswersAreErrors)
{
    scripted refused([](const bot::http::request_view&) {
        bot::http::reply r;
        r.status = 401;
        r.body = R"({"error":"invalid_client"})";
        return r;
    });
    net::io_context ioc;
    http::client client(ioc.get_executor(), fast());
    connector::token_provider t1(client, {refused.url("/token"), "id", "wrong", "scope"});
    auto r1 = test::run_sync(ioc, t1.token());
    ASSERT_FALSE(r1.has_value());
    EXPECT_EQ(r1.error(), connector::make_error_code(connector::errc::unauthorized));

    scripted garbage([](const bot::http::request_view&) {
        bot::http::reply r;
        r.body = R"({"token_type":"Bearer"})";
        return r;
    });
    connector::token_provider t2(client, {garbage.url("/token"), "id", "secret", "scope"});
    auto r2 = test::run_sync(ioc, t2.token());
    ASSERT_FALSE(r2.has_value());
    EXPECT_EQ(r2.error(), connector::make_error_code(connector::errc::bad_response));
}

TEST(ConnectorClient, RepliesToTheActivityWithTheBearerToken)
{
    scripted up([](const bot::http::request_view& r) {
        if (r.target.find("/token") != std::string::npos)
            return token_ok();
        bot::http::reply rep;
        rep.status = 201;
        rep.body = R"({"id":"1:reply-1"})";
        return rep;
    });
    net::io_context ioc;
    http::client client(ioc.get_executor(), fast());
    connector::token_provider tokens(client, {up.url("/token"), "id", "secret", "scope"});
    connector::connector_client c(client, &tokens);
    auto r = test::run_sync(ioc, c.reply(incoming(up.url("/amer/")), bot::schema::make_reply(incoming(up.url("/amer/")), "hi")));
    ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_EQ(*r, "1:reply-1");
    const auto reqs = up.requests();
    ASSERT_EQ(reqs.size(), 2u);
    EXPECT_EQ(reqs[1].target, "/amer/v3/conversations/a%3Aconv%3Bmessageid%3D7/activities/1%3Aabc");
    EXPECT_EQ(reqs[1].header("Authorization"), "Bearer tok-1");
    const auto body = json::parse(reqs[1].body);
    EXPECT_EQ(body["replyToId"], "1:abc");
    EXPECT_EQ(body["text"], "hi");
}

TEST(ConnectorClient, LocalModeSendsNoAuthorizationAndMapsStatuses)
{
    std::atomic<int> n{0};
    scripted up([&n](const bot::http::request_view&) {
        bot::http::reply rep;
        const int i = n++;
        rep.status = i == 0 ? 404 : i == 1 ? 400 : 200;
        rep.body = "{}";
        return rep;
    });
    net::io_context ioc;
    http::client client(ioc.get_executor(), fast());
    connector::connector_client c(client, nullptr);
    const auto in = incoming(up.url("/x/"));
    auto r1 = test::run_sync(ioc, c.reply(in, bot::schema::make_reply(in, "a")));
    EXPECT_EQ(r1.error(), connector::make_error_code(connector::errc::not_found));
    auto r2 = test::run_sync(ioc, c.reply(in, bot::schema::make_reply(in, "b")));
    EXPECT_EQ(r2.error(), connector::make_error_code(connector::errc::bad_request));
    auto r3 = test::run_sync(ioc, c.send(bot::schema::reference_of(in), bot::schema::make_reply(in, "c")));
    ASSERT_TRUE(r3.has_value());
    for (const auto& r : up.requests())
        EXPECT_TRUE(r.header("Authorization").empty());
}

TEST(ConnectorClient, ThrottledAfterRetriesIsRateLimited)
{
    scripted up([](const bot::http::request_view&) {
        bot::http::reply rep;
        rep.status = 429;
        rep.headers = {{"Retry-After", "0"}};
        rep.body = "{}";
        return rep;
    });
    net::io_context ioc;
    http::client client(ioc.get_executor(), fast());
    connector::connector_client c(client, nullptr);
    const auto in = incoming(up.url("/x/"));
    auto r = test::run_sync(ioc, c.reply(in, bot::schema::make_reply(in, "a")));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), connector::make_error_code(connector::errc::rate_limited));
    EXPECT_EQ(up.requests().size(), 3u) << "the HTTP client retried 429 up to max_attempts";
}

TEST(ConnectorClient, UrlsNeverGetADoubleSlash)
{
    EXPECT_EQ(connector::activities_url("https://smba.trafficmanager.net/emea/", "a:1", "x"),
              "https://smba.trafficmanager.net/emea/v3/conversations/a%3A1/activities/x");
    EXPECT_EQ(connector::activities_url("https://smba.trafficmanager.net/emea", "a:1"),
              "https://smba.trafficmanager.net/emea/v3/conversations/a%3A1/activities");
}
