// Admin actions with the real executors: the dialogs (test channel, real runner
// and admin_actions) drive the real Graph executor and runbook executor over
// real HTTP against a loopback fake of the Entra token endpoint, Microsoft
// Graph and the Azure Automation webhook (shapes from
// ../shared/reference/admin-apis.md). Each service behaviour must end in the
// right card and the right audit entry: success, already set, 403, 429 then
// success, timeout, malformed answer.
#include "adapters/graph/graph_executor.hpp"
#include "adapters/runbook/runbook_executor.hpp"
#include "adapters/storage/memory_storage.hpp"
#include "bot/http/server.hpp"
#include "dialogs/actions/admin_actions.hpp"
#include "tests/support/loopback_server.hpp"
#include "tests/support/test_channel.hpp"

#include <gtest/gtest.h>

#include <map>
#include <mutex>

using namespace ab;
using namespace std::chrono_literals;
using json = nlohmann::json;
namespace ports = ab::bot::ports;
using ab::test::card_text;
using ab::test::test_channel;

namespace {

constexpr const char* admin_oid = "0a1b2c3d-0000-4000-8000-00000000ad01";
constexpr const char* policy_path = "/v1.0/policies/authorizationPolicy";

struct answer {
    unsigned status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    std::chrono::milliseconds delay{0};
};

answer json_answer(unsigned status, const json& body)
{
    return {status, body.dump(), {{"Content-Type", "application/json"}}, 0ms};
}

/// Entra token endpoint + Graph + Automation webhook on one loopback port; the
/// test scripts the rest.
class fake_services {
public:
    using script = std::function<answer(const bot::http::request_view&, int nth)>;
    explicit fake_services(script s) : script_(std::move(s)) {}
    std::string url(const std::string& path) const { return server_.base() + path; }
    int count(const std::string& method, const std::string& path) const
    {
        std::lock_guard lock(mutex_);
        const auto it = hits_.find(method + " " + path);
        return it == hits_.end() ? 0 : it->second;
    }
    std::vector<std::string> bodies(const std::string& method) const
    {
        std::lock_guard lock(mutex_);
        std::vector<std::string> out;
        for (const auto& [m, b] : seen_)
            if (m == method)
                out.push_back(b);
        return out;
    }

private:
    test::loopback_server::answer handle(const bot::http::request_view& r)
    {
        answer a;
        if (r.target == "/tenant/oauth2/v2.0/token") {
            a = json_answer(200, {{"token_type", "Bearer"}, {"expires_in", 3599}, {"access_token", "graph-token"}});
        } else {
            int nth = 0;
            {
                std::lock_guard lock(mutex_);
                nth = ++hits_[r.method + " " + r.target];
                seen_.emplace_back(r.method, r.body);
            }
            a = script_(r, nth);
        }
        return {a.status, std::move(a.body), a.delay, std::move(a.headers)};
    }

    script script_;
    mutable std::mutex mutex_;
    std::map<std::string, int> hits_;
    std::vector<std::pair<std::string, std::string>> seen_;
    // Last: it stops (joins its thread) before the state its script uses is destroyed.
    test::loopback_server server_{[this](int, const bot::http::request_view& r) { return handle(r); }};
};

/// The bot side: dialogs + admin actions + real executors on one io_context.
struct bot_side {
    net::io_context ioc;
    adapters::storage::memory_storage store;
    dialogs::action_signer signer{std::string(test::test_signing_key)};
    dialogs::cards::card_builder cards{test::builtin_content(), signer};
    dialogs::actions::catalog catalog{test::builtin_content()};
    adapters::http::client http;
    adapters::connector::token_provider tokens;
    adapters::graph::graph_executor graph;
    adapters::runbook::runbook_executor runbook;
    dialogs::actions::authorizer auth{dialogs::actions::admin_policy{{admin_oid}, {}, {}, false}, nullptr};
    std::unique_ptr<dialogs::actions::admin_actions> admin;
    std::unique_ptr<test_channel> channel;

    static adapters::http::client::options client_options()
    {
        adapters::http::client::options o;
        o.base_delay = 10ms;
        o.max_delay = 200ms;
        return o;
    }

    explicit bot_side(const fake_services& f)
        : http(ioc.get_executor(), client_options())
        , tokens(http, {f.url("/tenant/oauth2/v2.0/token"), "client", "secret", "https://graph.microsoft.com/.default"})
        , graph(http, tokens, {f.url("/v1.0"), 400ms})
        , runbook(http, {f.url("/webhooks/run"), "runbook-secret-0123456789", "https://bot.example.com/api/admin/runbook-callback", 400ms})
    {
        std::vector<ports::setting_executor*> executors{&graph, &runbook};
        admin = std::make_unique<dialogs::actions::admin_actions>(
            dialogs::actions::admin_parts{test::builtin_content(), catalog, auth, executors, store, store, cards, nullptr});
        channel = std::make_unique<test_channel>(store, store, test::conversation_kind::personal, dialogs::runner_options{}, nullptr,
                                                 admin.get());
        channel->run_on(ioc);
        channel->act_as("29:admin", "Megan Bowen", admin_oid);
    }

    /// Apply (setting, domain) → Confirm; returns the text of the card that
    /// replaced the confirmation.
    std::string apply_and_confirm(const std::string& setting, const std::string& domain = {})
    {
        const auto now = std::chrono::system_clock::now();
        const json args = {{"setting", setting},
                           {"d", domain},
                           {"l", "en"},
                           {"u", admin_oid},
                           {"c", channel->conversation_id()},
                           {"x", std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() + 600}};
        const json apply = {{"type", "Action.Execute"}, {"verb", "apply"}, {"data", signer.sign("apply", "answer-card", args, now)}};
        channel->deliver(channel->invoke(apply, "answer-activity"));
        const std::size_t n = channel->sent().size() - 1;
        confirm_text = card_text(channel->card(n));
        const json confirm = test_channel::button(channel->card(n), "Confirm");
        if (confirm.is_null())
            return "(no confirmation card) " + confirm_text;
        auto out = channel->deliver(channel->invoke(confirm, channel->sent_id(n)));
        if (!out.invoke || out.invoke->body.value("type", "") != "application/vnd.microsoft.card.adaptive")
            return "(no card) " + (out.invoke ? out.invoke->body.dump() : std::string());
        return card_text(out.invoke->body.at("value"));
    }

    json last_audit()
    {
        auto rows = test::run_sync(ioc, store.list("audit", 0, 100));
        return rows && !rows->empty() ? rows->back().data : json();
    }

    std::string confirm_text;
};

} // namespace

TEST(AdminExecutorFlows, GraphSuccessShowsBeforeAndAfter)
{
    fake_services f([](const bot::http::request_view& r, int nth) {
        if (r.method == "GET")
            return json_answer(200, {{"allowInvitesFrom", nth <= 2 ? "none" : "adminsGuestInvitersAndAllMembers"}});
        return answer{204, {}, {{"request-id", "req-42"}}, 0ms};
    });
    bot_side b(f);
    const std::string shown = b.apply_and_confirm("entra_guest_invitations");
    EXPECT_NE(b.confirm_text.find("Current value: allowInvitesFrom = none"), std::string::npos) << b.confirm_text;
    EXPECT_NE(shown.find("Done"), std::string::npos) << shown;
    EXPECT_NE(shown.find("Before: allowInvitesFrom = none"), std::string::npos) << shown;
    EXPECT_NE(shown.find("After: allowInvitesFrom = adminsGuestInvitersAndAllMembers"), std::string::npos) << shown;
    ASSERT_EQ(f.bodies("PATCH").size(), 1u);
    EXPECT_EQ(json::parse(f.bodies("PATCH")[0]), (json{{"allowInvitesFrom", "adminsGuestInvitersAndAllMembers"}}));
    const json audit = b.last_audit();
    EXPECT_EQ(audit["result"], "applied");
    EXPECT_EQ(audit["executor"], "graph");
    EXPECT_EQ(audit["before"]["allowInvitesFrom"], "none");
    EXPECT_EQ(audit["reference"], "req-42");
}

TEST(AdminExecutorFlows, GraphAlreadySetWritesNothing)
{
    fake_services f([](const bot::http::request_view&, int) { return json_answer(200, {{"allowInvitesFrom", "everyone"}}); });
    bot_side b(f);
    const std::string shown = b.apply_and_confirm("entra_guest_invitations");
    EXPECT_NE(b.confirm_text.find("already has this value"), std::string::npos) << b.confirm_text;
    EXPECT_NE(shown.find("Already set"), std::string::npos) << shown;
    EXPECT_EQ(f.count("PATCH", policy_path), 0);
    EXPECT_EQ(b.last_audit()["result"], "already_set");
}

TEST(AdminExecutorFlows, GraphForbiddenShowsGraphsReason)
{
    fake_services f([](const bot::http::request_view&, int) {
        return json_answer(
            403, {{"error", {{"code", "Authorization_RequestDenied"}, {"message", "Insufficient privileges to complete the operation."}}}});
    });
    bot_side b(f);
    const std::string shown = b.apply_and_confirm("entra_guest_invitations");
    EXPECT_NE(b.confirm_text.find("Could not be read (graph.forbidden)"), std::string::npos) << b.confirm_text;
    EXPECT_NE(shown.find("Not changed"), std::string::npos) << shown;
    EXPECT_NE(shown.find("graph.forbidden: Insufficient privileges to complete "
                         "the operation."),
              std::string::npos)
        << shown;
    EXPECT_EQ(f.count("PATCH", policy_path), 0);
    const json audit = b.last_audit();
    EXPECT_EQ(audit["result"], "failed");
    EXPECT_EQ(audit["reason"], "graph.forbidden");
}

TEST(AdminExecutorFlows, GraphThrottledThenSuccess)
{
    fake_services f([](const bot::http::request_view& r, int nth) {
        if (r.method == "PATCH")
            return nth == 1 ? answer{429, R"({"error":{"code":"TooManyRequests","message":"throttled"}})", {{"Retry-After", "0"}}, 0ms}
                            : answer{204, {}, {}, 0ms};
        return json_answer(200, {{"allowInvitesFrom", nth <= 2 ? "adminsAndGuestInviters" : "adminsGuestInvitersAndAllMembers"}});
    });
    bot_side b(f);
    const std::string shown = b.apply_and_confirm("entra_guest_invitations");
    EXPECT_NE(shown.find("Done"), std::string::npos) << shown;
    EXPECT_EQ(f.count("PATCH", policy_path), 2);
    EXPECT_EQ(b.last_audit()["result"], "applied");
}

TEST(AdminExecutorFlows, GraphTimeoutIsAFailureNotAHang)
{
    fake_services f([](const bot::http::request_view& r, int) {
        if (r.method == "PATCH")
            return answer{204, {}, {}, 1500ms};
        return json_answer(200, {{"allowInvitesFrom", "none"}});
    });
    bot_side b(f);
    const std::string shown = b.apply_and_confirm("entra_guest_invitations");
    EXPECT_NE(shown.find("graph.timeout"), std::string::npos) << shown;
    EXPECT_EQ(b.last_audit()["reason"], "graph.timeout");
}

TEST(AdminExecutorFlows, GraphMalformedAnswer)
{
    fake_services f([](const bot::http::request_view&, int) {
        return answer{200, R"({"allowInvitesFrom":)", {{"Content-Type", "application/json"}}, 0ms};
    });
    bot_side b(f);
    const std::string shown = b.apply_and_confirm("entra_guest_invitations");
    EXPECT_NE(shown.find("graph.malformed"), std::string::npos) << shown;
    EXPECT_EQ(f.count("PATCH", policy_path), 0);
    EXPECT_EQ(b.last_audit()["reason"], "graph.malformed");
}

TEST(AdminExecutorFlows, RunbookAcceptedIsPendingWithTheJobId)
{
    fake_services f([](const bot::http::request_view&, int) {
        return json_answer(202, {{"JobIds", {"5b3c0a7e-0000-4000-8000-000000000001"}}});
    });
    bot_side b(f);
    const std::string shown = b.apply_and_confirm("teams_allowed_domain", "fabrikam.com");
    EXPECT_NE(shown.find("Sent to the runbook"), std::string::npos) << shown;
    EXPECT_NE(shown.find("5b3c0a7e-0000-4000-8000-000000000001"), std::string::npos) << shown;
    ASSERT_EQ(f.bodies("POST").size(), 1u);
    const json req = json::parse(f.bodies("POST")[0]);
    EXPECT_EQ(req["operation"], "teams.allowed_domains.add");
    EXPECT_EQ(req["parameters"], (json{{"domain", "fabrikam.com"}}));
    const json audit = b.last_audit();
    EXPECT_EQ(audit["result"], "pending");
    EXPECT_EQ(audit["reference"], "5b3c0a7e-0000-4000-8000-000000000001");
}

TEST(AdminExecutorFlows, RunbookForbiddenAndTimeout)
{
    {
        fake_services f([](const bot::http::request_view&, int) { return answer{403, "forbidden", {}, 0ms}; });
        bot_side b(f);
        const std::string shown = b.apply_and_confirm("teams_federation");
        EXPECT_NE(shown.find("runbook.unauthorized"), std::string::npos) << shown;
        EXPECT_EQ(b.last_audit()["reason"], "runbook.unauthorized");
    }
    {
        fake_services f([](const bot::http::request_view&, int) { return answer{202, R"({"JobIds":["x"]})", {}, 1500ms}; });
        bot_side b(f);
        const std::string shown = b.apply_and_confirm("teams_federation");
        EXPECT_NE(shown.find("runbook.timeout"), std::string::npos) << shown;
        EXPECT_EQ(b.last_audit()["reason"], "runbook.timeout");
    }
}
