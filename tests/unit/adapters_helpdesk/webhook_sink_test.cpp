// The webhook sink: the body against the shared fixture, and deliver() against a loopback fake
// receiver that checks the signature itself (OpenSSL EVP_Q_mac, not the code under test) and
// answers as scripted: 2xx, 4xx, 5xx, 429 + Retry-After, slow, no listener.
#include "adapters/helpdesk/webhook_sink.hpp"

#include "bot/log.hpp"
#include "tests/support/run_sync.hpp"
#include "tests/unit/adapters_helpdesk/fake_server.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace ab;
using namespace ab::adapters;
using bot::ports::delivery_outcome;
using test::fake_server;

namespace {

constexpr std::int64_t now = 1763716800;
const std::string secret = "correct horse battery staple";
const std::string url_path = "/workflows/5b2c/triggers/manual/paths/invoke?api-version=2016-06-01&sig=s3cr3t-sas-signature";

http::client::options fast()
{
    http::client::options o;
    o.base_delay = std::chrono::milliseconds(5);
    o.max_delay = std::chrono::milliseconds(20);
    o.max_attempts = 3;
    return o;
}

struct received {
    bot::http::request_view request;
    bool signature_ok = false;
};

struct outcome {
    bot::ports::delivery_result result;
    std::vector<received> requests;
    std::chrono::steady_clock::duration elapsed{};
};

/// What a receiver would check: the HMAC over "<timestamp>.<body>" with the shared secret.
bool signature_ok(const bot::http::request_view& r)
{
    const std::string ts = r.header("X-AccessBot-Timestamp");
    return !ts.empty() && r.header("X-AccessBot-Signature") == test::openssl_signature(secret, ts + "." + r.body);
}

outcome deliver_to(fake_server::script s, bot::ports::escalation_event e = test::fixture_event(),
                   std::chrono::milliseconds timeout = std::chrono::milliseconds(5000), http::client::options client_options = fast())
{
    fake_server receiver(std::move(s));
    net::io_context ioc;
    http::client client(ioc.get_executor(), client_options);
    helpdesk::webhook_sink sink(client, {receiver.base() + url_path, secret, timeout}, [] { return now; });
    const auto started = std::chrono::steady_clock::now();
    auto r = test::run_sync(ioc, sink.deliver(e));
    outcome o{std::move(r), {}, std::chrono::steady_clock::now() - started};
    for (auto& req : receiver.requests())
        o.requests.push_back({req, signature_ok(req)});
    return o;
}

fake_server::script always(unsigned status, std::string body = {}, std::vector<std::pair<std::string, std::string>> headers = {})
{
    return [status, body, headers](int, const bot::http::request_view&) { return fake_server::answer{status, body, {}, headers}; };
}

} // namespace

TEST(WebhookBody, MatchesTheSharedFixtureByteForByte)
{
    EXPECT_EQ(helpdesk::webhook_body(test::fixture_event()), test::source_file("tests/fixtures/helpdesk/webhook-body.json"));
}

TEST(WebhookBody, IsAsciiOnlyAndReplacesInvalidUtf8)
{
    auto e = test::fixture_event();
    e.event = "replied";
    e.message = "Hoi Zoë, het is opgelost ✓\nGroet";
    const auto body = helpdesk::webhook_body(e);
    for (unsigned char c : body)
        EXPECT_LT(c, 0x80);
    const auto j = nlohmann::json::parse(body);
    EXPECT_EQ(j.at("message"), e.message);
    EXPECT_EQ(j.at("version"), 1);
    EXPECT_EQ(j.at("user").at("aadObjectId"), e.user_aad_object_id);
    e.message = "bad \xff utf-8";
    EXPECT_NO_THROW(helpdesk::webhook_body(e));
}

TEST(WebhookSink, DeliversASignedEventTheReceiverVerifies)
{
    const auto o = deliver_to(always(200, R"({"id":"TKT-4711","number":"HD-0042"})"));
    EXPECT_EQ(o.result.outcome, delivery_outcome::delivered);
    EXPECT_EQ(o.result.external_id, "TKT-4711");
    EXPECT_EQ(o.result.external_number, "HD-0042");
    EXPECT_TRUE(o.result.error_id.empty());
    ASSERT_EQ(o.requests.size(), 1u);
    const auto& r = o.requests[0].request;
    EXPECT_TRUE(o.requests[0].signature_ok);
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, url_path);
    EXPECT_EQ(r.header("Content-Type"), "application/json");
    EXPECT_EQ(r.header("X-AccessBot-Timestamp"), std::to_string(now));
    EXPECT_EQ(r.header("X-AccessBot-Delivery"), "dlv-esc-3f2a9c41-created-webhook");
    EXPECT_EQ(r.body, test::source_file("tests/fixtures/helpdesk/webhook-body.json"));
}

TEST(WebhookSink, TamperedBodyWouldFailTheReceiversCheck)
{
    // Guards the fake itself: its check is real, so DeliversASignedEvent... can fail.
    auto o = deliver_to(always(202));
    ASSERT_EQ(o.requests.size(), 1u);
    auto r = o.requests[0].request;
    EXPECT_TRUE(signature_ok(r));
    r.body.back() = ' ';
    EXPECT_FALSE(signature_ok(r));
}

TEST(WebhookSink, OtherSuccessIsDeliveredWithoutIds)
{
    for (const auto& [status, body] : std::vector<std::pair<unsigned, std::string>>{
             {200, ""}, {202, "accepted"}, {204, ""}, {201, R"({"id":{"nested":1}})"}, {200, "[1,2]"}}) {
        const auto o = deliver_to(always(status, body));
        EXPECT_EQ(o.result.outcome, delivery_outcome::delivered) << status << " " << body;
        EXPECT_EQ(o.result.external_id, "") << body;
        EXPECT_EQ(o.requests.size(), 1u);
    }
}

TEST(WebhookSink, ServerErrorIsRetry)
{
    const auto o = deliver_to(always(500, "boom"));
    EXPECT_EQ(o.result.outcome, delivery_outcome::retry);
    EXPECT_EQ(o.result.error_id, "helpdesk.unavailable");
    EXPECT_EQ(o.result.detail, "HTTP 500");
    EXPECT_EQ(o.result.retry_after, std::chrono::seconds(0));
    EXPECT_EQ(o.requests.size(), 1u) << "adapters/http does not retry a 500";
}

TEST(WebhookSink, RequestTimeoutStatusIsRetry)
{
    const auto o = deliver_to(always(408));
    EXPECT_EQ(o.result.outcome, delivery_outcome::retry);
    EXPECT_EQ(o.result.error_id, "helpdesk.unavailable");
}

TEST(WebhookSink, ThrottledIsRetryWithTheReceiversRetryAfter)
{
    const auto o = deliver_to(always(429, "", {{"Retry-After", "7"}}));
    EXPECT_EQ(o.result.outcome, delivery_outcome::retry);
    EXPECT_EQ(o.result.error_id, "helpdesk.throttled");
    EXPECT_EQ(o.result.retry_after, std::chrono::seconds(7));
    // adapters/http retries a 429 itself (fast(): 3 attempts, waits capped at 20 ms); the receiver
    // sees the same delivery id each time and de-duplicates on it.
    ASSERT_EQ(o.requests.size(), 3u);
    for (const auto& r : o.requests) {
        EXPECT_EQ(r.request.header("X-AccessBot-Delivery"), "dlv-esc-3f2a9c41-created-webhook");
        EXPECT_TRUE(r.signature_ok);
    }
}

TEST(WebhookSink, ALongRetryAfterIsLeftToTheOutbox)
{
    // With the client's default options a 7 s wait does not fit in a 1 s delivery: the client
    // returns the 429 at once instead of sleeping, and the outbox waits.
    const auto o = deliver_to(always(503, "", {{"Retry-After", "7"}}), test::fixture_event(), std::chrono::milliseconds(1000),
                              http::client::options{});
    EXPECT_EQ(o.result.outcome, delivery_outcome::retry);
    EXPECT_EQ(o.result.error_id, "helpdesk.unavailable");
    EXPECT_EQ(o.result.retry_after, std::chrono::seconds(7));
    EXPECT_EQ(o.requests.size(), 1u);
    EXPECT_LT(o.elapsed, std::chrono::milliseconds(900));
}

TEST(WebhookSink, SlowReceiverIsATimeout)
{
    const auto o = deliver_to([](int, const bot::http::request_view&) { return fake_server::answer{200, "{}", std::chrono::milliseconds(1000), {}}; },
                              test::fixture_event(), std::chrono::milliseconds(300));
    EXPECT_EQ(o.result.outcome, delivery_outcome::retry);
    EXPECT_EQ(o.result.error_id, "helpdesk.timeout");
    EXPECT_LT(o.elapsed, std::chrono::milliseconds(900)); // gave up at the deadline, not at the answer
    EXPECT_EQ(o.requests.size(), 1u) << "a POST that timed out is not replayed by the client";
}

TEST(WebhookSink, ClientErrorsAreRejected)
{
    for (unsigned status : {400u, 401u, 403u, 404u, 409u, 410u, 413u, 422u}) {
        const auto o = deliver_to(always(status, R"({"error":"nope"})"));
        EXPECT_EQ(o.result.outcome, delivery_outcome::rejected) << status;
        EXPECT_EQ(o.result.error_id, "helpdesk.rejected") << status;
        EXPECT_EQ(o.result.detail, "HTTP " + std::to_string(status));
        EXPECT_EQ(o.requests.size(), 1u) << status;
    }
}

TEST(WebhookSink, RedirectIsRejected)
{
    const auto o = deliver_to(always(302, "", {{"Location", "https://login.example/"}}));
    EXPECT_EQ(o.result.outcome, delivery_outcome::rejected);
    EXPECT_EQ(o.result.error_id, "helpdesk.rejected");
}

TEST(WebhookSink, ConnectionRefusedIsRetry)
{
    const std::uint16_t port = test::closed_port();
    net::io_context ioc;
    http::client client(ioc.get_executor(), fast());
    helpdesk::webhook_sink sink(client, {"http://127.0.0.1:" + std::to_string(port) + "/hook", secret, std::chrono::milliseconds(2000)},
                                [] { return now; });
    const auto e = test::fixture_event();
    const auto r = test::run_sync(ioc, sink.deliver(e));
    EXPECT_EQ(r.outcome, delivery_outcome::retry);
    EXPECT_EQ(r.error_id, "helpdesk.unavailable");
    EXPECT_FALSE(r.detail.empty());
}

TEST(WebhookSink, UnusableDeliveryIdOrUrlSendsNothing)
{
    for (const std::string& id : std::vector<std::string>{"", "dlv 1", "dlv-1\r\nX-Evil: 1", std::string(300, 'a')}) {
        auto e = test::fixture_event();
        e.delivery_id = id;
        const auto o = deliver_to(always(200), e);
        EXPECT_EQ(o.result.outcome, delivery_outcome::rejected) << id;
        EXPECT_EQ(o.result.error_id, "helpdesk.bad_parameter");
        EXPECT_TRUE(o.requests.empty());
    }
    net::io_context ioc;
    http::client client(ioc.get_executor(), fast());
    helpdesk::webhook_sink sink(client, {"ftp://example.com/hook", secret, {}}, [] { return now; });
    const auto e = test::fixture_event();
    const auto r = test::run_sync(ioc, sink.deliver(e));
    EXPECT_EQ(r.outcome, delivery_outcome::rejected);
    EXPECT_EQ(r.error_id, "helpdesk.bad_parameter");
}

TEST(WebhookSink, NameAndConfiguration)
{
    net::io_context ioc;
    http::client client(ioc.get_executor(), fast());
    helpdesk::webhook_sink sink(client, {"http://127.0.0.1:1/x", secret, {}});
    EXPECT_EQ(sink.name(), "webhook");
    EXPECT_THROW(helpdesk::webhook_sink(client, {"", secret, {}}), std::invalid_argument);
    EXPECT_THROW(helpdesk::webhook_sink(client, {"http://127.0.0.1:1/x", "", {}}), std::invalid_argument);
}

TEST(WebhookSink, NeverLogsTheSecretTheSignatureOrTheUrlKey)
{
    std::vector<std::string> lines;
    log::set_sink([&lines](const std::string& line) { lines.push_back(line); });
    const auto old_level = log::min_level();
    log::set_min_level(log::level::debug);
    const auto ok = deliver_to(always(200, R"({"id":"TKT-1"})"));
    const auto refused = deliver_to(always(403));
    const auto slow = deliver_to(always(503));
    log::set_min_level(old_level);
    log::set_sink(nullptr);
    ASSERT_EQ(ok.requests.size(), 1u);
    const std::string signature = ok.requests[0].request.header("X-AccessBot-Signature");
    ASSERT_EQ(signature.size(), 71u);
    bool saw_delivery = false;
    bool saw_failure = false;
    for (const auto& line : lines) {
        EXPECT_EQ(line.find(secret), std::string::npos) << line;
        EXPECT_EQ(line.find(signature.substr(7)), std::string::npos) << line;
        EXPECT_EQ(line.find("s3cr3t-sas-signature"), std::string::npos) << line;
        saw_delivery = saw_delivery || line.find("\"helpdesk.delivery\"") != std::string::npos;
        saw_failure = saw_failure || line.find("helpdesk.rejected") != std::string::npos;
    }
    EXPECT_TRUE(saw_delivery);
    EXPECT_TRUE(saw_failure);
}
