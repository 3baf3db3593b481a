// The ServiceNow sink against a loopback fake instance that answers the Table API as scripted:
// the idempotent create (lookup by correlation_id, then POST → 201), the auth headers, the PATCH
// bodies of later events, and the error mapping (401, 404, 400, 503, malformed, slow).
#include "adapters/helpdesk/servicenow_sink.hpp"

#include "bot/log.hpp"
#include "tests/support/run_sync.hpp"
#include "tests/unit/adapters_helpdesk/fake_server.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace ab;
using namespace ab::adapters;
using bot::ports::delivery_outcome;
using json = nlohmann::json;
using test::fake_server;

namespace {

const std::string sys_id = "9d385017c611228701d22104cc95c371";
const std::string user = "svc-access-bot";
const std::string password = "Tr0ub4dor&3:xyz";
const std::string token = "eyJ0eXAiOiJKV1QiLCJhbGciOi.s3cr3t-oauth-token";
const std::string group_sys_id = "8a4dde73c6112278017a6a4baf547aa7";

const std::string lookup_target =
    "/api/now/table/incident?sysparm_query=correlation_id%3Desc-3f2a9c41&sysparm_fields=sys_id,number&sysparm_limit=1";
const std::string create_target = "/api/now/table/incident?sysparm_fields=sys_id,number";
const std::string record_target = "/api/now/table/incident/" + sys_id;

http::client::options fast()
{
    http::client::options o;
    o.base_delay = std::chrono::milliseconds(5);
    o.max_delay = std::chrono::milliseconds(20);
    o.max_attempts = 3;
    return o;
}

/// "Basic " + standard base64 (OpenSSL, not the code under test).
std::string basic(const std::string& credentials)
{
    std::string out(4 * ((credentials.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(credentials.data()),
                                  static_cast<int>(credentials.size()));
    out.resize(static_cast<std::size_t>(n));
    return "Basic " + out;
}

helpdesk::servicenow_options options_for(const std::string& base, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000))
{
    helpdesk::servicenow_options o;
    o.instance_url = base + "/";
    o.user = user;
    o.password = password;
    o.timeout = timeout;
    return o;
}

struct outcome {
    bot::ports::delivery_result result;
    std::vector<bot::http::request_view> requests;
    std::chrono::steady_clock::duration elapsed{};
};

outcome deliver_to(fake_server::script s, bot::ports::escalation_event e = test::fixture_event(),
                   std::function<void(helpdesk::servicenow_options&)> configure = {})
{
    fake_server instance(std::move(s));
    net::io_context ioc;
    http::client client(ioc.get_executor(), fast());
    auto opt = options_for(instance.base());
    if (configure)
        configure(opt);
    helpdesk::servicenow_sink sink(client, opt);
    const auto started = std::chrono::steady_clock::now();
    auto r = test::run_sync(ioc, sink.deliver(e));
    return {std::move(r), instance.requests(), std::chrono::steady_clock::now() - started};
}

fake_server::answer ok_json(unsigned status, const json& body) { return {status, body.dump(), {}, {}}; }

const json no_records = {{"result", json::array()}};
const json created_record = {{"result", {{"sys_id", sys_id}, {"number", "INC0010002"}}}};

/// A fresh instance: the lookup finds nothing, the create answers `create`.
fake_server::script fresh(fake_server::answer create = ok_json(201, created_record))
{
    return [create](int, const bot::http::request_view& r) { return r.method == "GET" ? ok_json(200, no_records) : create; };
}

bot::ports::escalation_event later(std::string event, std::string message = {})
{
    auto e = test::fixture_event();
    e.delivery_id = "dlv-esc-3f2a9c41-" + event + "-servicenow";
    e.event = std::move(event);
    e.status = e.event == "replied" ? "acknowledged" : e.event;
    e.message = std::move(message);
    e.actor_name = "Alex Wilber";
    e.external_id = sys_id;
    return e;
}

const json servicenow_error(const std::string& message, const std::string& detail)
{
    return {{"error", {{"message", message}, {"detail", detail}}}, {"status", "failure"}};
}

} // namespace

TEST(ServiceNowSink, CreatesAnIncidentWhenTheLookupFindsNone)
{
    const auto o = deliver_to(fresh(), test::fixture_event(), [](auto& opt) { opt.assignment_group = group_sys_id; });
    EXPECT_EQ(o.result.outcome, delivery_outcome::delivered) << o.result.error_id << " " << o.result.detail;
    EXPECT_EQ(o.result.external_id, sys_id);
    EXPECT_EQ(o.result.external_number, "INC0010002");
    ASSERT_EQ(o.requests.size(), 2u);

    const auto& get = o.requests[0];
    EXPECT_EQ(get.method, "GET");
    EXPECT_EQ(get.target, lookup_target);
    EXPECT_EQ(get.header("Accept"), "application/json");
    EXPECT_EQ(get.header("Authorization"), basic(user + ":" + password));

    const auto& post = o.requests[1];
    EXPECT_EQ(post.method, "POST");
    EXPECT_EQ(post.target, create_target);
    EXPECT_EQ(post.header("Accept"), "application/json");
    EXPECT_EQ(post.header("Content-Type"), "application/json");
    EXPECT_EQ(post.header("Authorization"), basic(user + ":" + password));
    const auto body = json::parse(post.body);
    const auto e = test::fixture_event();
    EXPECT_EQ(body.at("short_description"), e.summary);
    EXPECT_EQ(body.at("correlation_id"), "esc-3f2a9c41");
    EXPECT_EQ(body.at("correlation_display"), "access-bot");
    EXPECT_EQ(body.at("contact_type"), "chat");
    EXPECT_EQ(body.at("urgency"), "3");
    EXPECT_EQ(body.at("impact"), "3");
    EXPECT_EQ(body.at("category"), "inquiry");
    EXPECT_EQ(body.at("assignment_group"), group_sys_id);
    EXPECT_FALSE(body.contains("caller_id"));
    EXPECT_EQ(body.size(), 9u) << body.dump();
    const std::string description = body.at("description");
    for (const std::string& part : {e.question, e.summary, e.intent, std::string("Language: en"), e.domain, e.user_name, e.user_aad_object_id,
                                    e.tenant_id, e.escalation_id})
        EXPECT_NE(description.find(part), std::string::npos) << part << " in " << description;
}

TEST(ServiceNowSink, AnIncidentAnEarlierAttemptCreatedIsNotCreatedAgain)
{
    const json existing = {{"result", json::array({{{"sys_id", sys_id}, {"number", "INC0010002"}}})}};
    const auto o = deliver_to([existing](int, const bot::http::request_view&) { return ok_json(200, existing); });
    EXPECT_EQ(o.result.outcome, delivery_outcome::delivered);
    EXPECT_EQ(o.result.external_id, sys_id);
    EXPECT_EQ(o.result.external_number, "INC0010002");
    ASSERT_EQ(o.requests.size(), 1u) << "found by correlation_id: no POST";
    EXPECT_EQ(o.requests[0].method, "GET");
}

TEST(ServiceNowSink, ABearerTokenReplacesBasicAuth)
{
    const auto o = deliver_to(fresh(), test::fixture_event(), [](auto& opt) {
        opt.bearer_token = token;
        opt.caller_id = "62826bf03710200044e0bfc8bcbe5df1";
    });
    EXPECT_EQ(o.result.outcome, delivery_outcome::delivered);
    ASSERT_EQ(o.requests.size(), 2u);
    for (const auto& r : o.requests)
        EXPECT_EQ(r.header("Authorization"), "Bearer " + token);
    EXPECT_EQ(json::parse(o.requests[1].body).at("caller_id"), "62826bf03710200044e0bfc8bcbe5df1");
}

TEST(ServiceNowSink, OkInsteadOfCreatedIsAccepted)
{
    const auto o = deliver_to(fresh(ok_json(200, created_record)));
    EXPECT_EQ(o.result.outcome, delivery_outcome::delivered);
    EXPECT_EQ(o.result.external_number, "INC0010002");
}

TEST(ServiceNowSink, ACreatedAnswerWithoutTheRecordIsMalformed)
{
    for (const auto& a : {fake_server::answer{201, "", {}, {}}, fake_server::answer{201, "<html>login</html>", {}, {}},
                          ok_json(201, {{"result", json::object()}}), ok_json(201, {{"result", {{"sys_id", sys_id}}}}),
                          ok_json(201, {{"result", {{"sys_id", "not-a-sys-id"}, {"number", "INC0010002"}}}})}) {
        const auto o = deliver_to(fresh(a));
        EXPECT_EQ(o.result.outcome, delivery_outcome::rejected) << a.body;
        EXPECT_EQ(o.result.error_id, "helpdesk.malformed") << a.body;
        EXPECT_EQ(o.requests.size(), 2u);
    }
}

TEST(ServiceNowSink, AMalformedLookupIsRejectedBeforeAnyCreate)
{
    const auto o = deliver_to([](int, const bot::http::request_view&) { return fake_server::answer{200, "<html>Instance hibernating</html>", {}, {}}; });
    EXPECT_EQ(o.result.outcome, delivery_outcome::rejected);
    EXPECT_EQ(o.result.error_id, "helpdesk.malformed");
    EXPECT_EQ(o.requests.size(), 1u);
}

TEST(ServiceNowSink, UnauthorizedIsRejected)
{
    for (unsigned status : {401u, 403u}) {
        const auto o = deliver_to([status](int, const bot::http::request_view&) {
            return ok_json(status, servicenow_error("User Not Authenticated", "Required to provide Auth information"));
        });
        EXPECT_EQ(o.result.outcome, delivery_outcome::rejected) << status;
        EXPECT_EQ(o.result.error_id, "helpdesk.unauthorized");
        EXPECT_EQ(o.result.detail, "HTTP " + std::to_string(status) + ": User Not Authenticated: Required to provide Auth information");
        EXPECT_EQ(o.requests.size(), 1u);
    }
}

TEST(ServiceNowSink, BadRequestIsRejectedWithServiceNowsMessageCut)
{
    const std::string long_detail(500, 'x');
    const auto o = deliver_to(fresh(ok_json(400, servicenow_error("Invalid field: urgency", long_detail))));
    EXPECT_EQ(o.result.outcome, delivery_outcome::rejected);
    EXPECT_EQ(o.result.error_id, "helpdesk.rejected");
    EXPECT_EQ(o.result.detail.rfind("HTTP 400: Invalid field: urgency: xxx", 0), 0u) << o.result.detail;
    EXPECT_LE(o.result.detail.size(), 300u);
}

TEST(ServiceNowSink, UnavailableIsRetry)
{
    const auto o = deliver_to([](int, const bot::http::request_view&) { return fake_server::answer{503, "", {}, {{"Retry-After", "30"}}}; });
    EXPECT_EQ(o.result.outcome, delivery_outcome::retry);
    EXPECT_EQ(o.result.error_id, "helpdesk.unavailable");
    EXPECT_EQ(o.result.retry_after, std::chrono::seconds(30));
    for (const auto& r : o.requests)
        EXPECT_EQ(r.method, "GET") << "no create while the lookup fails";
    EXPECT_EQ(o.requests.size(), 3u); // the client's own retries of the GET (fast(): 3 attempts)
}

TEST(ServiceNowSink, ThrottledCreateIsRetry)
{
    const auto o = deliver_to(fresh(fake_server::answer{429, "", {}, {{"Retry-After", "2"}}}));
    EXPECT_EQ(o.result.outcome, delivery_outcome::retry);
    EXPECT_EQ(o.result.error_id, "helpdesk.throttled");
    EXPECT_EQ(o.result.retry_after, std::chrono::seconds(2));
}

TEST(ServiceNowSink, SlowInstanceIsATimeout)
{
    fake_server instance([](int, const bot::http::request_view&) { return fake_server::answer{200, no_records.dump(), std::chrono::milliseconds(1000), {}}; });
    net::io_context ioc;
    http::client client(ioc.get_executor(), fast());
    helpdesk::servicenow_sink sink(client, options_for(instance.base(), std::chrono::milliseconds(300)));
    const auto e = test::fixture_event();
    const auto started = std::chrono::steady_clock::now();
    const auto r = test::run_sync(ioc, sink.deliver(e));
    EXPECT_EQ(r.outcome, delivery_outcome::retry);
    EXPECT_EQ(r.error_id, "helpdesk.timeout");
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(900));
}

TEST(ServiceNowSink, ConnectionRefusedIsRetry)
{
    const std::uint16_t port = test::closed_port();
    net::io_context ioc;
    http::client client(ioc.get_executor(), fast());
    helpdesk::servicenow_sink sink(client, options_for("http://127.0.0.1:" + std::to_string(port), std::chrono::milliseconds(2000)));
    const auto e = test::fixture_event();
    const auto r = test::run_sync(ioc, sink.deliver(e));
    EXPECT_EQ(r.outcome, delivery_outcome::retry);
    EXPECT_EQ(r.error_id, "helpdesk.unavailable");
}

TEST(ServiceNowSink, ReplyIsAWorkNote)
{
    const auto o = deliver_to([](int, const bot::http::request_view&) { return ok_json(200, created_record); },
                              later("replied", "Your admin added fabrikam.com to the allowed domains."));
    EXPECT_EQ(o.result.outcome, delivery_outcome::delivered);
    EXPECT_EQ(o.result.external_id, sys_id);
    EXPECT_EQ(o.result.external_number, "INC0010002");
    ASSERT_EQ(o.requests.size(), 1u);
    const auto& r = o.requests[0];
    EXPECT_EQ(r.method, "PATCH");
    EXPECT_EQ(r.target, record_target);
    EXPECT_EQ(r.header("Content-Type"), "application/json");
    EXPECT_EQ(r.header("Authorization"), basic(user + ":" + password));
    const auto body = json::parse(r.body);
    EXPECT_EQ(body, json({{"work_notes", "Reply sent to the user in Teams by Alex Wilber:\nYour admin added fabrikam.com to the allowed domains."}}));
}

TEST(ServiceNowSink, AcknowledgedIsAWorkNote)
{
    const auto o = deliver_to([](int, const bot::http::request_view&) { return ok_json(200, created_record); }, later("acknowledged"));
    EXPECT_EQ(o.result.outcome, delivery_outcome::delivered);
    ASSERT_EQ(o.requests.size(), 1u);
    EXPECT_EQ(json::parse(o.requests[0].body), json({{"work_notes", "Acknowledged in Teams by Alex Wilber."}}));
}

TEST(ServiceNowSink, ResolvedClosesTheIncident)
{
    auto o = deliver_to([](int, const bot::http::request_view&) { return ok_json(200, created_record); }, later("resolved", "Allowed fabrikam.com."));
    EXPECT_EQ(o.result.outcome, delivery_outcome::delivered);
    ASSERT_EQ(o.requests.size(), 1u);
    auto body = json::parse(o.requests[0].body);
    EXPECT_EQ(body.at("state"), "6");
    EXPECT_EQ(body.at("close_code"), "Solved (Permanently)");
    EXPECT_EQ(body.at("close_notes"), "Allowed fabrikam.com.");
    EXPECT_EQ(body.at("work_notes"), "Resolved in Teams by Alex Wilber.\nAllowed fabrikam.com.");

    o = deliver_to([](int, const bot::http::request_view&) { return ok_json(200, created_record); }, later("resolved"));
    body = json::parse(o.requests.at(0).body);
    EXPECT_EQ(body.at("close_notes"), "Resolved in Teams");
}

TEST(ServiceNowSink, CancelledCancelsTheIncident)
{
    auto e = later("cancelled");
    e.actor_name = "";
    const auto o = deliver_to([](int, const bot::http::request_view&) { return ok_json(200, json::object()); }, e);
    EXPECT_EQ(o.result.outcome, delivery_outcome::delivered);
    EXPECT_EQ(o.result.external_id, sys_id);
    EXPECT_EQ(o.result.external_number, "");
    ASSERT_EQ(o.requests.size(), 1u);
    EXPECT_EQ(o.requests[0].method, "PATCH");
    EXPECT_EQ(json::parse(o.requests[0].body), json({{"work_notes", "Cancelled by the user in Teams."}, {"state", "8"}}));
}

TEST(ServiceNowSink, PatchOfAMissingIncidentIsNotFound)
{
    const auto o = deliver_to([](int, const bot::http::request_view&) {
        return ok_json(404, servicenow_error("No Record found", "Record doesn't exist or ACL restricts the record retrieval"));
    }, later("resolved"));
    EXPECT_EQ(o.result.outcome, delivery_outcome::rejected);
    EXPECT_EQ(o.result.error_id, "helpdesk.not_found");
    EXPECT_NE(o.result.detail.find("No Record found"), std::string::npos);
    EXPECT_EQ(o.requests.size(), 1u);
}

TEST(ServiceNowSink, ALaterEventWithoutAnIncidentCreatesThenUpdatesIt)
{
    auto e = later("resolved", "Done.");
    e.external_id = "";
    const auto o = deliver_to([](int, const bot::http::request_view& r) {
        if (r.method == "GET")
            return ok_json(200, no_records);
        if (r.method == "POST")
            return ok_json(201, created_record);
        return ok_json(200, json{{"result", {{"sys_id", sys_id}}}});
    }, e);
    EXPECT_EQ(o.result.outcome, delivery_outcome::delivered);
    EXPECT_EQ(o.result.external_id, sys_id);
    EXPECT_EQ(o.result.external_number, "INC0010002");
    ASSERT_EQ(o.requests.size(), 3u);
    EXPECT_EQ(o.requests[2].method, "PATCH");
    EXPECT_EQ(o.requests[2].target, record_target);
    EXPECT_EQ(json::parse(o.requests[2].body).at("state"), "6");
}

TEST(ServiceNowSink, BadParametersSendNothing)
{
    for (const std::string& id : std::vector<std::string>{"abc", "9d385017c611228701d22104cc95c37", "9d385017c611228701d22104cc95c371/../x", "9d385017c611228701d22104cc95c37g"}) {
        auto e = later("resolved");
        e.external_id = id;
        const auto o = deliver_to(fresh(), e);
        EXPECT_EQ(o.result.outcome, delivery_outcome::rejected) << id;
        EXPECT_EQ(o.result.error_id, "helpdesk.bad_parameter") << id;
        EXPECT_TRUE(o.requests.empty()) << id;
    }
    for (const std::string& id : std::vector<std::string>{"", "esc-1^ORactive=true", "esc 1", std::string(101, 'a')}) {
        auto e = test::fixture_event();
        e.escalation_id = id;
        const auto o = deliver_to(fresh(), e);
        EXPECT_EQ(o.result.error_id, "helpdesk.bad_parameter") << id;
        EXPECT_TRUE(o.requests.empty()) << id;
    }
    for (const std::string& url : std::vector<std::string>{"", "contoso.service-now.com", "ftp://contoso.service-now.com", "https://contoso.service-now.com/?x=1",
                                  "https://user@contoso.service-now.com"}) {
        const auto o = deliver_to(fresh(), test::fixture_event(), [url](auto& opt) { opt.instance_url = url; });
        EXPECT_EQ(o.result.outcome, delivery_outcome::rejected) << url;
        EXPECT_EQ(o.result.error_id, "helpdesk.bad_parameter") << url;
        EXPECT_TRUE(o.requests.empty()) << url;
    }
}

TEST(ServiceNowSink, NameAndConfiguration)
{
    net::io_context ioc;
    http::client client(ioc.get_executor(), fast());
    helpdesk::servicenow_options opt;
    opt.instance_url = "https://contoso.service-now.com";
    EXPECT_THROW(helpdesk::servicenow_sink(client, opt), std::invalid_argument);
    opt.bearer_token = token;
    helpdesk::servicenow_sink sink(client, opt);
    EXPECT_EQ(sink.name(), "servicenow");
}

TEST(ServiceNowSink, NeverLogsCredentials)
{
    std::vector<std::string> lines;
    log::set_sink([&lines](const std::string& line) { lines.push_back(line); });
    const auto old_level = log::min_level();
    log::set_min_level(log::level::debug);
    const auto ok = deliver_to(fresh());
    const auto refused = deliver_to([](int, const bot::http::request_view&) { return ok_json(401, servicenow_error("User Not Authenticated", "")); });
    const auto bearer = deliver_to(fresh(), test::fixture_event(), [](auto& opt) { opt.bearer_token = token; });
    log::set_min_level(old_level);
    log::set_sink(nullptr);
    EXPECT_EQ(ok.result.outcome, delivery_outcome::delivered);
    const std::string encoded = basic(user + ":" + password).substr(6);
    bool saw_delivery = false;
    for (const auto& line : lines) {
        EXPECT_EQ(line.find(password), std::string::npos) << line;
        EXPECT_EQ(line.find(encoded), std::string::npos) << line;
        EXPECT_EQ(line.find("s3cr3t-oauth-token"), std::string::npos) << line;
        saw_delivery = saw_delivery || line.find("INC0010002") != std::string::npos;
    }
    EXPECT_TRUE(saw_delivery);
}

TEST(ServiceNowFields, ShortDescriptionIsOneLineOfAtMost160Characters)
{
    auto e = test::fixture_event();
    std::string summary;
    for (int i = 0; i < 100; ++i)
        summary += "ë\n";
    e.summary = summary;
    const auto j = helpdesk::incident_create_fields(e, {});
    const std::string title = j.at("short_description");
    std::size_t chars = 0;
    for (unsigned char c : title)
        chars += (c & 0xC0) != 0x80 ? 1 : 0;
    EXPECT_EQ(chars, 160u);
    EXPECT_EQ(title.find('\n'), std::string::npos);
    EXPECT_EQ(title.substr(title.size() - 3), "…");

    e.summary = "";
    EXPECT_EQ(helpdesk::incident_create_fields(e, {}).at("short_description"), e.question);
    EXPECT_FALSE(helpdesk::incident_create_fields(e, {}).contains("assignment_group"));
}

TEST(ServiceNowFields, SysIdIs32HexDigits)
{
    EXPECT_TRUE(helpdesk::is_sys_id(sys_id));
    EXPECT_TRUE(helpdesk::is_sys_id("9D385017C611228701D22104CC95C371"));
    EXPECT_FALSE(helpdesk::is_sys_id(""));
    EXPECT_FALSE(helpdesk::is_sys_id(sys_id + "0"));
    EXPECT_FALSE(helpdesk::is_sys_id("9d385017-c611-2287-01d2-2104cc95c371"));
}
