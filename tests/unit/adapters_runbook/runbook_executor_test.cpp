// The runbook executor: the request body against the shared fixture, the steps, and apply()
// against a loopback fake webhook that checks the signature itself (OpenSSL, not the code under
// test) and answers as scripted (Azure Automation: 202 {"JobIds":[...]}, 4xx, 5xx, slow).
#include "adapters/runbook/runbook_executor.hpp"

#include "adapters/runbook/signature.hpp"
#include "bot/http/server.hpp"
#include "bot/log.hpp"
#include "tests/support/loopback_server.hpp"
#include "tests/support/run_sync.hpp"
#include "tests/unit/adapters_runbook/fixture.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <atomic>
#include <cstdio>
#include <functional>
#include <mutex>
#include <thread>

using namespace ab;
using namespace ab::adapters;
using json = nlohmann::json;
using bot::ports::change_outcome;

namespace {

constexpr std::int64_t now = 1763700000;
const std::string secret = "correct horse battery staple";
const std::string callback_url = "https://bot.example/api/admin/runbook-callback";


// A loopback stand-in for the Automation webhook: records each request with whether its signature
// verified, and answers as the script says, optionally after a delay.
class fake_webhook {
public:
    struct answer {
        unsigned status = 202;
        std::string body;
        std::chrono::milliseconds delay{0};
    };
    struct seen {
        bot::http::request_view request;
        bool signature_ok = false;
    };
    using script = std::function<answer(int n)>; // n = 0 for the first request

    explicit fake_webhook(script s)
        : server_([s = std::move(s)](int n, const bot::http::request_view&) {
              const answer a = s(n);
              return test::loopback_server::answer{a.status, a.body, a.delay, {}};
          })
    {
    }
    std::string url() const { return server_.base() + "/webhooks?token=s3cr3t-webhook-token"; }
    /// The requests so far, each with whether its signature verified (checked with OpenSSL).
    std::vector<seen> requests() const
    {
        std::vector<seen> out;
        for (auto& r : server_.requests()) {
            const std::string ts = r.header("X-AccessBot-Timestamp");
            const bool ok = !ts.empty() && r.header("X-AccessBot-Signature") == test::openssl_signature(secret, ts + "." + r.body);
            out.push_back({std::move(r), ok});
        }
        return out;
    }

private:
    test::loopback_server server_;
};

http::client::options fast()
{
    http::client::options o;
    o.base_delay = std::chrono::milliseconds(5);
    o.max_delay = std::chrono::milliseconds(20);
    o.max_attempts = 3;
    return o;
}

bot::ports::setting_change fixture_change()
{
    bot::ports::setting_change c;
    c.id = "act-20251121-0001";
    c.setting = "teams_allowed_domain";
    c.operation = "teams.allowed_domains.add";
    c.parameters = {{"domain", "fabrikam.com"}};
    c.requested_by = "8c6c2c05-4b7f-4f0e-9d57-1f1d2c0a9b11";
    c.requested_by_name = "Megan Bowen";
    c.tenant_id = "0f7d3b2a-5c1e-4e8f-a9d6-3b2c1d0e9f87";
    c.correlation_id = "corr-7d41";
    return c;
}

runbook::runbook_options options_for(const std::string& url, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000))
{
    return {url, secret, callback_url, timeout};
}

struct outcome {
    bot::ports::change_result result;
    std::vector<fake_webhook::seen> requests;
};

outcome apply_against(fake_webhook::script s, bot::ports::setting_change change = fixture_change(),
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(5000))
{
    fake_webhook hook(std::move(s));
    net::io_context ioc;
    http::client client(ioc.get_executor(), fast());
    runbook::runbook_executor exec(client, options_for(hook.url(), timeout), [] { return now; });
    auto r = test::run_sync(ioc, exec.apply(change));
    return {std::move(r), hook.requests()};
}

fake_webhook::answer accepted()
{
    return {202, R"({"JobIds":["7e1c4d2a-0b9f-4e3a-8c6d-5f4e3d2c1b0a"]})", {}};
}

} // namespace

TEST(RequestBody, MatchesTheSharedFixtureByteForByte)
{
    EXPECT_EQ(runbook::request_body(fixture_change(), callback_url, now), test::source_file("tests/fixtures/runbook/request.json"));
}

TEST(RequestBody, EscapesNonAsciiAndDefaultsParameters)
{
    auto c = fixture_change();
    c.requested_by_name = "Zoë Ångström";
    c.parameters = nullptr;
    const auto body = runbook::request_body(c, callback_url, now);
    EXPECT_NE(body.find(R"("name":"Zo\u00eb \u00c5ngstr\u00f6m")"), std::string::npos) << body;
    EXPECT_NE(body.find(R"("parameters":{})"), std::string::npos) << body;
    for (unsigned char ch : body)
        EXPECT_LT(ch, 0x80);
    c.requested_by_name = "bad \xff utf-8"; // replaced, never thrown
    EXPECT_NO_THROW(runbook::request_body(c, callback_url, now));
}

TEST(RunbookOperations, AllowListIsTheEightTeamsOperations)
{
    for (const char* op : {"teams.federation.enable", "teams.allowed_domains.add", "teams.blocked_domains.add", "teams.consumer_chat.enable",
                           "teams.external_access_policy.enable_federation", "teams.guest_access.enable", "teams.shared_channels.enable",
                           "teams.anonymous_join.enable"})
        EXPECT_TRUE(runbook::is_runbook_operation(op)) << op;
    EXPECT_EQ(runbook::runbook_operations().size(), 8u);
    for (const char* op : {"", "teams", "teams.federation.enable ", "Teams.Federation.Enable", "entra.guest_invitations.allow_members",
                           "xtap.b2b_direct_connect.allow", "sharepoint.sharing.allow_guests"})
        EXPECT_FALSE(runbook::is_runbook_operation(op)) << op;
}

TEST(RunbookSteps, FillInTheDomainAndThePolicy)
{
    auto c = fixture_change();
    auto steps = runbook::runbook_steps(c);
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_EQ(steps[0], "Get-CsTenantFederationConfiguration | Select-Object AllowedDomains, BlockedDomains");
    EXPECT_EQ(steps[1], R"(Set-CsTenantFederationConfiguration -AllowedDomainsAsAList @{Add="fabrikam.com"})");

    c.operation = "teams.external_access_policy.enable_federation";
    c.parameters = json::object();
    steps = runbook::runbook_steps(c);
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_EQ(steps[1], R"(Set-CsExternalAccessPolicy -Identity "Global" -EnableFederationAccess $true)");
    c.parameters = {{"policy", "Partner Chat"}};
    EXPECT_EQ(runbook::runbook_steps(c)[1], R"(Set-CsExternalAccessPolicy -Identity "Partner Chat" -EnableFederationAccess $true)");

    c.operation = "teams.anonymous_join.enable";
    c.parameters = json::object();
    EXPECT_EQ(runbook::runbook_steps(c).size(), 4u);
}

TEST(RunbookSteps, InvalidParametersGiveNoSteps)
{
    auto c = fixture_change();
    for (const json& p : {json::object(), json{{"domain", "fabrikam"}}, json{{"domain", "-fabrikam.com"}}, json{{"domain", "fabrikam.c0m"}},
                          json{{"domain", "fabrikam.com\n"}}, json{{"domain", "fab rikam.com"}}, json{{"domain", "\"; Remove-Item x; \".com"}},
                          json{{"domain", 42}}, json{{"domain", "fabrikam.com"}, {"policy", "Global"}}, json::array()}) {
        c.parameters = p;
        EXPECT_TRUE(runbook::runbook_steps(c).empty()) << p.dump();
    }
    c.parameters = {{"domain", "Sub.Fabrikam.COM"}};
    ASSERT_EQ(runbook::runbook_steps(c).size(), 2u);
    EXPECT_EQ(runbook::runbook_steps(c)[1], R"(Set-CsTenantFederationConfiguration -AllowedDomainsAsAList @{Add="sub.fabrikam.com"})");
    c.operation = "teams.external_access_policy.enable_federation";
    c.parameters = {{"policy", "a'b"}};
    EXPECT_TRUE(runbook::runbook_steps(c).empty());
    c.operation = "teams.guest_access.enable";
    c.parameters = {{"domain", "fabrikam.com"}};
    EXPECT_TRUE(runbook::runbook_steps(c).empty());
}

TEST(RunbookExecutor, AcceptedIsPendingWithTheJobIdAndASignatureTheWebhookVerifies)
{
    const auto o = apply_against([](int) { return accepted(); });
    EXPECT_EQ(o.result.outcome, change_outcome::pending);
    EXPECT_EQ(o.result.reference, "7e1c4d2a-0b9f-4e3a-8c6d-5f4e3d2c1b0a");
    EXPECT_TRUE(o.result.error_id.empty());
    ASSERT_EQ(o.result.steps.size(), 2u);
    ASSERT_EQ(o.requests.size(), 1u);
    const auto& r = o.requests[0].request;
    EXPECT_TRUE(o.requests[0].signature_ok);
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/webhooks?token=s3cr3t-webhook-token");
    EXPECT_EQ(r.header("Content-Type"), "application/json");
    EXPECT_EQ(r.header("X-AccessBot-Timestamp"), std::to_string(now));
    EXPECT_EQ(r.body, test::source_file("tests/fixtures/runbook/request.json"));
    EXPECT_TRUE(runbook::verify_signature(secret, r.header("X-AccessBot-Timestamp"), r.header("X-AccessBot-Signature"), r.body, now));
}

TEST(RunbookExecutor, OtherSuccessIsPendingWithoutReference)
{
    for (const auto& a : {fake_webhook::answer{200, "", {}}, fake_webhook::answer{202, "not json", {}}, fake_webhook::answer{202, R"({"JobIds":[]})", {}}}) {
        const auto o = apply_against([a](int) { return a; });
        EXPECT_EQ(o.result.outcome, change_outcome::pending) << a.status << " " << a.body;
        EXPECT_EQ(o.result.reference, "");
    }
}

TEST(RunbookExecutor, RefusalsMapToStableErrorIds)
{
    const std::vector<std::pair<unsigned, std::string>> cases = {
        {400, "runbook.rejected"},  {401, "runbook.unauthorized"}, {403, "runbook.unauthorized"},
        {404, "runbook.not_found"}, {405, "runbook.rejected"},     {500, "runbook.unavailable"},
    };
    for (const auto& [status, id] : cases) {
        const unsigned s = status;
        const auto o = apply_against([s](int) { return fake_webhook::answer{s, "{}", {}}; });
        EXPECT_EQ(o.result.outcome, change_outcome::failed) << status;
        EXPECT_EQ(o.result.error_id, id) << status;
        EXPECT_FALSE(o.result.detail.empty());
        EXPECT_EQ(o.requests.size(), 1u) << status << ": not retried (the client retries only 412/429/502/503/504)";
    }
}

TEST(RunbookExecutor, UnavailableThenAcceptedIsRetriedByTheClient)
{
    const auto o = apply_against([](int n) { return n == 0 ? fake_webhook::answer{503, "", {}} : accepted(); });
    EXPECT_EQ(o.result.outcome, change_outcome::pending);
    EXPECT_EQ(o.result.reference, "7e1c4d2a-0b9f-4e3a-8c6d-5f4e3d2c1b0a");
    ASSERT_EQ(o.requests.size(), 2u);
    EXPECT_TRUE(o.requests[1].signature_ok);
    EXPECT_EQ(o.requests[0].request.body, o.requests[1].request.body);
}

TEST(RunbookExecutor, ThrottledAfterRetriesIsUnavailable)
{
    const auto o = apply_against([](int) { return fake_webhook::answer{429, "", {}}; });
    EXPECT_EQ(o.result.outcome, change_outcome::failed);
    EXPECT_EQ(o.result.error_id, "runbook.unavailable");
    EXPECT_EQ(o.requests.size(), 3u); // fast(): max_attempts = 3
}

TEST(RunbookExecutor, SlowWebhookIsATimeout)
{
    const auto started = std::chrono::steady_clock::now();
    const auto o = apply_against([](int) { return fake_webhook::answer{202, "{}", std::chrono::milliseconds(1500)}; }, fixture_change(),
                                 std::chrono::milliseconds(300));
    const auto elapsed = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(o.result.outcome, change_outcome::failed);
    EXPECT_EQ(o.result.error_id, "runbook.timeout");
    EXPECT_LT(elapsed, std::chrono::milliseconds(1400)); // gave up at the deadline, not at the answer
}

TEST(RunbookExecutor, NoListenerIsUnavailable)
{
    std::uint16_t port = 0;
    {
        net::io_context tmp;
        bot::http::server s(tmp, {}, [](bot::http::request_view) -> task<bot::http::reply> { co_return bot::http::reply{}; });
        port = s.start(); // a port that was free a moment ago and is closed again below
    }
    net::io_context ioc;
    http::client client(ioc.get_executor(), fast());
    runbook::runbook_executor exec(client, options_for("http://127.0.0.1:" + std::to_string(port) + "/webhooks?token=x"), [] { return now; });
    const auto c = fixture_change();
    const auto r = test::run_sync(ioc, exec.apply(c));
    EXPECT_EQ(r.outcome, change_outcome::failed);
    EXPECT_EQ(r.error_id, "runbook.unavailable");
}

TEST(RunbookExecutor, UnknownOperationOrBadParametersSendNothing)
{
    auto c = fixture_change();
    c.operation = "entra.guest_invitations.allow_members";
    auto o = apply_against([](int) { return accepted(); }, c);
    EXPECT_EQ(o.result.outcome, change_outcome::failed);
    EXPECT_EQ(o.result.error_id, "runbook.unsupported_operation");
    EXPECT_TRUE(o.requests.empty());

    c = fixture_change();
    c.parameters = {{"domain", "fabrikam.com; Set-CsTenantFederationConfiguration -AllowFederatedUsers $false"}};
    o = apply_against([](int) { return accepted(); }, c);
    EXPECT_EQ(o.result.error_id, "runbook.invalid_parameter");
    EXPECT_TRUE(o.requests.empty());
}

TEST(RunbookExecutor, NameHandlesAndRead)
{
    net::io_context ioc;
    http::client client(ioc.get_executor(), fast());
    runbook::runbook_executor exec(client, options_for("http://127.0.0.1:1/x"));
    EXPECT_EQ(exec.name(), "runbook");
    EXPECT_TRUE(exec.handles("teams.guest_access.enable"));
    EXPECT_FALSE(exec.handles("groups.guest_settings.enable"));
    const auto c = fixture_change();
    const auto v = test::run_sync(ioc, exec.read(c));
    EXPECT_FALSE(v.known);
}

TEST(RunbookExecutor, RefusesAnIncompleteConfiguration)
{
    net::io_context ioc;
    http::client client(ioc.get_executor(), fast());
    EXPECT_THROW(runbook::runbook_executor(client, {"http://127.0.0.1:1/x", "", callback_url, {}}), std::invalid_argument);
    EXPECT_THROW(runbook::runbook_executor(client, {"", secret, callback_url, {}}), std::invalid_argument);
    EXPECT_THROW(runbook::runbook_executor(client, {"http://127.0.0.1:1/x", secret, "", {}}), std::invalid_argument);
}

TEST(RunbookExecutor, NeverLogsTheSecretTheSignatureOrTheWebhookToken)
{
    std::vector<std::string> lines;
    log::set_sink([&lines](const std::string& line) { lines.push_back(line); });
    const auto old_level = log::min_level();
    log::set_min_level(log::level::debug);
    auto c = fixture_change();
    const auto ok = apply_against([](int) { return accepted(); }, c);
    const auto refused = apply_against([](int) { return fake_webhook::answer{403, "", {}}; }, c);
    log::set_min_level(old_level);
    log::set_sink(nullptr);
    ASSERT_EQ(ok.requests.size(), 1u);
    const std::string signature = ok.requests[0].request.header("X-AccessBot-Signature");
    ASSERT_FALSE(lines.empty());
    bool saw_request = false;
    for (const auto& line : lines) {
        EXPECT_EQ(line.find(secret), std::string::npos) << line;
        EXPECT_EQ(line.find(signature.substr(7)), std::string::npos) << line;
        EXPECT_EQ(line.find("s3cr3t-webhook-token"), std::string::npos) << line;
        saw_request = saw_request || line.find("runbook.request") != std::string::npos;
    }
    EXPECT_TRUE(saw_request);
}
