#include "adapters/http/client.hpp"

#include "bot/log.hpp"
#include "tests/unit/adapters_http/client_helpers.hpp"
#include "tests/unit/adapters_http/test_server.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace ab::test::http;
namespace http = ab::adapters::http;

namespace {

reply status(unsigned code, header_list headers = {})
{
    reply r;
    r.status = code;
    r.headers = std::move(headers);
    return r;
}

reply echo(const received& r)
{
    reply rp;
    rp.headers = {{"Content-Type", "text/plain"}, {"X-Method", r.method}};
    rp.body = r.body.empty() ? "hello" : r.body;
    return rp;
}

ab::task<session_result> send_concurrently(http::client::options opts, http::request a, http::request b)
{
    using namespace ab::net::experimental::awaitable_operators;
    auto executor = co_await ab::net::this_coro::executor;
    http::client c{executor, std::move(opts)};
    auto [ra, rb] = co_await (c.send(std::move(a)) && c.send(std::move(b)));
    session_result out;
    out.results.push_back(std::move(ra));
    out.results.push_back(std::move(rb));
    out.stats = c.stats();
    co_return out;
}

/// Restores the stdout sink and level however the test ends.
class capture_log {
public:
    capture_log() : previous_(ab::log::min_level())
    {
        ab::log::set_min_level(ab::log::level::info);
        ab::log::set_sink([this](const std::string& line) { lines_.push_back(line); });
    }
    ~capture_log()
    {
        ab::log::set_sink(nullptr);
        ab::log::set_min_level(previous_);
    }
    capture_log(const capture_log&) = delete;
    capture_log& operator=(const capture_log&) = delete;

    const std::vector<std::string>& lines() const { return lines_; }

private:
    ab::log::level previous_;
    std::vector<std::string> lines_;
};

} // namespace

TEST(HttpClient, GetRoundTrip)
{
    server srv{echo};
    const auto out = run_sync(send_all(fast_options(), {make_request("GET", srv.url("/api/ping?x=1"))}));
    ASSERT_TRUE(out.results[0]) << describe(out.results[0]);
    const auto& r = *out.results[0];
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body, "hello");
    EXPECT_EQ(r.header("content-type"), "text/plain");
    EXPECT_EQ(r.header("x-method"), "GET");
    EXPECT_EQ(r.header("x-missing"), "");

    const auto seen = srv.requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].method, "GET");
    EXPECT_EQ(seen[0].target, "/api/ping?x=1");
    EXPECT_EQ(seen[0].header("Host"), "127.0.0.1:" + std::to_string(srv.port()));
}

TEST(HttpClient, PostRoundTrip)
{
    server srv{echo};
    auto req = make_request("POST", srv.url("/v3/conversations/a/activities"), R"({"type":"message"})");
    req.headers = {{"Content-Type", "application/json"}};
    const auto out = run_sync(send_all(fast_options(), {req}));
    ASSERT_TRUE(out.results[0]) << describe(out.results[0]);
    EXPECT_EQ(out.results[0]->body, R"({"type":"message"})");

    const auto seen = srv.requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].method, "POST");
    EXPECT_EQ(seen[0].body, R"({"type":"message"})");
    EXPECT_EQ(seen[0].header("Content-Length"), "18");
    EXPECT_EQ(seen[0].header("Content-Type"), "application/json");
}

TEST(HttpClient, ReusesOneConnectionForSequentialRequests)
{
    server srv{echo};
    std::vector<http::request> reqs;
    for (int i = 0; i < 5; ++i)
        reqs.push_back(make_request(i % 2 ? "POST" : "GET", srv.url("/n/" + std::to_string(i)), i % 2 ? "body" : ""));
    const auto out = run_sync(send_all(fast_options(), reqs));
    for (const auto& r : out.results)
        ASSERT_TRUE(r && r->status == 200) << describe(r);
    EXPECT_EQ(srv.connections(), 1u);
    EXPECT_EQ(srv.requests().size(), 5u);
    EXPECT_EQ(out.stats.connects, 1u);
    EXPECT_EQ(out.stats.reuses, 4u);
    EXPECT_EQ(out.stats.retries, 0u);
}

TEST(HttpClient, ConcurrentRequestsUseSeparateConnections)
{
    server srv{echo};
    const auto out = run_sync(send_concurrently(fast_options(), make_request("GET", srv.url("/a")), make_request("GET", srv.url("/b"))));
    for (const auto& r : out.results)
        ASSERT_TRUE(r && r->status == 200) << describe(r);
    EXPECT_EQ(srv.connections(), 2u);
    EXPECT_EQ(out.stats.connects, 2u);
}

TEST(HttpClient, ConnectionCloseIsNotReused)
{
    reply closing;
    closing.close = true;
    server srv{in_order({closing})};
    const auto out = run_sync(send_all(fast_options(), {make_request("GET", srv.url()), make_request("GET", srv.url())}));
    for (const auto& r : out.results)
        ASSERT_TRUE(r && r->status == 200) << describe(r);
    EXPECT_EQ(srv.connections(), 2u);
    EXPECT_EQ(out.stats.reuses, 0u);
}

TEST(HttpClient, NoReuseWhenIdlePoolIsDisabled)
{
    server srv{echo};
    auto opts = fast_options();
    opts.max_idle_per_host = 0;
    const auto out = run_sync(send_all(opts, {make_request("GET", srv.url()), make_request("GET", srv.url())}));
    for (const auto& r : out.results)
        ASSERT_TRUE(r && r->status == 200) << describe(r);
    EXPECT_EQ(srv.connections(), 2u);
}

TEST(HttpClient, StaleIdleConnectionIsReplayedWithoutCountingAnAttempt)
{
    reply first;
    first.body = "one";
    first.close_silently = true; // keep-alive answer, then the server closes the idle connection
    reply second;
    second.body = "two";
    server srv{in_order({first, second})};
    auto opts = fast_options();
    opts.max_attempts = 1; // a replay counted as an attempt would fail the POST
    const auto out = run_sync(send_all(opts, {make_request("GET", srv.url()), make_request("POST", srv.url(), "x")}));
    ASSERT_TRUE(out.results[0]) << describe(out.results[0]);
    ASSERT_TRUE(out.results[1]) << describe(out.results[1]);
    EXPECT_EQ(out.results[1]->body, "two");
    EXPECT_EQ(srv.requests().size(), 2u);
    EXPECT_EQ(srv.connections(), 2u);
    EXPECT_EQ(out.stats.connects, 2u);
    EXPECT_EQ(out.stats.reuses, 1u);
    EXPECT_EQ(out.stats.retries, 0u);
}

TEST(HttpClient, Retries503Then200)
{
    server srv{in_order({status(503), status(200)})};
    const auto out = run_sync(send_all(fast_options(), {make_request("GET", srv.url())}));
    ASSERT_TRUE(out.results[0]) << describe(out.results[0]);
    EXPECT_EQ(out.results[0]->status, 200u);
    EXPECT_EQ(srv.requests().size(), 2u);
    EXPECT_EQ(out.stats.retries, 1u);
}

TEST(HttpClient, RetriesEveryTeamsTransientStatus)
{
    server srv{in_order({status(412), status(502), status(504), status(200)})};
    const auto out = run_sync(send_all(fast_options(), {make_request("POST", srv.url(), "{}")}));
    ASSERT_TRUE(out.results[0]) << describe(out.results[0]);
    EXPECT_EQ(out.results[0]->status, 200u);
    EXPECT_EQ(srv.requests().size(), 4u);
}

// The one timing assertion of the suite: Retry-After is protocol behaviour (Teams rate limits).
TEST(HttpClient, HonoursRetryAfterSeconds)
{
    server srv{in_order({status(429, {{"Retry-After", "1"}}), status(200)})};
    auto opts = fast_options();
    opts.max_delay = 8s;
    const auto out = run_sync(send_all(opts, {make_request("GET", srv.url(), {}, 10s)}));
    ASSERT_TRUE(out.results[0]) << describe(out.results[0]);
    EXPECT_EQ(out.results[0]->status, 200u);
    const auto seen = srv.requests();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_GE(seen[1].at - seen[0].at, 900ms);
    EXPECT_EQ(out.stats.retries, 1u);
}

TEST(HttpClient, RetryAfterIsCappedByMaxDelay)
{
    // Uncapped, the hour-long wait would not fit the 5 s budget and the 429 would come back.
    server srv{in_order({status(429, {{"Retry-After", "3600"}}), status(200)})};
    auto opts = fast_options();
    opts.max_delay = 20ms;
    const auto out = run_sync(send_all(opts, {make_request("GET", srv.url())}));
    ASSERT_TRUE(out.results[0]) << describe(out.results[0]);
    EXPECT_EQ(out.results[0]->status, 200u);
    EXPECT_EQ(srv.requests().size(), 2u);
}

TEST(HttpClient, ReturnsTheLast429WhenAttemptsRunOut)
{
    server srv{in_order({status(429, {{"Retry-After", "0"}, {"X-Try", "n"}})})};
    auto opts = fast_options();
    opts.max_attempts = 3;
    const auto out = run_sync(send_all(opts, {make_request("GET", srv.url())}));
    ASSERT_TRUE(out.results[0]) << describe(out.results[0]);
    EXPECT_EQ(out.results[0]->status, 429u);
    EXPECT_EQ(out.results[0]->header("Retry-After"), "0");
    EXPECT_EQ(srv.requests().size(), 3u);
    EXPECT_EQ(out.stats.retries, 2u);
}

TEST(HttpClient, DoesNotWaitPastTheRequestTimeout)
{
    // Retry-After 5 s (under max_delay) does not fit a 1 s budget: the 503 comes back at once.
    server srv{in_order({status(503, {{"Retry-After", "5"}}), status(200)})};
    auto opts = fast_options();
    opts.max_delay = 8s;
    const auto out = run_sync(send_all(opts, {make_request("GET", srv.url(), {}, 1s)}));
    ASSERT_TRUE(out.results[0]) << describe(out.results[0]);
    EXPECT_EQ(out.results[0]->status, 503u);
    EXPECT_EQ(srv.requests().size(), 1u);
}

TEST(HttpClient, BadRequestIsNotRetried)
{
    reply bad = status(400);
    bad.body = R"({"error":{"code":"BadArgument"}})";
    server srv{in_order({bad, status(200)})};
    const auto out = run_sync(send_all(fast_options(), {make_request("POST", srv.url(), "{}")}));
    ASSERT_TRUE(out.results[0]) << describe(out.results[0]);
    EXPECT_EQ(out.results[0]->status, 400u);
    EXPECT_EQ(out.results[0]->body, bad.body);
    EXPECT_EQ(srv.requests().size(), 1u);
    EXPECT_EQ(out.stats.retries, 0u);
}

TEST(HttpClient, ServerThatNeverAnswersTimesOut)
{
    reply hang;
    hang.act = reply::action::hang;
    server srv{in_order({hang})};
    const auto out = run_sync(send_all(fast_options(), {make_request("GET", srv.url(), {}, 300ms)}));
    ASSERT_FALSE(out.results[0]) << describe(out.results[0]);
    EXPECT_EQ(out.results[0].error(), http::errc::timeout);
    EXPECT_EQ(srv.requests().size(), 1u); // a timeout is not retried: the budget is spent
}

TEST(HttpClient, SlowAnswerTimesOut)
{
    reply slow = status(200);
    slow.delay = 3s;
    server srv{in_order({slow})};
    const auto out = run_sync(send_all(fast_options(), {make_request("GET", srv.url(), {}, 300ms)}));
    ASSERT_FALSE(out.results[0]) << describe(out.results[0]);
    EXPECT_EQ(out.results[0].error(), http::errc::timeout);
}

TEST(HttpClient, BodyOverMaxBodyIsTooLarge)
{
    reply exact = status(200);
    exact.body = std::string(1024, 'x');
    reply big = status(200);
    big.body = std::string(1025, 'x');
    server srv{in_order({exact, big})};
    auto opts = fast_options();
    opts.max_body = 1024;
    const auto out = run_sync(send_all(opts, {make_request("GET", srv.url()), make_request("GET", srv.url())}));
    ASSERT_TRUE(out.results[0]) << describe(out.results[0]);
    EXPECT_EQ(out.results[0]->body.size(), 1024u);
    ASSERT_FALSE(out.results[1]) << describe(out.results[1]);
    EXPECT_EQ(out.results[1].error(), http::errc::too_large);
    EXPECT_EQ(srv.requests().size(), 2u); // not retried
}

TEST(HttpClient, DroppedGetIsRetried)
{
    reply drop;
    drop.act = reply::action::drop;
    server srv{in_order({drop, status(200)})};
    const auto out = run_sync(send_all(fast_options(), {make_request("GET", srv.url())}));
    ASSERT_TRUE(out.results[0]) << describe(out.results[0]);
    EXPECT_EQ(out.results[0]->status, 200u);
    EXPECT_EQ(srv.requests().size(), 2u);
    EXPECT_EQ(out.stats.retries, 1u);
}

TEST(HttpClient, DroppedPostIsNotRetried)
{
    // The server may have acted on a POST it received: replaying it could post a message twice.
    reply drop;
    drop.act = reply::action::drop;
    server srv{in_order({drop, status(200)})};
    const auto out = run_sync(send_all(fast_options(), {make_request("POST", srv.url(), "{}")}));
    ASSERT_FALSE(out.results[0]) << describe(out.results[0]);
    EXPECT_EQ(out.results[0].error(), http::errc::connection_lost);
    EXPECT_EQ(srv.requests().size(), 1u);
}

TEST(HttpClient, RefusedConnectionsExhaustRetries)
{
    std::string url;
    {
        server gone{echo};
        url = gone.url("/x");
    } // the port is closed now: connections to it are refused
    auto opts = fast_options();
    opts.max_attempts = 3;
    const auto out = run_sync(send_all(opts, {make_request("POST", url, "{}")}));
    ASSERT_FALSE(out.results[0]) << describe(out.results[0]);
    EXPECT_EQ(out.results[0].error(), http::errc::retries_exhausted);
    EXPECT_EQ(out.stats.connects, 0u);
    EXPECT_EQ(out.stats.retries, 2u);
}

TEST(HttpClient, BadUrlAndBadHeadersFailBeforeAnyIo)
{
    auto header_injection = make_request("GET", "http://127.0.0.1:9/");
    header_injection.headers = {{"X-Evil", "a\r\nInjected: 1"}};
    const auto out = run_sync(send_all(fast_options(), {make_request("GET", "ftp://127.0.0.1/"), make_request("BREW", "http://127.0.0.1:9/"), header_injection}));
    ASSERT_FALSE(out.results[0]);
    EXPECT_EQ(out.results[0].error(), http::errc::bad_url);
    ASSERT_FALSE(out.results[1]);
    EXPECT_EQ(out.results[1].error(), http::errc::protocol);
    ASSERT_FALSE(out.results[2]);
    EXPECT_EQ(out.results[2].error(), http::errc::protocol);
    EXPECT_EQ(out.stats.connects, 0u);
}

TEST(HttpClient, LogsOneLinePerRequestWithoutSecrets)
{
    server srv{in_order({status(503), status(201)})};
    auto req = make_request("POST", srv.url("/v3/conversations/abc/activities?secretquery=1"), "private body text");
    req.headers = {{"Authorization", "Bearer secret-token-123"}};
    capture_log log;
    // Successful calls are debug lines (counted, not logged, in production).
    const auto previous = ab::log::min_level();
    ab::log::set_min_level(ab::log::level::debug);
    const auto out = run_sync(send_all(fast_options(), {req}));
    ab::log::set_min_level(previous);
    ASSERT_TRUE(out.results[0]) << describe(out.results[0]);

    const auto& lines = log.lines();
    const auto requests = std::count_if(lines.begin(), lines.end(), [](const std::string& l) {
        return l.find(R"("event":"http.request")") != std::string::npos;
    });
    EXPECT_EQ(requests, 1);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_NE(lines[0].find(R"("status":201)"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find(R"("attempts":2)"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find(R"("path":"/v3/conversations/abc/activities")"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find(R"("ms":)"), std::string::npos) << lines[0];
    for (const auto& l : lines) {
        EXPECT_EQ(l.find("secret-token-123"), std::string::npos) << l;
        EXPECT_EQ(l.find("private body text"), std::string::npos) << l;
        EXPECT_EQ(l.find("secretquery"), std::string::npos) << l;
    }
}

TEST(HttpClient, SuccessfulCallsAreQuietAtInfoLevel)
{
    server srv{in_order({status(200)})};
    capture_log log;
    const auto previous = ab::log::min_level();
    ab::log::set_min_level(ab::log::level::info);
    const auto out = run_sync(send_all(fast_options(), {make_request("GET", srv.url(), {}, 2000ms)}));
    ab::log::set_min_level(previous);
    ASSERT_TRUE(out.results[0]);
    EXPECT_TRUE(log.lines().empty());
}

TEST(HttpClient, LogsTheErrorIdOnFailure)
{
    reply hang;
    hang.act = reply::action::hang;
    server srv{in_order({hang})};
    capture_log log;
    const auto out = run_sync(send_all(fast_options(), {make_request("GET", srv.url(), {}, 200ms)}));
    ASSERT_FALSE(out.results[0]);
    ASSERT_EQ(log.lines().size(), 1u);
    EXPECT_NE(log.lines()[0].find(R"("event":"http.request.failed")"), std::string::npos) << log.lines()[0];
    EXPECT_NE(log.lines()[0].find(R"("error":"http.timeout")"), std::string::npos) << log.lines()[0];
}
