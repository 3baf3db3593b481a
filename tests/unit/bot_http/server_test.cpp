#include "bot/http/server.hpp" // first: the header is self-contained

#include "bot/log.hpp"
#include "tests/unit/bot_http/raw_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace ab;
using namespace ab::bot::http;
using ab::bot::http::test::raw_client;
using namespace std::chrono_literals;
using ms = std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

namespace {

// State shared by the test thread and the handler (which runs on the server's I/O thread).
struct probe {
    std::atomic<int> started{0}; ///< /slow and /hang requests that reached the handler
};

task<void> sleep_for(ms d)
{
    const auto ex = co_await net::this_coro::executor;
    net::steady_timer timer{ex, d};
    co_await timer.async_wait(net::use_awaitable);
}

// The handler of every test: a tiny router over behaviours the server must cope with.
task<reply> route(request_view req, probe& p)
{
    if (req.target == "/throw")
        throw std::runtime_error("boom");
    if (req.target == "/bad-header")
        co_return reply{200, "text/plain", "x", {{"X-Evil", "a\r\nInjected: 1"}}};
    if (req.target == "/slow" || req.target == "/hang") {
        ++p.started;
        const ms wait = req.target == "/slow" ? ms(100) : ms(10000);
        co_await sleep_for(wait);
        co_return reply{200, "text/plain", "done", {}};
    }
    const nlohmann::json echo = {{"method", req.method},          {"target", req.target},
                                 {"body", req.body},              {"x_test", req.header("x-TEST")},
                                 {"remote", req.remote_address}, {"header_count", req.headers.size()}};
    co_return reply{200, "application/json", echo.dump(), {{"X-Reply", "yes"}, {"Content-Length", "999"}}};
}

/// Small limits; generous deadlines so that a loaded machine does not make tests flaky.
server::options small_limits()
{
    server::options o;
    o.body_limit = 1024;
    o.header_limit = 1024;
    o.io_timeout = 5s;
    o.idle_timeout = 5s;
    o.shutdown_deadline = 5s;
    return o;
}

/// A real server on 127.0.0.1:0 whose io_context runs on its own thread (the single I/O thread).
class test_server {
public:
    explicit test_server(server::options o = small_limits())
        : srv_(ioc_, std::move(o), [this](request_view r) { return route(std::move(r), probe_); })
    {
        port_ = srv_.start();
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~test_server() { stop(); }
    test_server(const test_server&) = delete;
    test_server& operator=(const test_server&) = delete;

    std::uint16_t port() const { return port_; }
    probe& handler_probe() { return probe_; }

    /// Runs `fn` on the I/O thread and returns its result.
    template <class Fn>
    auto on_io(Fn fn)
    {
        using result_type = std::invoke_result_t<Fn&>;
        auto promise = std::make_shared<std::promise<result_type>>();
        auto result = promise->get_future();
        net::post(ioc_, [promise, fn = std::move(fn)]() mutable { promise->set_value(fn()); });
        if (result.wait_for(10s) != std::future_status::ready)
            throw std::runtime_error("I/O thread did not answer");
        return result.get();
    }

    server::counters stats()
    {
        return on_io([this] { return srv_.stats(); });
    }

    /// Polls `pred` (on the test thread) until it holds or `limit` passes.
    template <class Pred>
    bool eventually(Pred pred, ms limit = 3s)
    {
        const auto deadline = steady::now() + limit;
        while (!pred()) {
            if (steady::now() > deadline)
                return false;
            std::this_thread::sleep_for(5ms);
        }
        return true;
    }

    std::future<void> begin_shutdown()
    {
        shutdown_started_ = true;
        auto done = net::co_spawn(ioc_, srv_.shutdown(), net::use_future);
        on_io([] { return 0; }); // barrier: the synchronous start of shutdown() has run
        return done;
    }

    void stop()
    {
        if (stopped_)
            return;
        stopped_ = true;
        if (!shutdown_started_ && begin_shutdown().wait_for(15s) != std::future_status::ready)
            ADD_FAILURE() << "shutdown did not complete";
        work_.reset();
        ioc_.stop();
        thread_.join();
    }

private:
    net::io_context ioc_;
    net::executor_work_guard<net::io_context::executor_type> work_ = net::make_work_guard(ioc_);
    probe probe_;
    server srv_;
    std::thread thread_;
    std::uint16_t port_ = 0;
    bool shutdown_started_ = false;
    bool stopped_ = false;
};

/// Captures log lines for the lifetime of the object.
class log_capture {
public:
    log_capture()
    {
        log::set_sink([this](const std::string& line) {
            std::lock_guard lock(mutex_);
            lines_.push_back(line);
        });
    }
    ~log_capture() { log::set_sink(nullptr); }
    log_capture(const log_capture&) = delete;
    log_capture& operator=(const log_capture&) = delete;

    bool contains(std::string_view needle)
    {
        std::lock_guard lock(mutex_);
        for (const auto& l : lines_)
            if (l.find(needle) != std::string::npos)
                return true;
        return false;
    }

private:
    std::mutex mutex_;
    std::vector<std::string> lines_;
};

std::string get(std::string_view target)
{
    return "GET " + std::string(target) + " HTTP/1.1\r\nHost: bot\r\n\r\n";
}

std::string post(std::string_view target, std::string_view body, std::string_view extra_headers = "")
{
    return "POST " + std::string(target) + " HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n" +
           std::string(extra_headers) + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

nlohmann::json json_of(const test::raw_response& r)
{
    return nlohmann::json::parse(r.body, nullptr, false);
}

ms since(steady::time_point t0)
{
    return std::chrono::duration_cast<ms>(steady::now() - t0);
}

TEST(HttpServer, KeepAliveServesTwoRequestsOnOneConnection)
{
    test_server s;
    raw_client c(s.port());
    ASSERT_TRUE(c.connected());
    ASSERT_TRUE(c.send(get("/first")));
    const auto r1 = c.read_response();
    ASSERT_TRUE(r1);
    EXPECT_EQ(r1->status, 200u);
    EXPECT_NE(r1->header("Connection"), "close");
    ASSERT_TRUE(c.send(post("/second", "abc")));
    const auto r2 = c.read_response();
    ASSERT_TRUE(r2);
    EXPECT_EQ(r2->status, 200u);
    EXPECT_EQ(json_of(*r2)["target"], "/second");
    EXPECT_EQ(json_of(*r2)["body"], "abc");

    const auto st = s.stats();
    EXPECT_EQ(st.accepted, 1u);
    EXPECT_EQ(st.requests, 2u);
    EXPECT_EQ(st.active, 1u);
}

TEST(HttpServer, PipelinedRequestsAreAnsweredInOrder)
{
    test_server s;
    raw_client c(s.port());
    ASSERT_TRUE(c.send(get("/one") + post("/two", "2") + get("/three")));
    for (const char* target : {"/one", "/two", "/three"}) {
        const auto r = c.read_response();
        ASSERT_TRUE(r) << target;
        EXPECT_EQ(json_of(*r)["target"], target);
    }
}

TEST(HttpServer, EchoesBodyAndHeadersThroughTheHandler)
{
    test_server s;
    raw_client c(s.port());
    ASSERT_TRUE(c.send(post("/api/messages?x=1", R"({"type":"message"})", "X-Test: abc\r\nx-test: def\r\n")));
    const auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200u);
    EXPECT_EQ(r->header("Content-Type"), "application/json");
    EXPECT_EQ(r->header("X-Reply"), "yes");
    // The handler's Content-Length is ignored: framing belongs to the server.
    EXPECT_EQ(r->header("Content-Length"), std::to_string(r->body.size()));
    const auto j = json_of(*r);
    ASSERT_TRUE(j.is_object()) << r->body;
    EXPECT_EQ(j["method"], "POST");
    EXPECT_EQ(j["target"], "/api/messages?x=1");
    EXPECT_EQ(j["body"], R"({"type":"message"})");
    EXPECT_EQ(j["x_test"], "abc, def"); // case-insensitive, repeated fields joined
    EXPECT_EQ(j["remote"], "127.0.0.1");
    EXPECT_EQ(j["header_count"], 5);
}

TEST(HttpServer, ExpectContinueGetsInterimResponseBeforeTheBody)
{
    test_server s;
    raw_client c(s.port());
    ASSERT_TRUE(c.send("POST /e HTTP/1.1\r\nHost: bot\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
    const auto interim = c.read_response();
    ASSERT_TRUE(interim);
    EXPECT_EQ(interim->status, 100u);
    ASSERT_TRUE(c.send("hello"));
    const auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200u);
    EXPECT_EQ(json_of(*r)["body"], "hello");
}

TEST(HttpServer, HeadGetsLengthWithoutContent)
{
    test_server s;
    raw_client c(s.port());
    ASSERT_TRUE(c.send("HEAD /h HTTP/1.1\r\nHost: bot\r\n\r\n"));
    const auto r = c.read_response(5s, /*head=*/true);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200u);
    EXPECT_NE(r->header("Content-Length"), "0");
    // No content bytes followed: the next response starts right away.
    ASSERT_TRUE(c.send(get("/after-head")));
    const auto next = c.read_response();
    ASSERT_TRUE(next);
    EXPECT_EQ(json_of(*next)["target"], "/after-head");
}

TEST(HttpServer, Http10WithoutKeepAliveIsClosedAfterTheResponse)
{
    test_server s;
    raw_client c(s.port());
    ASSERT_TRUE(c.send("GET /old HTTP/1.0\r\n\r\n"));
    const auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200u);
    EXPECT_TRUE(c.closed_within(2s));
}

TEST(HttpServer, DeclaredContentLengthOverLimitIs413BeforeTheBody)
{
    test_server s;
    raw_client c(s.port());
    // Only the header is sent: the answer must not wait for the 100000 bytes announced.
    ASSERT_TRUE(c.send("POST /big HTTP/1.1\r\nHost: bot\r\nContent-Length: 100000\r\n\r\n"));
    const auto r = c.read_response(2s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413u);
    EXPECT_EQ(r->header("Connection"), "close");
    EXPECT_TRUE(c.closed_within(2s));
    EXPECT_EQ(s.stats().bad_requests, 1u);
    EXPECT_EQ(s.stats().requests, 0u);
}

TEST(HttpServer, ChunkedBodyGrowingOverLimitIs413)
{
    test_server s;
    raw_client c(s.port());
    std::string request = "POST /chunked HTTP/1.1\r\nHost: bot\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i)
        request += "258\r\n" + std::string(600, 'a') + "\r\n"; // 3 x 600 bytes > 1024
    request += "0\r\n\r\n";
    ASSERT_TRUE(c.send(request));
    const auto r = c.read_response(2s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413u);
    EXPECT_EQ(r->header("Connection"), "close");
    EXPECT_TRUE(c.closed_within(2s));
}

TEST(HttpServer, ChunkedBodyWithinLimitIsAccepted)
{
    test_server s;
    raw_client c(s.port());
    ASSERT_TRUE(c.send("POST /chunked HTTP/1.1\r\nHost: bot\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
    const auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200u);
    EXPECT_EQ(json_of(*r)["body"], "abcde");
}

TEST(HttpServer, HugeHeaderIs431)
{
    test_server s;
    raw_client c(s.port());
    ASSERT_TRUE(c.send("GET / HTTP/1.1\r\nHost: bot\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n"));
    const auto r = c.read_response(2s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 431u);
    EXPECT_EQ(r->header("Connection"), "close");
    EXPECT_TRUE(c.closed_within(2s));
}

TEST(HttpServer, MalformedRequestsAre400AndClosed)
{
    test_server s;
    const std::vector<std::string> inputs = {
        "GARBAGE\r\n\r\n",
        "GET / HTTP/1.1 extra\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: bot\r\nContent-Length: abc\r\n\r\n",
        "GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: bot\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n",
        std::string("G\0T / HTTP/1.1\r\n\r\n", 18),
    };
    for (const auto& input : inputs) {
        raw_client c(s.port());
        ASSERT_TRUE(c.send(input));
        const auto r = c.read_response(2s);
        ASSERT_TRUE(r) << input;
        EXPECT_EQ(r->status, 400u) << input;
        EXPECT_EQ(r->header("Connection"), "close") << input;
        EXPECT_TRUE(c.closed_within(2s)) << input;
    }
    EXPECT_EQ(s.stats().bad_requests, inputs.size());
}

TEST(HttpServer, HandlerExceptionIs500AndTheConnectionSurvives)
{
    log_capture logs;
    test_server s;
    raw_client c(s.port());
    ASSERT_TRUE(c.send(get("/throw")));
    const auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 500u);
    EXPECT_EQ(json_of(*r)["error"], "internal_error");
    EXPECT_NE(r->header("Connection"), "close");
    EXPECT_TRUE(logs.contains(R"("error_id":"http.handler_failed")"));
    EXPECT_TRUE(logs.contains(R"("path":"/throw")"));

    ASSERT_TRUE(c.send(get("/still-alive")));
    const auto next = c.read_response();
    ASSERT_TRUE(next);
    EXPECT_EQ(next->status, 200u);
    EXPECT_EQ(s.stats().handler_errors, 1u);
}

TEST(HttpServer, ReplyWithInjectedHeaderIs500)
{
    log_capture logs;
    test_server s;
    raw_client c(s.port());
    ASSERT_TRUE(c.send(get("/bad-header")));
    const auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 500u);
    EXPECT_EQ(r->header("Injected"), "");
    EXPECT_TRUE(logs.contains(R"("error_id":"http.bad_reply")"));
}

TEST(HttpServer, SlowClientIsCutOffAfterIoTimeout)
{
    auto o = small_limits();
    o.io_timeout = 200ms;
    test_server s(o);
    raw_client c(s.port());
    const auto t0 = steady::now();
    ASSERT_TRUE(c.send("GET /ab")); // half a request line, then nothing
    EXPECT_TRUE(c.closed_within(3s));
    const auto took = since(t0);
    EXPECT_GE(took, 150ms);
    EXPECT_LT(took, 2500ms);
    EXPECT_TRUE(s.eventually([&] { return s.stats().timeouts == 1; }));
}

TEST(HttpServer, TricklingClientCannotOutlastIoTimeout)
{
    auto o = small_limits();
    o.io_timeout = 300ms;
    test_server s(o);
    raw_client c(s.port());
    const auto t0 = steady::now();
    // One byte every 50 ms: each arrives well within io_timeout, the header as a whole does not.
    bool closed = false;
    for (const char byte : std::string("GET /trickle HTTP/1.1\r\nHost: bot\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")) {
        if (!c.send(std::string(1, byte)) || c.closed_within(50ms)) {
            closed = true;
            break;
        }
    }
    EXPECT_TRUE(closed || c.closed_within(2s));
    EXPECT_LT(since(t0), 2500ms);
}

TEST(HttpServer, IdleKeepAliveConnectionIsClosedAfterIdleTimeout)
{
    auto o = small_limits();
    o.idle_timeout = 200ms;
    test_server s(o);
    raw_client c(s.port());
    ASSERT_TRUE(c.send(get("/once")));
    ASSERT_TRUE(c.read_response());
    const auto t0 = steady::now();
    EXPECT_TRUE(c.closed_within(3s));
    EXPECT_GE(since(t0), 150ms);
    EXPECT_TRUE(s.eventually([&] { return s.stats().active == 0; }));
    EXPECT_EQ(s.stats().timeouts, 0u); // an idle close is normal, not a timeout
}

TEST(HttpServer, ConnectionsOverTheCapGet503)
{
    auto o = small_limits();
    o.max_connections = 2;
    test_server s(o);
    raw_client a(s.port());
    raw_client b(s.port());
    for (raw_client* c : {&a, &b}) {
        ASSERT_TRUE(c->send(get("/hold")));
        ASSERT_TRUE(c->read_response());
    }
    raw_client third(s.port());
    ASSERT_TRUE(third.connected());
    const auto r = third.read_response(2s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 503u);
    EXPECT_EQ(r->header("Connection"), "close");
    EXPECT_TRUE(third.closed_within(2s));

    auto st = s.stats();
    EXPECT_EQ(st.rejected_over_cap, 1u);
    EXPECT_EQ(st.accepted, 3u);
    EXPECT_EQ(st.active, 2u);

    a.close();
    ASSERT_TRUE(s.eventually([&] { return s.stats().active == 1; }));
    raw_client fourth(s.port());
    ASSERT_TRUE(fourth.send(get("/room-again")));
    const auto ok = fourth.read_response();
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200u);
}

TEST(HttpServer, GracefulShutdownLetsTheRequestInFlightFinish)
{
    test_server s;
    raw_client idle(s.port());
    ASSERT_TRUE(idle.send(get("/before")));
    ASSERT_TRUE(idle.read_response());

    raw_client busy(s.port());
    ASSERT_TRUE(busy.send(get("/slow")));
    ASSERT_TRUE(s.eventually([&] { return s.handler_probe().started.load() == 1; }));

    const auto t0 = steady::now();
    auto done = s.begin_shutdown();

    raw_client late(s.port());
    EXPECT_FALSE(late.connected()); // the listener is closed: refused
    EXPECT_TRUE(idle.closed_within(1s));

    const auto r = busy.read_response(3s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200u);
    EXPECT_EQ(r->body, "done");
    EXPECT_EQ(r->header("Connection"), "close");
    EXPECT_TRUE(busy.closed_within(2s));

    ASSERT_EQ(done.wait_for(3s), std::future_status::ready);
    done.get();
    EXPECT_LT(since(t0), 3s);
    EXPECT_EQ(s.stats().active, 0u);
}

TEST(HttpServer, ShutdownCancelsWhatOutlivesTheDeadline)
{
    log_capture logs;
    auto o = small_limits();
    o.shutdown_deadline = 200ms;
    test_server s(o);
    raw_client busy(s.port());
    ASSERT_TRUE(busy.send(get("/hang")));
    ASSERT_TRUE(s.eventually([&] { return s.handler_probe().started.load() == 1; }));

    const auto t0 = steady::now();
    auto done = s.begin_shutdown();
    ASSERT_EQ(done.wait_for(3s), std::future_status::ready);
    done.get();
    const auto took = since(t0);
    EXPECT_GE(took, 150ms);
    EXPECT_LT(took, 2s);
    EXPECT_FALSE(busy.read_response(2s)); // closed without an answer
    EXPECT_EQ(s.stats().active, 0u);
    EXPECT_FALSE(logs.contains("http.handler_failed")); // cancellation is not a handler failure
    EXPECT_TRUE(logs.contains(R"("cancelled_in_flight":1)"));
}

TEST(HttpServer, StatsCountEveryOutcome)
{
    log_capture logs; // keeps the expected handler_failed line out of the test output
    test_server s;
    raw_client c(s.port());
    ASSERT_TRUE(c.send(get("/a") + get("/throw") + get("/b")));
    for (int i = 0; i < 3; ++i)
        ASSERT_TRUE(c.read_response());
    raw_client bad(s.port());
    ASSERT_TRUE(bad.send("BAD\r\n\r\n"));
    ASSERT_TRUE(bad.read_response());
    ASSERT_TRUE(bad.closed_within(2s));

    ASSERT_TRUE(s.eventually([&] { return s.stats().active == 1; }));
    const auto st = s.stats();
    EXPECT_EQ(st.accepted, 2u);
    EXPECT_EQ(st.requests, 3u);
    EXPECT_EQ(st.handler_errors, 1u);
    EXPECT_EQ(st.bad_requests, 1u);
    EXPECT_EQ(st.rejected_over_cap, 0u);
    EXPECT_EQ(st.timeouts, 0u);
}

TEST(HttpServer, BindFailureThrowsWithErrorId)
{
    test_server s;
    net::io_context other;
    auto o = small_limits();
    o.port = s.port();
    server second(other, o, [](request_view) -> task<reply> { co_return reply{}; });
    try {
        second.start();
        FAIL() << "expected a bind failure";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("[http.bind_failed]"), std::string::npos) << e.what();
    }
}

// Without shutdown(): destroying the server on the I/O thread closes everything, and the
// connection coroutines (which share its state) finish on their own.
TEST(HttpServer, DestroyedOnTheIoThreadLetsConnectionsEnd)
{
    probe p;
    net::io_context ioc;
    auto srv = std::make_unique<server>(ioc, small_limits(), [&p](request_view r) { return route(std::move(r), p); });
    const auto port = srv->start();
    std::atomic<bool> ran_out{false};
    std::thread io([&] {
        ioc.run();
        ran_out = true;
    });
    raw_client idle(port);
    ASSERT_TRUE(idle.send(get("/x")));
    ASSERT_TRUE(idle.read_response());
    raw_client hanging(port);
    ASSERT_TRUE(hanging.send(get("/hang")));
    const auto deadline = steady::now() + 3s;
    while (p.started.load() == 0 && steady::now() < deadline)
        std::this_thread::sleep_for(5ms);

    net::post(ioc, [&srv] { srv.reset(); });
    EXPECT_TRUE(idle.closed_within(2s));
    EXPECT_TRUE(hanging.closed_within(2s));
    while (!ran_out && steady::now() < deadline + 3s)
        std::this_thread::sleep_for(5ms);
    EXPECT_TRUE(ran_out) << "connections still running after the server was destroyed";
    ioc.stop();
    io.join();
}

// Without shutdown() and with the io_context stopped mid-request: destroying the server and then
// the io_context (which destroys the suspended coroutine frames) must be clean (ASan build).
TEST(HttpServer, DestroyedWhileStoppedMidRequestIsClean)
{
    probe p;
    auto ioc = std::make_unique<net::io_context>();
    auto srv = std::make_unique<server>(*ioc, small_limits(), [&p](request_view r) { return route(std::move(r), p); });
    const auto port = srv->start();
    std::thread io([&ioc] { ioc->run(); });
    raw_client hanging(port);
    ASSERT_TRUE(hanging.send(get("/hang")));
    raw_client half(port);
    ASSERT_TRUE(half.send("GET /half"));
    const auto deadline = steady::now() + 3s;
    while (p.started.load() == 0 && steady::now() < deadline)
        std::this_thread::sleep_for(5ms);
    ioc->stop();
    io.join();
    srv.reset();
    ioc.reset();
    EXPECT_TRUE(hanging.closed_within(2s));
}

TEST(HttpServer, RequestViewHeaderIsCaseInsensitive)
{
    request_view v;
    v.headers = {{"Content-Type", "application/json"}, {"X-A", "1"}, {"x-a", "2"}};
    EXPECT_EQ(v.header("content-type"), "application/json");
    EXPECT_EQ(v.header("X-a"), "1, 2");
    EXPECT_EQ(v.header("missing"), "");
}

} // namespace
