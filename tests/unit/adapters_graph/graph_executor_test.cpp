// The Graph executor and directory against a scripted loopback server that plays both the Entra
// token endpoint and Microsoft Graph.
#include "adapters/graph/graph_executor.hpp"

#include "bot/http/server.hpp"
#include "bot/log.hpp"
#include "tests/support/loopback_server.hpp"
#include "tests/support/run_sync.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <mutex>

using namespace ab;
using namespace ab::adapters;
using namespace std::chrono_literals;
using json = nlohmann::json;
using bot::ports::change_outcome;
using bot::ports::directory_errc;
using bot::ports::setting_change;

namespace {

constexpr const char* token_path = "/tenant/oauth2/v2.0/token";
constexpr const char* partner_tid = "8f0c6c8e-3c4b-4b38-9a63-2f1e0d2c5a71";
constexpr const char* user_oid = "0b7e3c1a-5d2f-4a8e-9c6b-1f2e3d4c5b6a";
constexpr const char* forbidden_body =
    R"({"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}})";

/// What the fake answers to one request (optionally after a delay).
struct answer {
    unsigned status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    std::chrono::milliseconds delay{0};
};

answer reply_json(unsigned status, const json& body, std::vector<std::pair<std::string, std::string>> headers = {})
{
    return {status, body.dump(), std::move(headers), 0ms};
}

answer reply_raw(unsigned status, std::string body = {}, std::vector<std::pair<std::string, std::string>> headers = {})
{
    return {status, std::move(body), std::move(headers), 0ms};
}

/// A loopback server playing the token endpoint and Graph. The script sees each Graph request and
/// how many times that "METHOD target" has been asked so far (1 = first). Records every request.
class fake_graph {
public:
    using script = std::function<answer(const bot::http::request_view&, int nth)>;

    explicit fake_graph(script s, unsigned token_status = 200) : script_(std::move(s)), token_status_(token_status) {}
    std::string url(const std::string& path) const { return server_.base() + path; }

    /// Graph requests only (not the token endpoint).
    std::vector<bot::http::request_view> requests() const
    {
        std::lock_guard lock(mutex_);
        return seen_;
    }
    int token_requests() const
    {
        std::lock_guard lock(mutex_);
        return token_requests_;
    }
    /// How many times `method target` was received.
    int count(const std::string& method, const std::string& target) const
    {
        std::lock_guard lock(mutex_);
        const auto it = hits_.find(method + " " + target);
        return it == hits_.end() ? 0 : it->second;
    }
    /// The requests with this method.
    std::vector<bot::http::request_view> with_method(const std::string& method) const
    {
        std::vector<bot::http::request_view> out;
        for (auto& r : requests())
            if (r.method == method)
                out.push_back(r);
        return out;
    }

private:
    test::loopback_server::answer handle(const bot::http::request_view& r)
    {
        answer a;
        if (r.target == token_path) {
            std::lock_guard lock(mutex_);
            ++token_requests_;
            a = token_status_ == 200 ? reply_json(200, {{"token_type", "Bearer"}, {"expires_in", 3599}, {"access_token", "t1"}})
                                     : reply_json(token_status_, {{"error", "invalid_client"}});
        } else {
            int nth = 0;
            {
                std::lock_guard lock(mutex_);
                seen_.push_back(r);
                nth = ++hits_[r.method + " " + r.target];
            }
            a = script_(r, nth);
        }
        return {a.status, std::move(a.body), a.delay, std::move(a.headers)};
    }

    script script_;
    unsigned token_status_;
    mutable std::mutex mutex_;
    std::vector<bot::http::request_view> seen_;
    std::map<std::string, int> hits_;
    int token_requests_ = 0;
    // Last: it stops (joins its thread) before the state its script uses is destroyed.
    test::loopback_server server_{[this](int, const bot::http::request_view& r) { return handle(r); }};
};

http::client::options fast()
{
    http::client::options o;
    o.base_delay = 5ms;
    o.max_delay = 20ms;
    o.max_attempts = 3;
    return o;
}

/// The executor under test, wired to a fake_graph.
struct rig {
    explicit rig(fake_graph::script s, std::chrono::milliseconds timeout = 3000ms, unsigned token_status = 200)
        : up(std::move(s), token_status), client(ioc.get_executor(), fast()),
          tokens(client, {up.url(token_path), "app-id", "secret", std::string(graph::token_scope)}),
          graph(client, tokens, {up.url("/v1.0"), timeout})
    {
    }
    std::string url(const std::string& path) const { return up.url("/v1.0" + path); }

    bot::ports::change_result apply(setting_change c) { return test::run_sync(ioc, graph.apply(c)); }
    bot::ports::current_value read(setting_change c) { return test::run_sync(ioc, graph.read(c)); }
    boost::system::result<bot::ports::directory_memberships> memberships(std::string oid)
    {
        return test::run_sync(ioc, graph.memberships(std::move(oid)));
    }

    fake_graph up;
    net::io_context ioc;
    http::client client;
    connector::token_provider tokens;
    graph::graph_executor graph;
};

setting_change change_of(std::string operation, json parameters = json::object())
{
    setting_change c;
    c.id = "act-42";
    c.setting = "test";
    c.operation = std::move(operation);
    c.parameters = std::move(parameters);
    c.requested_by = user_oid;
    c.correlation_id = "corr-1";
    return c;
}

const std::string invitations = "entra.guest_invitations.allow_members";
const std::string group_guests = "groups.guest_settings.enable";
const std::string sharepoint = "sharepoint.sharing.allow_guests";
const std::string direct_connect = "xtap.b2b_direct_connect.allow";

const std::string policy_path = "/v1.0/policies/authorizationPolicy";
const std::string partners_path = "/v1.0/policies/crossTenantAccessPolicy/partners";
const std::string partner_path = partners_path + "/" + partner_tid;
const std::string resolve_path = "/v1.0/tenantRelationships/findTenantInformationByDomainName(domainName='fabrikam.com')";

json policy(const std::string& allow)
{
    return {{"id", "authorizationPolicy"}, {"allowInvitesFrom", allow}, {"guestUserRoleId", "10dae51f-b6af-4016-8d66-8c2a99b929b3"}};
}

json b2b(const std::string& users, const std::string& apps)
{
    return {{"usersAndGroups", {{"accessType", users}, {"targets", json::array({{{"target", "AllUsers"}, {"targetType", "user"}}})}}},
            {"applications", {{"accessType", apps}, {"targets", json::array({{{"target", "AllApplications"}, {"targetType", "application"}}})}}}};
}

json partner(const std::string& access)
{
    return {{"tenantId", partner_tid}, {"isServiceProvider", false}, {"b2bDirectConnectInbound", b2b(access, access)},
            {"b2bDirectConnectOutbound", b2b(access, access)}};
}

/// The block we send for each direction.
json allowed_block()
{
    return json::parse(R"({"usersAndGroups":{"accessType":"allowed","targets":[{"target":"AllUsers","targetType":"user"}]},)"
                       R"("applications":{"accessType":"allowed","targets":[{"target":"Office365","targetType":"application"}]}})");
}

/// Answers every Graph request with 404 (for tests that must send nothing).
answer nothing_expected(const bot::http::request_view&, int)
{
    return reply_raw(404);
}

/// The authorization policy: `allow` until a PATCH arrives, then what the PATCH set.
fake_graph::script policy_script(std::string allow, std::shared_ptr<std::string> current = std::make_shared<std::string>())
{
    *current = allow;
    return [current](const bot::http::request_view& r, int) {
        if (r.target != policy_path)
            return reply_raw(404);
        if (r.method == "PATCH") {
            *current = json::parse(r.body).at("allowInvitesFrom").get<std::string>();
            return reply_raw(204, {}, {{"request-id", "req-patch-1"}});
        }
        return reply_json(200, policy(*current));
    };
}

void expect_common_headers(const bot::http::request_view& r)
{
    EXPECT_EQ(r.header("Authorization"), "Bearer t1") << r.method << " " << r.target;
    EXPECT_EQ(r.header("Accept"), "application/json") << r.method << " " << r.target;
    EXPECT_EQ(r.header("client-request-id"), "act-42") << r.method << " " << r.target;
    if (!r.body.empty()) {
        EXPECT_EQ(r.header("Content-Type"), "application/json") << r.method << " " << r.target;
    }
}

/// Captures log lines for the duration of a test.
class capture_log {
public:
    capture_log()
    {
        log::set_sink([this](const std::string& line) {
            std::lock_guard lock(mutex_);
            lines_.push_back(line);
        });
    }
    ~capture_log() { log::set_sink(nullptr); }
    std::string all() const
    {
        std::lock_guard lock(mutex_);
        std::string out;
        for (const auto& l : lines_)
            out += l + "\n";
        return out;
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
};

} // namespace

// ---------------------------------------------------------------------------------------------
// Shared behaviour

TEST(GraphExecutor, NameAndOperations)
{
    rig g(nothing_expected);
    EXPECT_EQ(g.graph.name(), "graph");
    for (const auto& op : {invitations, group_guests, sharepoint, direct_connect})
        EXPECT_TRUE(g.graph.handles(op)) << op;
    EXPECT_FALSE(g.graph.handles("teams.allowed_domains.add"));
    EXPECT_FALSE(g.graph.handles(""));
}

TEST(GraphExecutor, UnknownOperationSendsNothing)
{
    rig g(nothing_expected);
    const auto r = g.apply(change_of("teams.allowed_domains.add", {{"domain", "fabrikam.com"}}));
    EXPECT_EQ(r.outcome, change_outcome::failed);
    EXPECT_EQ(r.error_id, "graph.unsupported_operation");
    const auto v = g.read(change_of("teams.allowed_domains.add"));
    EXPECT_FALSE(v.known);
    EXPECT_EQ(v.error_id, "graph.unsupported_operation");
    EXPECT_TRUE(g.up.requests().empty());
    EXPECT_EQ(g.up.token_requests(), 0);
}

TEST(GraphExecutor, TokenFailureIsReportedAndNoGraphRequestIsSent)
{
    rig g(nothing_expected, 3000ms, 400);
    const auto r = g.apply(change_of(invitations));
    EXPECT_EQ(r.outcome, change_outcome::failed);
    EXPECT_EQ(r.error_id, "graph.token_failed");
    EXPECT_TRUE(r.steps.empty());
    EXPECT_TRUE(g.up.requests().empty());
    EXPECT_GE(g.up.token_requests(), 1);
}

TEST(GraphExecutor, WriteStatusesMapToStableErrorIds)
{
    const std::vector<std::pair<unsigned, std::string>> cases{{400, "graph.rejected"},     {401, "graph.unauthorized"},
                                                              {403, "graph.forbidden"},    {404, "graph.not_found"},
                                                              {409, "graph.rejected"},     {429, "graph.throttled"},
                                                              {500, "graph.unavailable"}, {503, "graph.unavailable"}};
    for (const auto& [status, id] : cases) {
        const unsigned s = status;
        rig g([s](const bot::http::request_view& r, int) {
            if (r.method == "PATCH")
                return reply_json(s, {{"error", {{"code", "X"}, {"message", "status " + std::to_string(s)}}}}, {{"Retry-After", "0"}});
            return reply_json(200, policy("adminsAndGuestInviters"));
        });
        const auto r = g.apply(change_of(invitations));
        EXPECT_EQ(r.outcome, change_outcome::failed) << status;
        EXPECT_EQ(r.error_id, id) << status;
        EXPECT_EQ(r.detail, "status " + std::to_string(status));
        const bool retried = status == 429 || status == 503;
        EXPECT_EQ(g.up.count("PATCH", policy_path), retried ? 3 : 1) << status;
        EXPECT_EQ(r.before, json({{"allowInvitesFrom", "adminsAndGuestInviters"}}));
    }
}

TEST(GraphExecutor, DetailIsTruncatedAndNeverCarriesTheToken)
{
    capture_log logs;
    const std::string long_message(1000, 'x');
    rig g([&](const bot::http::request_view&, int) {
        return reply_json(403, {{"error", {{"code", "Authorization_RequestDenied"}, {"message", long_message}}}});
    });
    const auto r = g.apply(change_of(invitations));
    EXPECT_EQ(r.error_id, "graph.forbidden");
    EXPECT_EQ(r.detail, std::string(300, 'x'));
    for (const auto& step : r.steps)
        EXPECT_EQ(step.find("Bearer"), std::string::npos);
    EXPECT_NE(logs.all().find("graph.apply.failed"), std::string::npos);
    EXPECT_EQ(logs.all().find("Bearer"), std::string::npos);
    EXPECT_EQ(logs.all().find("\"t1\""), std::string::npos);
}

TEST(GraphExecutor, ConnectionRefusedIsUnavailable)
{
    std::uint16_t closed_port = 0;
    {
        net::io_context probe;
        net::ip::tcp::acceptor a(probe, {net::ip::make_address("127.0.0.1"), 0});
        closed_port = a.local_endpoint().port();
    }
    rig g(nothing_expected);
    graph::graph_executor dead(g.client, g.tokens, {"http://127.0.0.1:" + std::to_string(closed_port) + "/v1.0", 2000ms});
    const auto r = test::run_sync(g.ioc, dead.apply(change_of(invitations)));
    EXPECT_EQ(r.outcome, change_outcome::failed);
    EXPECT_EQ(r.error_id, "graph.unavailable");
}

// ---------------------------------------------------------------------------------------------
// 1. entra.guest_invitations.allow_members

TEST(GraphInvitations, PatchesWhenOnlyAdminsMayInviteAndReadsBack)
{
    rig g(policy_script("adminsAndGuestInviters"));
    const auto r = g.apply(change_of(invitations));
    ASSERT_EQ(r.outcome, change_outcome::applied) << r.error_id << " " << r.detail;
    EXPECT_EQ(r.before, json({{"allowInvitesFrom", "adminsAndGuestInviters"}}));
    EXPECT_EQ(r.after, json({{"allowInvitesFrom", "adminsGuestInvitersAndAllMembers"}}));
    EXPECT_EQ(r.reference, "req-patch-1");
    const std::string url = g.url("/policies/authorizationPolicy");
    EXPECT_EQ(r.steps, (std::vector<std::string>{"GET " + url, "PATCH " + url + R"( {"allowInvitesFrom":"adminsGuestInvitersAndAllMembers"})",
                                                 "GET " + url}));

    const auto reqs = g.up.requests();
    ASSERT_EQ(reqs.size(), 3u);
    EXPECT_EQ(reqs[1].method, "PATCH");
    EXPECT_EQ(reqs[1].target, policy_path);
    EXPECT_EQ(reqs[1].body, R"({"allowInvitesFrom":"adminsGuestInvitersAndAllMembers"})");
    for (const auto& q : reqs)
        expect_common_headers(q);
    EXPECT_EQ(reqs[0].header("Content-Type"), "");
}

TEST(GraphInvitations, EveryoneIsAlreadySetAndNeverNarrowed)
{
    rig g(policy_script("everyone"));
    const auto r = g.apply(change_of(invitations));
    EXPECT_EQ(r.outcome, change_outcome::already_set);
    EXPECT_EQ(r.before, json({{"allowInvitesFrom", "everyone"}}));
    EXPECT_EQ(g.up.with_method("PATCH").size(), 0u);
    EXPECT_EQ(r.steps.size(), 1u);
}

TEST(GraphInvitations, AcceptsTheCollectionShape)
{
    rig g([](const bot::http::request_view&, int) {
        return reply_json(200, {{"value", json::array({policy("adminsGuestInvitersAndAllMembers")})}});
    });
    const auto r = g.apply(change_of(invitations));
    EXPECT_EQ(r.outcome, change_outcome::already_set);
    EXPECT_EQ(r.before, json({{"allowInvitesFrom", "adminsGuestInvitersAndAllMembers"}}));
    EXPECT_EQ(g.up.with_method("PATCH").size(), 0u);
}

TEST(GraphInvitations, ReadReportsTheValueWithoutWriting)
{
    rig g(policy_script("none"));
    const auto v = g.read(change_of(invitations));
    EXPECT_TRUE(v.known);
    EXPECT_FALSE(v.satisfied);
    EXPECT_EQ(v.value, json({{"allowInvitesFrom", "none"}}));
    EXPECT_EQ(g.up.requests().size(), 1u);
    EXPECT_EQ(g.up.with_method("PATCH").size(), 0u);
}

TEST(GraphInvitations, ForbiddenReadFailsWithGraphsMessageAndNoWrite)
{
    rig g([](const bot::http::request_view&, int) { return reply_raw(403, forbidden_body, {{"request-id", "r-403"}}); });
    const auto r = g.apply(change_of(invitations));
    EXPECT_EQ(r.outcome, change_outcome::failed);
    EXPECT_EQ(r.error_id, "graph.forbidden");
    EXPECT_NE(r.detail.find("Insufficient privileges to complete the operation."), std::string::npos);
    EXPECT_EQ(g.up.with_method("PATCH").size(), 0u);
    EXPECT_EQ(r.steps.size(), 1u);

    const auto v = g.read(change_of(invitations));
    EXPECT_FALSE(v.known);
    EXPECT_EQ(v.error_id, "graph.forbidden");
    EXPECT_NE(v.detail.find("Insufficient privileges"), std::string::npos);
}

TEST(GraphInvitations, ThrottledOnceThenSucceeds)
{
    auto current = std::make_shared<std::string>();
    auto inner = policy_script("adminsAndGuestInviters", current);
    rig g([inner](const bot::http::request_view& r, int nth) {
        if (nth == 1) // the first GET and the first PATCH are throttled
            return reply_json(429, {{"error", {{"code", "TooManyRequests"}, {"message", "slow down"}}}}, {{"Retry-After", "0"}});
        return inner(r, nth);
    });
    const auto r = g.apply(change_of(invitations));
    ASSERT_EQ(r.outcome, change_outcome::applied) << r.error_id << " " << r.detail;
    EXPECT_EQ(r.after, json({{"allowInvitesFrom", "adminsGuestInvitersAndAllMembers"}}));
    EXPECT_EQ(g.up.count("GET", policy_path), 3) << "429 + 200, then the read-back";
    EXPECT_EQ(g.up.count("PATCH", policy_path), 2) << "429 + 204";
    EXPECT_EQ(r.steps.size(), 3u) << "one step per logical request";
}

TEST(GraphInvitations, StillThrottledAfterRetriesIsThrottled)
{
    rig g([](const bot::http::request_view&, int) { return reply_raw(429, {}, {{"Retry-After", "0"}}); });
    const auto r = g.apply(change_of(invitations));
    EXPECT_EQ(r.error_id, "graph.throttled");
    EXPECT_EQ(g.up.count("GET", policy_path), 3);
    EXPECT_EQ(g.up.with_method("PATCH").size(), 0u);
}

TEST(GraphInvitations, SlowGraphTimesOut)
{
    rig g(
        [](const bot::http::request_view& r, int) {
            answer a = reply_json(200, policy("none"));
            if (r.method == "GET")
                a.delay = 900ms;
            return a;
        },
        300ms);
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = g.apply(change_of(invitations));
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 850ms);
    EXPECT_EQ(r.outcome, change_outcome::failed);
    EXPECT_EQ(r.error_id, "graph.timeout");
    EXPECT_EQ(g.up.with_method("PATCH").size(), 0u);
}

TEST(GraphInvitations, MalformedAnswersAreMalformed)
{
    for (const std::string body : {R"({"value":)", R"({"id":"authorizationPolicy"})", R"([1,2])", R"({"allowInvitesFrom":7})"}) {
        rig g([body](const bot::http::request_view&, int) { return reply_raw(200, body); });
        const auto r = g.apply(change_of(invitations));
        EXPECT_EQ(r.outcome, change_outcome::failed) << body;
        EXPECT_EQ(r.error_id, "graph.malformed") << body;
        EXPECT_EQ(g.up.with_method("PATCH").size(), 0u) << body;
        const auto v = g.read(change_of(invitations));
        EXPECT_FALSE(v.known);
        EXPECT_EQ(v.error_id, "graph.malformed");
    }
}

TEST(GraphInvitations, WrittenButUnreadableReportsTheWrittenValue)
{
    rig g([](const bot::http::request_view& r, int nth) {
        if (r.method == "PATCH")
            return reply_raw(204);
        return nth == 1 ? reply_json(200, policy("none")) : reply_raw(500);
    });
    const auto r = g.apply(change_of(invitations));
    EXPECT_EQ(r.outcome, change_outcome::applied);
    EXPECT_EQ(r.after, json({{"allowInvitesFrom", "adminsGuestInvitersAndAllMembers"}}));
    EXPECT_EQ(r.reference, "");
}

// ---------------------------------------------------------------------------------------------
// 2. groups.guest_settings.enable

namespace {

json unified_setting(const std::string& add_guests, const std::string& access)
{
    return {{"id", "gs-1"},
            {"displayName", "Group.Unified"},
            {"templateId", "62375ab9-6b52-47ed-826b-58e47e0e304b"},
            {"values", json::array({{{"name", "EnableGroupCreation"}, {"value", "true"}},
                                    {{"name", "AllowToAddGuests"}, {"value", add_guests}},
                                    {{"name", "UsageGuidelinesUrl"}, {"value", ""}},
                                    {{"name", "AllowGuestsToAccessGroups"}, {"value", access}}})}};
}

json other_setting()
{
    return {{"id", "gs-0"},
            {"templateId", "80661d51-be2f-4d46-9713-98a2fcaec5bc"},
            {"values", json::array({{{"name", "AllowToAddGuests"}, {"value", "false"}}})}};
}

} // namespace

TEST(GraphGroupSettings, PatchSendsTheFullValuesSet)
{
    rig g([](const bot::http::request_view& r, int nth) {
        if (r.method == "PATCH")
            return reply_raw(204, {}, {{"request-id", "req-gs"}});
        const auto s = nth == 1 ? unified_setting("False", "true") : unified_setting("true", "true");
        return reply_json(200, {{"value", json::array({other_setting(), s})}});
    });
    const auto r = g.apply(change_of(group_guests));
    ASSERT_EQ(r.outcome, change_outcome::applied) << r.error_id << " " << r.detail;
    EXPECT_EQ(r.before, json({{"AllowToAddGuests", "False"}, {"AllowGuestsToAccessGroups", "true"}}));
    EXPECT_EQ(r.after, json({{"AllowToAddGuests", "true"}, {"AllowGuestsToAccessGroups", "true"}}));
    EXPECT_EQ(r.reference, "req-gs");
    const auto patches = g.up.with_method("PATCH");
    ASSERT_EQ(patches.size(), 1u);
    EXPECT_EQ(patches[0].target, "/v1.0/groupSettings/gs-1");
    expect_common_headers(patches[0]);
    EXPECT_EQ(json::parse(patches[0].body), json::parse(R"({"values":[{"name":"EnableGroupCreation","value":"true"},)"
                                                        R"({"name":"AllowToAddGuests","value":"true"},)"
                                                        R"({"name":"UsageGuidelinesUrl","value":""},)"
                                                        R"({"name":"AllowGuestsToAccessGroups","value":"true"}]})"));
}

TEST(GraphGroupSettings, NoTenantObjectMeansDefaultsApply)
{
    rig g([](const bot::http::request_view&, int) { return reply_json(200, {{"value", json::array({other_setting()})}}); });
    const auto r = g.apply(change_of(group_guests));
    EXPECT_EQ(r.outcome, change_outcome::already_set);
    EXPECT_EQ(r.before, json({{"AllowToAddGuests", "true (default)"}, {"AllowGuestsToAccessGroups", "true (default)"}}));
    EXPECT_EQ(g.up.with_method("PATCH").size(), 0u);
}

TEST(GraphGroupSettings, TrueIsCaseInsensitive)
{
    rig g([](const bot::http::request_view&, int) { return reply_json(200, {{"value", json::array({unified_setting("True", "TRUE")})}}); });
    const auto v = g.read(change_of(group_guests));
    EXPECT_TRUE(v.known);
    EXPECT_TRUE(v.satisfied);
    const auto r = g.apply(change_of(group_guests));
    EXPECT_EQ(r.outcome, change_outcome::already_set);
    EXPECT_EQ(g.up.with_method("PATCH").size(), 0u);
}

TEST(GraphGroupSettings, MissingValueArrayIsMalformed)
{
    rig g([](const bot::http::request_view&, int) { return reply_json(200, {{"values", json::array()}}); });
    const auto r = g.apply(change_of(group_guests));
    EXPECT_EQ(r.error_id, "graph.malformed");
}

// ---------------------------------------------------------------------------------------------
// 3. sharepoint.sharing.allow_guests

TEST(GraphSharePoint, DisabledSharingIsOpenedToNewAndExistingGuests)
{
    rig g([](const bot::http::request_view& r, int nth) {
        if (r.method == "PATCH")
            return reply_json(200, {{"sharingCapability", "externalUserSharingOnly"}}, {{"request-id", "req-sp"}});
        return reply_json(200, {{"sharingCapability", nth == 1 ? "disabled" : "externalUserSharingOnly"}, {"sharingDomainRestrictionMode", "none"}});
    });
    const auto r = g.apply(change_of(sharepoint));
    ASSERT_EQ(r.outcome, change_outcome::applied) << r.error_id << " " << r.detail;
    EXPECT_EQ(r.before, json({{"sharingCapability", "disabled"}}));
    EXPECT_EQ(r.after, json({{"sharingCapability", "externalUserSharingOnly"}}));
    EXPECT_EQ(r.reference, "req-sp");
    const auto patches = g.up.with_method("PATCH");
    ASSERT_EQ(patches.size(), 1u);
    EXPECT_EQ(patches[0].target, "/v1.0/admin/sharepoint/settings");
    EXPECT_EQ(patches[0].body, R"({"sharingCapability":"externalUserSharingOnly"})");
    expect_common_headers(patches[0]);
}

TEST(GraphSharePoint, AnyoneIsAlreadySet)
{
    rig g([](const bot::http::request_view&, int) { return reply_json(200, {{"sharingCapability", "externalUserAndGuestSharing"}}); });
    const auto r = g.apply(change_of(sharepoint));
    EXPECT_EQ(r.outcome, change_outcome::already_set);
    EXPECT_EQ(g.up.with_method("PATCH").size(), 0u);
}

// ---------------------------------------------------------------------------------------------
// 4. xtap.b2b_direct_connect.allow

namespace {

/// Domain resolution, and a partner entry that is `initial` (null = 404) until written.
fake_graph::script xtap_script(json initial)
{
    auto state = std::make_shared<json>(std::move(initial));
    return [state](const bot::http::request_view& r, int) {
        if (r.method == "GET" && r.target == resolve_path)
            return reply_json(200, {{"tenantId", partner_tid}, {"displayName", "Fabrikam"}, {"defaultDomainName", "fabrikam.com"}});
        if (r.method == "GET" && r.target == partner_path)
            return state->is_null() ? reply_raw(404, R"({"error":{"code":"Request_ResourceNotFound","message":"not found"}})")
                                    : reply_json(200, *state);
        if (r.method == "POST" && r.target == partners_path) {
            *state = json::parse(r.body);
            return reply_json(201, *state, {{"request-id", "req-post"}});
        }
        if (r.method == "PATCH" && r.target == partner_path) {
            const auto patch = json::parse(r.body);
            for (const auto& [k, v] : patch.items())
                (*state)[k] = v;
            return reply_raw(204, {}, {{"request-id", "req-patch"}});
        }
        return reply_raw(400);
    };
}

json allowed_summary()
{
    return {{"tenantId", partner_tid},
            {"b2bDirectConnectInbound", {{"usersAndGroups", "allowed"}, {"applications", "allowed"}}},
            {"b2bDirectConnectOutbound", {{"usersAndGroups", "allowed"}, {"applications", "allowed"}}}};
}

} // namespace

TEST(GraphDirectConnect, NoPartnerEntryIsCreatedWithBothDirections)
{
    rig g(xtap_script(nullptr));
    const auto r = g.apply(change_of(direct_connect, {{"domain", "fabrikam.com"}}));
    ASSERT_EQ(r.outcome, change_outcome::applied) << r.error_id << " " << r.detail;
    EXPECT_EQ(r.before, json({{"tenantId", partner_tid}, {"partner", nullptr}}));
    EXPECT_EQ(r.after, allowed_summary());
    EXPECT_EQ(r.reference, "req-post");

    const auto reqs = g.up.requests();
    ASSERT_EQ(reqs.size(), 4u) << "resolve, partner GET, POST, partner GET (no second resolve)";
    EXPECT_EQ(reqs[0].target, resolve_path);
    EXPECT_EQ(reqs[1].target, partner_path);
    EXPECT_EQ(reqs[2].method, "POST");
    EXPECT_EQ(reqs[2].target, partners_path);
    EXPECT_EQ(json::parse(reqs[2].body),
              json({{"tenantId", partner_tid}, {"b2bDirectConnectInbound", allowed_block()}, {"b2bDirectConnectOutbound", allowed_block()}}));
    EXPECT_EQ(reqs[3].target, partner_path);
    for (const auto& q : reqs)
        expect_common_headers(q);
    ASSERT_EQ(r.steps.size(), 4u);
    EXPECT_EQ(r.steps[2], "POST " + g.url("/policies/crossTenantAccessPolicy/partners") + " " + reqs[2].body);
}

TEST(GraphDirectConnect, BlockedPartnerIsPatched)
{
    rig g(xtap_script(partner("blocked")));
    const auto r = g.apply(change_of(direct_connect, {{"tenantId", partner_tid}}));
    ASSERT_EQ(r.outcome, change_outcome::applied) << r.error_id << " " << r.detail;
    EXPECT_EQ(r.before, json({{"tenantId", partner_tid},
                              {"b2bDirectConnectInbound", {{"usersAndGroups", "blocked"}, {"applications", "blocked"}}},
                              {"b2bDirectConnectOutbound", {{"usersAndGroups", "blocked"}, {"applications", "blocked"}}}}));
    EXPECT_EQ(r.after, allowed_summary());
    EXPECT_EQ(r.reference, "req-patch");
    EXPECT_EQ(g.up.count("GET", resolve_path), 0) << "a tenant id needs no resolution";
    const auto patches = g.up.with_method("PATCH");
    ASSERT_EQ(patches.size(), 1u);
    EXPECT_EQ(patches[0].target, partner_path);
    EXPECT_EQ(json::parse(patches[0].body), json({{"b2bDirectConnectInbound", allowed_block()}, {"b2bDirectConnectOutbound", allowed_block()}}));
    expect_common_headers(patches[0]);
    EXPECT_TRUE(g.up.with_method("POST").empty());
}

TEST(GraphDirectConnect, PartnerWithNullBlocksInheritsTheDefaultAndIsPatched)
{
    rig g(xtap_script({{"tenantId", partner_tid}, {"b2bDirectConnectInbound", nullptr}, {"b2bDirectConnectOutbound", b2b("allowed", "allowed")}}));
    const auto v = g.read(change_of(direct_connect, {{"tenantId", partner_tid}}));
    ASSERT_TRUE(v.known) << v.error_id;
    EXPECT_FALSE(v.satisfied);
    EXPECT_EQ(v.value["b2bDirectConnectInbound"], json({{"usersAndGroups", nullptr}, {"applications", nullptr}}));
    const auto r = g.apply(change_of(direct_connect, {{"tenantId", partner_tid}}));
    EXPECT_EQ(r.outcome, change_outcome::applied);
    EXPECT_EQ(g.up.with_method("PATCH").size(), 1u);
}

TEST(GraphDirectConnect, AllowedBothWaysIsAlreadySet)
{
    rig g(xtap_script(partner("allowed")));
    const auto r = g.apply(change_of(direct_connect, {{"domain", "fabrikam.com"}}));
    EXPECT_EQ(r.outcome, change_outcome::already_set);
    EXPECT_EQ(r.before, allowed_summary());
    EXPECT_TRUE(g.up.with_method("PATCH").empty());
    EXPECT_TRUE(g.up.with_method("POST").empty());
}

TEST(GraphDirectConnect, UnknownDomainIsTenantNotFound)
{
    rig g([](const bot::http::request_view&, int) {
        return reply_raw(404, R"({"error":{"code":"Request_ResourceNotFound","message":"Resource not found"}})");
    });
    const auto r = g.apply(change_of(direct_connect, {{"domain", "fabrikam.com"}}));
    EXPECT_EQ(r.outcome, change_outcome::failed);
    EXPECT_EQ(r.error_id, "graph.tenant_not_found");
    ASSERT_EQ(g.up.requests().size(), 1u);
    EXPECT_EQ(g.up.requests()[0].target, resolve_path);
}

TEST(GraphDirectConnect, ForbiddenCreateFailsWithGraphsMessage)
{
    auto inner = xtap_script(nullptr);
    rig g([inner](const bot::http::request_view& r, int nth) {
        if (r.method == "POST")
            return reply_raw(403, forbidden_body);
        return inner(r, nth);
    });
    const auto r = g.apply(change_of(direct_connect, {{"domain", "fabrikam.com"}}));
    EXPECT_EQ(r.outcome, change_outcome::failed);
    EXPECT_EQ(r.error_id, "graph.forbidden");
    EXPECT_EQ(r.detail, "Insufficient privileges to complete the operation.");
    EXPECT_EQ(r.before, json({{"tenantId", partner_tid}, {"partner", nullptr}}));
    EXPECT_EQ(g.up.with_method("POST").size(), 1u);
}

TEST(GraphDirectConnect, ForbiddenReadSendsNoWrite)
{
    rig g([](const bot::http::request_view&, int) { return reply_raw(403, forbidden_body); });
    const auto r = g.apply(change_of(direct_connect, {{"tenantId", partner_tid}}));
    EXPECT_EQ(r.error_id, "graph.forbidden");
    EXPECT_NE(r.detail.find("Insufficient privileges"), std::string::npos);
    EXPECT_EQ(g.up.requests().size(), 1u);
}

TEST(GraphDirectConnect, ThrottledPartnerReadThenSuccess)
{
    auto inner = xtap_script(partner("blocked"));
    rig g([inner](const bot::http::request_view& r, int nth) {
        if (r.method == "GET" && r.target == partner_path && nth == 1)
            return reply_raw(429, {}, {{"Retry-After", "0"}});
        return inner(r, nth);
    });
    const auto r = g.apply(change_of(direct_connect, {{"tenantId", partner_tid}}));
    ASSERT_EQ(r.outcome, change_outcome::applied) << r.error_id;
    EXPECT_EQ(g.up.count("GET", partner_path), 3) << "429 + 200, then the read-back";
    EXPECT_EQ(g.up.count("PATCH", partner_path), 1);
}

TEST(GraphDirectConnect, SlowResolutionTimesOut)
{
    rig g(
        [](const bot::http::request_view&, int) {
            answer a = reply_json(200, {{"tenantId", partner_tid}});
            a.delay = 900ms;
            return a;
        },
        300ms);
    const auto r = g.apply(change_of(direct_connect, {{"domain", "fabrikam.com"}}));
    EXPECT_EQ(r.error_id, "graph.timeout");
    EXPECT_EQ(g.up.requests().size(), 1u);
}

TEST(GraphDirectConnect, MalformedAnswersAreMalformed)
{
    {
        rig g([](const bot::http::request_view&, int) { return reply_raw(200, R"({"value":)"); });
        const auto r = g.apply(change_of(direct_connect, {{"domain", "fabrikam.com"}}));
        EXPECT_EQ(r.error_id, "graph.malformed");
    }
    {
        rig g([](const bot::http::request_view&, int) { return reply_json(200, {{"displayName", "Fabrikam"}}); });
        const auto r = g.apply(change_of(direct_connect, {{"domain", "fabrikam.com"}}));
        EXPECT_EQ(r.error_id, "graph.malformed") << "no tenantId";
        EXPECT_EQ(g.up.requests().size(), 1u);
    }
    {
        rig g([](const bot::http::request_view&, int) { return reply_json(200, {{"tenantId", partner_tid}, {"b2bDirectConnectInbound", "x"}}); });
        const auto r = g.apply(change_of(direct_connect, {{"tenantId", partner_tid}}));
        EXPECT_EQ(r.error_id, "graph.malformed");
        EXPECT_EQ(g.up.requests().size(), 1u);
    }
}

TEST(GraphDirectConnect, BadParametersSendNothing)
{
    rig g(xtap_script(nullptr));
    const std::vector<json> bad{
        json::object(),
        json::array(),
        {{"domain", "fabrikam.com')/x?y=('"}},
        {{"domain", "fabri kam.com"}},
        {{"domain", "fabrikam..com"}},
        {{"domain", "-fabrikam.com"}},
        {{"domain", ""}},
        {{"domain", 42}},
        {{"tenantId", "not-a-guid"}},
        {{"tenantId", "8f0c6c8e-3c4b-4b38-9a63-2f1e0d2c5a71/../../users"}},
        {{"tenantId", "8f0c6c8e-3c4b-4b38-9a63-2f1e0d2c5a7"}},
    };
    for (const auto& p : bad) {
        const auto r = g.apply(change_of(direct_connect, p));
        EXPECT_EQ(r.outcome, change_outcome::failed) << p.dump();
        EXPECT_EQ(r.error_id, "graph.bad_parameter") << p.dump();
        EXPECT_TRUE(r.steps.empty()) << p.dump();
        const auto v = g.read(change_of(direct_connect, p));
        EXPECT_FALSE(v.known);
        EXPECT_EQ(v.error_id, "graph.bad_parameter") << p.dump();
    }
    EXPECT_TRUE(g.up.requests().empty());
    EXPECT_EQ(g.up.token_requests(), 0);
}

TEST(GraphValidation, GuidsAndDomainNames)
{
    EXPECT_TRUE(graph::is_guid("62e90394-69f5-4237-9190-012177145e10"));
    EXPECT_TRUE(graph::is_guid("62E90394-69F5-4237-9190-012177145E10"));
    EXPECT_FALSE(graph::is_guid("62e90394-69f5-4237-9190-012177145e1"));
    EXPECT_FALSE(graph::is_guid("62e90394x69f5-4237-9190-012177145e10"));
    EXPECT_FALSE(graph::is_guid("g2e90394-69f5-4237-9190-012177145e10"));
    EXPECT_FALSE(graph::is_guid(""));
    EXPECT_TRUE(graph::is_domain_name("fabrikam.com"));
    EXPECT_TRUE(graph::is_domain_name("mail.x-y.fabrikam.co.uk"));
    EXPECT_TRUE(graph::is_domain_name("contoso"));
    EXPECT_FALSE(graph::is_domain_name("fabrikam.com."));
    EXPECT_FALSE(graph::is_domain_name(".fabrikam.com"));
    EXPECT_FALSE(graph::is_domain_name("fabrikam-.com"));
    EXPECT_FALSE(graph::is_domain_name("fab_rikam.com"));
    EXPECT_FALSE(graph::is_domain_name("fabrikam.com'"));
    EXPECT_FALSE(graph::is_domain_name(std::string(64, 'a') + ".com"));
    const std::string label(62, 'a');
    EXPECT_TRUE(graph::is_domain_name(label + "." + label + "." + label + ".com"));
    EXPECT_FALSE(graph::is_domain_name(label + "." + label + "." + label + "." + label + ".com")) << "255 bytes";
}

// ---------------------------------------------------------------------------------------------
// directory: memberships

namespace {

const std::string members_path = std::string("/v1.0/users/") + user_oid + "/transitiveMemberOf?$select=id,roleTemplateId";

} // namespace

TEST(GraphDirectory, GroupsAndRolesAcrossPages)
{
    std::string next_url;
    rig g([&next_url](const bot::http::request_view& r, int) {
        if (r.target == members_path)
            return reply_json(200, {{"@odata.context", "x"},
                                    {"value", json::array({{{"@odata.type", "#microsoft.graph.group"}, {"id", "g-1"}},
                                                           {{"@odata.type", "#microsoft.graph.directoryRole"},
                                                            {"id", "dr-1"},
                                                            {"roleTemplateId", "69091246-20e8-4a56-aa4d-066075b2a7a8"}}})},
                                    {"@odata.nextLink", next_url}});
        if (r.target == members_path + "&$skiptoken=abc")
            return reply_json(200, {{"value", json::array({{{"@odata.type", "#microsoft.graph.administrativeUnit"}, {"id", "au-1"}},
                                                           {{"@odata.type", "#microsoft.graph.group"}, {"id", "g-2"}}})}});
        return reply_raw(404);
    });
    next_url = g.up.url(members_path + "&$skiptoken=abc");
    const auto m = g.memberships(user_oid);
    ASSERT_TRUE(m.has_value()) << m.error().message();
    EXPECT_EQ(m->group_ids, (std::vector<std::string>{"g-1", "g-2"}));
    EXPECT_EQ(m->role_template_ids, (std::vector<std::string>{"69091246-20e8-4a56-aa4d-066075b2a7a8"}));
    const auto reqs = g.up.requests();
    ASSERT_EQ(reqs.size(), 2u);
    for (const auto& q : reqs) {
        EXPECT_EQ(q.method, "GET");
        EXPECT_EQ(q.header("ConsistencyLevel"), "eventual");
        EXPECT_EQ(q.header("Authorization"), "Bearer t1");
        EXPECT_EQ(q.header("Accept"), "application/json");
    }
}

TEST(GraphDirectory, StatusesMapToDirectoryErrors)
{
    const std::vector<std::pair<unsigned, directory_errc>> cases{{401, directory_errc::denied},
                                                                 {403, directory_errc::denied},
                                                                 {404, directory_errc::not_found},
                                                                 {429, directory_errc::unavailable},
                                                                 {500, directory_errc::unavailable},
                                                                 {503, directory_errc::unavailable}};
    for (const auto& [status, e] : cases) {
        const unsigned s = status;
        rig g([s](const bot::http::request_view&, int) { return reply_raw(s, forbidden_body, {{"Retry-After", "0"}}); });
        const auto m = g.memberships(user_oid);
        ASSERT_FALSE(m.has_value()) << status;
        EXPECT_EQ(m.error(), make_error_code(e)) << status;
    }
}

TEST(GraphDirectory, NotAGuidSendsNothing)
{
    rig g(nothing_expected);
    for (const std::string oid : {"", "me", "0b7e3c1a-5d2f-4a8e-9c6b-1f2e3d4c5b6a/../../x", "someone@fabrikam.com"}) {
        const auto m = g.memberships(oid);
        ASSERT_FALSE(m.has_value()) << oid;
        EXPECT_EQ(m.error(), make_error_code(directory_errc::not_found));
    }
    EXPECT_TRUE(g.up.requests().empty());
}

TEST(GraphDirectory, BadShapesAreMalformed)
{
    for (const std::string body : {R"({"value":)", R"({"items":[]})", R"({"value":[{"@odata.type":"#microsoft.graph.group"}]})",
                                   R"({"value":[{"@odata.type":"#microsoft.graph.directoryRole","id":"x"}]})",
                                   R"({"value":[],"@odata.nextLink":"https://evil.example/v1.0/next"})"}) {
        rig g([body](const bot::http::request_view&, int) { return reply_raw(200, body); });
        const auto m = g.memberships(user_oid);
        ASSERT_FALSE(m.has_value()) << body;
        EXPECT_EQ(m.error(), make_error_code(directory_errc::malformed)) << body;
        EXPECT_EQ(g.up.requests().size(), 1u) << "a foreign nextLink is never followed: " << body;
    }
}

TEST(GraphDirectory, PagesAreBounded)
{
    std::string self;
    rig g([&self](const bot::http::request_view&, int) {
        return reply_json(200, {{"value", json::array({{{"@odata.type", "#microsoft.graph.group"}, {"id", "g"}}})}, {"@odata.nextLink", self}});
    });
    self = g.up.url(members_path + "&$skiptoken=again");
    const auto m = g.memberships(user_oid);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->group_ids.size(), 10u);
    EXPECT_EQ(g.up.requests().size(), 10u);
}

TEST(GraphDirectory, SlowDirectoryIsUnavailable)
{
    rig g(
        [](const bot::http::request_view&, int) {
            answer a = reply_json(200, {{"value", json::array()}});
            a.delay = 900ms;
            return a;
        },
        300ms);
    const auto m = g.memberships(user_oid);
    ASSERT_FALSE(m.has_value());
    EXPECT_EQ(m.error(), make_error_code(directory_errc::unavailable));
}
