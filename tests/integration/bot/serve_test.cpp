// The real endpoint (access-bot serve) against loopback fakes of the OpenID metadata, the JWKS,
// the Entra token endpoint and the Bot Connector: channel tokens signed at run time, replies
// checked where the Connector receives them.
#include "bot/serve/app.hpp"
#include "bot/serve/audit_command.hpp"

#include "adapters/http/client.hpp"
#include "bot/http/server.hpp"
#include "tests/support/card_actions.hpp"
#include "tests/support/loopback_server.hpp"
#include "tests/support/run_sync.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/bot_auth/test_signer.hpp"

#include <boost/asio/io_context.hpp>
#include <openssl/evp.h>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>
#include <mutex>
#include <sstream>
#include <thread>

using namespace ab;
using json = nlohmann::json;
namespace signer = ab::bot::auth::testing;

namespace {

constexpr std::string_view app_id = "11111111-2222-3333-4444-555555555555";

// Plays login.botframework.com, login.microsoftonline.com and the Bot Connector on one port.
class upstream {
public:
    std::string base() const { return server_.base(); }
    std::string service_url() const { return base() + "/amer/"; }

    std::atomic<int> token_requests{0};
    std::atomic<int> jwks_requests{0};
    struct received {
        std::string path;
        std::string authorization;
        json body;
        std::string raw;
    };
    std::vector<received> replies() const
    {
        std::lock_guard lock(mutex_);
        return replies_;
    }
    std::vector<received> updates() const
    {
        std::lock_guard lock(mutex_);
        return updates_;
    }
    /// Requests to the runbook webhook; `authorization` holds "timestamp|signature".
    std::vector<received> runbook_requests() const
    {
        std::lock_guard lock(mutex_);
        return runbook_requests_;
    }

private:
    static bot::http::server::options options()
    {
        bot::http::server::options o;
        o.io_timeout = std::chrono::seconds(5);
        return o;
    }

    bot::http::reply handle(const bot::http::request_view& r)
    {
        bot::http::reply out;
        const std::string path = r.target.substr(0, r.target.find('?'));
        if (path == "/v1/.well-known/openidconfiguration") {
            out.body = json{{"issuer", "https://api.botframework.com"}, {"jwks_uri", base() + "/v1/.well-known/keys"}}.dump();
        } else if (path == "/v1/.well-known/keys") {
            ++jwks_requests;
            out.body = signer::jwks_text({signer::test_key::get("serve-1").jwk("serve-1", {"msteams", "emulator"})});
        } else if (path == "/botframework.com/oauth2/v2.0/token") {
            ++token_requests;
            const bool ok = r.body.find("client_id=" + std::string(app_id)) != std::string::npos &&
                            r.body.find("client_secret=s3cret") != std::string::npos &&
                            r.body.find("grant_type=client_credentials") != std::string::npos;
            out.status = ok ? 200 : 401;
            out.body = ok ? json{{"token_type", "Bearer"}, {"expires_in", 3600}, {"access_token", "connector-token-1"}}.dump()
                          : json{{"error", "invalid_client"}}.dump();
        } else if (path == "/runbook/webhook" && r.method == "POST") {
            std::lock_guard lock(mutex_);
            runbook_requests_.push_back({path, r.header("X-AccessBot-Timestamp") + "|" + r.header("X-AccessBot-Signature"),
                                         json::parse(r.body, nullptr, false), r.body});
            out.status = 202;
            out.body = R"({"JobIds":["5b3c0a7e-0000-4000-8000-000000000001"]})";
        } else if (path.rfind("/amer/v3/conversations/", 0) == 0 && r.method == "PUT") {
            std::lock_guard lock(mutex_);
            updates_.push_back({path, r.header("Authorization"), json::parse(r.body, nullptr, false), {}});
            out.status = 200;
            out.body = R"({"id":"1:updated"})";
        } else if (path.rfind("/amer/v3/conversations/", 0) == 0 && r.method == "POST") {
            std::lock_guard lock(mutex_);
            replies_.push_back({path, r.header("Authorization"), json::parse(r.body, nullptr, false), {}});
            out.status = 201;
            out.body = R"({"id":"1:reply"})";
        } else {
            out.status = 404;
        }
        return out;
    }

    mutable std::mutex mutex_;
    std::vector<received> replies_;
    std::vector<received> updates_;
    std::vector<received> runbook_requests_;
    // Last: it stops (joins its thread) before the state its script uses is destroyed.
    test::loopback_server server_{test::loopback_server::replying([this](const bot::http::request_view& r) { return handle(r); }),
                                  options()};
};

std::string channel_token(const std::string& service_url, const std::string& audience = std::string(app_id),
                          const std::string& key = "serve-1")
{
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    const json claims = {{"iss", "https://api.botframework.com"}, {"aud", audience}, {"serviceurl", service_url},
                         {"nbf", now - 60}, {"exp", now + 3600}};
    return signer::sign_token(signer::header_for(key), claims, signer::test_key::get(key));
}

json message(const std::string& service_url, const std::string& id, const std::string& text)
{
    return {{"type", "message"},
            {"id", id},
            {"timestamp", "2026-11-21T10:00:00.000Z"},
            {"serviceUrl", service_url},
            {"channelId", "msteams"},
            {"from", {{"id", "29:user-1"}, {"name", "Anna"}}},
            {"recipient", {{"id", "28:" + std::string(app_id)}, {"name", "access-bot"}}},
            {"conversation", {{"id", "a:conv-1"}, {"conversationType", "personal"}}},
            {"text", text},
            {"locale", "en-US"}};
}

// The bot running on its own I/O thread.
class running_bot {
public:
    explicit running_bot(const upstream& up, const std::function<void(bot::serve::options&)>& configure = {})
    {
        bot::serve::options o;
        o.settings.app_id = std::string(app_id);
        o.settings.app_password = "s3cret";
        o.settings.openid_metadata_url = up.base() + "/v1/.well-known/openidconfiguration";
        o.settings.token_endpoint = up.base() + "/botframework.com/oauth2/v2.0/token";
        o.settings.port = 0;
        o.settings.data_dir = AB_TEST_CACHE_DIR; // for the card key; the model is the prebuilt one
        o.settings.store = "memory";             // each test starts with fresh conversations
        if (configure)
            configure(o);
        opt_ = o;
        endpoint_ = std::make_unique<bot::serve::endpoint>(opt_);
        port_ = endpoint_->start();
        thread_ = std::thread([this] { endpoint_->run(); });
        for (int i = 0; i < 500 && !endpoint_->ready(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ~running_bot()
    {
        endpoint_->request_stop();
        thread_.join();
    }
    std::uint16_t port() const { return port_; }
    bool ready() const { return endpoint_->ready(); }

private:
    bot::serve::options opt_;
    std::unique_ptr<bot::serve::endpoint> endpoint_;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

adapters::http::response call(std::uint16_t port, std::string method, std::string path, std::string body = {},
                              std::string authorization = {}, std::string content_type = "application/json")
{
    net::io_context ioc;
    adapters::http::client::options o;
    o.max_attempts = 1;
    adapters::http::client client(ioc.get_executor(), o);
    adapters::http::request r;
    r.method = std::move(method);
    r.url = "http://127.0.0.1:" + std::to_string(port) + path;
    r.body = std::move(body);
    r.timeout = std::chrono::seconds(10);
    r.headers = {{"Content-Type", content_type}};
    if (!authorization.empty())
        r.headers.emplace_back("Authorization", std::move(authorization));
    auto res = test::run_sync(ioc, client.send(std::move(r)));
    EXPECT_TRUE(res.has_value()) << (res ? "" : res.error().message());
    return res ? *res : adapters::http::response{};
}

} // namespace

TEST(ServeIntegration, AuthenticatedMessageIsAnsweredThroughTheConnector)
{
    upstream up;
    running_bot bot(up);
    ASSERT_TRUE(bot.ready()) << "signing keys were not loaded from the fake OpenID endpoint";
    EXPECT_EQ(call(bot.port(), "GET", "/readyz").status, 200u);
    EXPECT_EQ(call(bot.port(), "GET", "/healthz").status, 200u);

    const std::string token = "Bearer " + channel_token(up.service_url());
    for (int i = 1; i <= 3; ++i) {
        const auto r = call(bot.port(), "POST", "/api/messages",
                            message(up.service_url(), "act-" + std::to_string(i), "how do I add a guest to my team?").dump(), token);
        EXPECT_EQ(r.status, 200u) << r.body;
    }
    const auto replies = up.replies();
    ASSERT_EQ(replies.size(), 3u);
    EXPECT_EQ(replies[0].path, "/amer/v3/conversations/a%3Aconv-1/activities/act-1");
    EXPECT_EQ(replies[0].authorization, "Bearer connector-token-1");
    EXPECT_EQ(replies[0].body.value("replyToId", ""), "act-1");
    EXPECT_EQ(replies[0].body["attachments"][0]["contentType"], "application/vnd.microsoft.card.adaptive");
    EXPECT_EQ(up.token_requests.load(), 1) << "the Connector token is cached";
    EXPECT_EQ(up.jwks_requests.load(), 1) << "signing keys are cached";

    // The same activity again (a redelivery): acknowledged, not answered twice.
    EXPECT_EQ(call(bot.port(), "POST", "/api/messages", message(up.service_url(), "act-1", "how do I add a guest to my team?").dump(), token).status, 200u);
    EXPECT_EQ(up.replies().size(), 3u);
}

TEST(ServeIntegration, BadTokensAre401AndNeverAnswered)
{
    upstream up;
    running_bot bot(up);
    ASSERT_TRUE(bot.ready());
    const std::string body = message(up.service_url(), "x-1", "hello").dump();
    EXPECT_EQ(call(bot.port(), "POST", "/api/messages", body).status, 401u);
    EXPECT_EQ(call(bot.port(), "POST", "/api/messages", body, "Basic abc").status, 401u);
    EXPECT_EQ(call(bot.port(), "POST", "/api/messages", body, "Bearer not.a.jwt").status, 401u);
    EXPECT_EQ(call(bot.port(), "POST", "/api/messages", body, "Bearer " + channel_token(up.service_url(), "someone-else")).status, 401u);
    EXPECT_EQ(call(bot.port(), "POST", "/api/messages", body, "Bearer " + channel_token("https://evil.example/")).status, 401u);
    // Signed by a key the JWKS does not publish: the bot refreshes the keys once, then refuses.
    EXPECT_EQ(call(bot.port(), "POST", "/api/messages", body, "Bearer " + channel_token(up.service_url(), std::string(app_id), "rogue")).status,
              401u);
    EXPECT_TRUE(up.replies().empty());
    const auto metrics = call(bot.port(), "GET", "/metrics").body;
    EXPECT_NE(metrics.find("ab_rejected_total{reason=\"auth.bad_audience\"} 1"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("ab_rejected_total{reason=\"auth.serviceurl_mismatch\"} 1"), std::string::npos) << metrics;
}

TEST(ServeIntegration, InvokeIsAnsweredInTheBodyAndBadRequestsAreRejected)
{
    upstream up;
    running_bot bot(up);
    ASSERT_TRUE(bot.ready());
    const std::string token = "Bearer " + channel_token(up.service_url());
    json invoke = message(up.service_url(), "inv-1", "");
    invoke["type"] = "invoke";
    invoke["name"] = "adaptiveCard/action";
    invoke["value"] = {{"action", {{"type", "Action.Execute"}, {"verb", "helpful_yes"}, {"data", json::object()}}}};
    const auto r = call(bot.port(), "POST", "/api/messages", invoke.dump(), token);
    // Processed (HTTP 200); the button data is not one the bot signed, so the answer in the body
    // is a message saying nothing was changed.
    EXPECT_EQ(r.status, 200u);
    EXPECT_NE(r.body.find("application/vnd.microsoft.activity.message"), std::string::npos) << r.body;

    EXPECT_EQ(call(bot.port(), "POST", "/api/messages", "x", token, "text/plain").status, 415u);
    EXPECT_EQ(call(bot.port(), "POST", "/api/messages", std::string(300 * 1024, ' '), token).status, 413u);
    EXPECT_EQ(call(bot.port(), "GET", "/api/messages").status, 405u);
    EXPECT_EQ(call(bot.port(), "GET", "/nope").status, 404u);
    // The token is checked before the body is read: without one, even garbage is a plain 401;
    // with a valid one, a malformed activity is a 400.
    EXPECT_EQ(call(bot.port(), "POST", "/api/messages", "{not json").status, 401u);
    EXPECT_EQ(call(bot.port(), "POST", "/api/messages", "{not json", token).status, 400u);
    EXPECT_EQ(call(bot.port(), "POST", "/api/messages", R"({"type":"message"})", token).status, 400u);
    EXPECT_TRUE(up.replies().empty());
    const auto metrics = call(bot.port(), "GET", "/metrics").body;
    EXPECT_NE(metrics.find("ab_rejected_total{reason=\"auth.missing_header\"} 1"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("ab_rejected_total{reason=\"schema.bad_activity\"} 2"), std::string::npos) << metrics;
}

namespace {

constexpr const char* admin_oid = "0a1b2c3d-0000-4000-8000-00000000ad01";
constexpr const char* runbook_secret = "runbook-shared-secret-0123456789";


json from_admin(json a)
{
    a["from"] = {{"id", "29:admin-1"}, {"name", "Megan Bowen"}, {"aadObjectId", admin_oid}};
    a["conversation"]["tenantId"] = "72f988bf-0000-4000-8000-000000000001";
    a["channelData"] = {{"tenant", {{"id", "72f988bf-0000-4000-8000-000000000001"}}}};
    return a;
}

json click(const upstream& up, const std::string& id, const json& action, const std::string& card_activity)
{
    json a = from_admin(message(up.service_url(), id, ""));
    a.erase("text");
    a["type"] = "invoke";
    a["name"] = "adaptiveCard/action";
    a["replyToId"] = card_activity;
    a["value"] = {{"action", {{"type", "Action.Execute"}, {"verb", action.at("verb")}, {"data", action.at("data")}}}};
    return a;
}


adapters::http::response post_callback(std::uint16_t port, const std::string& body, std::int64_t ts, const std::string& secret = runbook_secret)
{
    net::io_context ioc;
    adapters::http::client::options o;
    o.max_attempts = 1;
    adapters::http::client client(ioc.get_executor(), o);
    adapters::http::request r;
    r.method = "POST";
    r.url = "http://127.0.0.1:" + std::to_string(port) + "/api/admin/runbook-callback";
    r.body = body;
    r.headers = {{"Content-Type", "application/json"},
                 {"X-AccessBot-Timestamp", std::to_string(ts)},
                 {"X-AccessBot-Signature", test::openssl_signature(secret, std::to_string(ts) + "." + body)}};
    auto res = test::run_sync(ioc, client.send(std::move(r)));
    EXPECT_TRUE(res.has_value());
    return res ? *res : adapters::http::response{};
}

} // namespace

// Issue 5's domain flow through the real endpoint: an admin's "we can't chat with fabrikam.com" →
// answer card with "Allow fabrikam.com" → confirmation → the signed runbook request carries exactly
// that domain → the runbook's signed callback → the card is updated through the Connector; the
// audit log (SQLite) has every step and `access-bot audit` prints it.
TEST(ServeIntegration, AdminDomainFlowRunsTheRunbookAndRecordsTheCallback)
{
    upstream up;
    test::temp_dir data;
    {
        running_bot bot(up, [&](bot::serve::options& o) {
            o.settings.store = "sqlite";
            o.settings.data_dir = data.path();
            o.knowledge_dir.reset();
            o.settings.admin_ids = {admin_oid};
            o.settings.runbook_url = up.base() + "/runbook/webhook";
            o.settings.runbook_secret = runbook_secret;
            o.settings.public_url = "https://bot.example.com/";
        });
        ASSERT_TRUE(bot.ready());
        const std::string token = "Bearer " + channel_token(up.service_url());

        ASSERT_EQ(call(bot.port(), "POST", "/api/messages", from_admin(message(up.service_url(), "m-1", "we can't chat with fabrikam.com")).dump(),
                       token).status, 200u);
        ASSERT_EQ(up.replies().size(), 1u);
        const json answer = up.replies()[0].body["attachments"][0]["content"];
        const json apply = test::find_button(answer, "Allow fabrikam.com for external access");
        ASSERT_FALSE(apply.is_null()) << answer.dump();

        auto r = call(bot.port(), "POST", "/api/messages", click(up, "i-1", apply, "1:answer").dump(), token);
        ASSERT_EQ(r.status, 200u) << r.body;
        ASSERT_EQ(up.replies().size(), 2u);
        const json confirm = up.replies()[1].body["attachments"][0]["content"];
        EXPECT_NE(confirm.dump().find("AllowedDomains + fabrikam.com"), std::string::npos);
        EXPECT_TRUE(up.runbook_requests().empty()) << "nothing runs before Confirm";

        r = call(bot.port(), "POST", "/api/messages", click(up, "i-2", test::find_button(confirm, "Confirm"), "1:confirm").dump(), token);
        ASSERT_EQ(r.status, 200u);
        EXPECT_NE(r.body.find("Sent to the runbook"), std::string::npos) << r.body;
        ASSERT_EQ(up.runbook_requests().size(), 1u);
        const auto req = up.runbook_requests()[0];
        EXPECT_EQ(req.body["operation"], "teams.allowed_domains.add");
        EXPECT_EQ(req.body["parameters"], (json{{"domain", "fabrikam.com"}}));
        EXPECT_EQ(req.body["requestedBy"]["id"], admin_oid);
        EXPECT_EQ(req.body["callbackUrl"], "https://bot.example.com/api/admin/runbook-callback");
        const std::string ts = req.authorization.substr(0, req.authorization.find('|'));
        EXPECT_EQ(req.authorization.substr(req.authorization.find('|') + 1), test::openssl_signature(runbook_secret, ts + "." + req.raw))
            << "the webhook can verify the request";

        // The runbook reports back: wrong and stale signatures are refused, the right one recorded.
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
        const std::string cb = json{{"version", 1}, {"id", req.body["id"]}, {"operation", "teams.allowed_domains.add"}, {"status", "applied"},
                                    {"before", {{"AllowedDomains", "AllowAllKnownDomains"}}}, {"after", {{"AllowedDomains", {"fabrikam.com"}}}},
                                    {"error", ""}, {"jobId", "5b3c0a7e-0000-4000-8000-000000000001"}}.dump();
        EXPECT_EQ(post_callback(bot.port(), cb, now, "another-secret-0123456789").status, 401u);
        EXPECT_EQ(post_callback(bot.port(), cb, now - 600).status, 401u);
        EXPECT_TRUE(up.updates().empty());
        auto ok = post_callback(bot.port(), cb, now);
        EXPECT_EQ(ok.status, 200u) << ok.body;
        EXPECT_NE(ok.body.find("recorded"), std::string::npos);
        EXPECT_NE(post_callback(bot.port(), cb, now).body.find("already_recorded"), std::string::npos);
        ASSERT_EQ(up.updates().size(), 1u);
        EXPECT_NE(up.updates()[0].path.find("/activities/1%3Aconfirm"), std::string::npos) << up.updates()[0].path;
        EXPECT_NE(up.updates()[0].body.dump().find("Done"), std::string::npos);
    }
    std::ostringstream out, err;
    bot::serve::audit_query q;
    q.data_dir = data.path();
    EXPECT_EQ(bot::serve::audit(q, out, err), 0) << err.str();
    const std::string listing = out.str();
    EXPECT_NE(listing.find("requested/requested"), std::string::npos) << listing;
    EXPECT_NE(listing.find("executed/pending"), std::string::npos) << listing;
    EXPECT_NE(listing.find("completed/applied"), std::string::npos) << listing;
    EXPECT_NE(listing.find("Megan Bowen (" + std::string(admin_oid) + ")"), std::string::npos) << listing;
    EXPECT_NE(listing.find("{\"domain\":\"fabrikam.com\"}"), std::string::npos) << listing;
    EXPECT_NE(err.str().find("3 audit entries"), std::string::npos) << err.str();
}
