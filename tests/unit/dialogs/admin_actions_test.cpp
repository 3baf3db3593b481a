// Admin actions through the real runner and turn adapter (transcripts): who
// sees "Apply now", the confirm → execute → result flow, the audit log, and
// every way a click must be refused (forged data, replay, another user, another
// conversation, expired, revoked admin). Executors and the directory are fakes
// here (the ports); the real Graph and runbook adapters are tested against
// loopback servers in tests/unit/adapters_graph, adapters_runbook and the serve
// integration test.
#include "adapters/storage/memory_storage.hpp"
#include "dialogs/actions/admin_actions.hpp"
#include "tests/support/test_channel.hpp"

#include <gtest/gtest.h>

#include <map>

using namespace ab;
using json = nlohmann::json;
namespace ports = ab::bot::ports;
using ab::test::card_text;
using ab::test::test_channel;

namespace {

constexpr const char* admin_oid = "0a1b2c3d-0000-4000-8000-00000000ad01";
constexpr const char* user_oid = "0a1b2c3d-0000-4000-8000-00000000e5e1";
constexpr const char* teams_admin_role = "69091246-20e8-4a56-aa4d-066075b2a7a8";
constexpr const char* sharepoint_admin_role = "f28a1f50-f6e7-4571-818b-6a12f2af6b6c";

/// A scripted executor: records what it was asked to do.
class fake_executor final : public ports::setting_executor {
public:
    fake_executor(std::string name, std::string prefix)
        : name_(std::move(name))
        , prefix_(std::move(prefix))
    {
    }
    std::string_view name() const override { return name_; }
    bool handles(std::string_view op) const override { return op.rfind(prefix_, 0) == 0; }
    task<ports::current_value> read(const ports::setting_change& c) override
    {
        reads.push_back(c);
        co_return current;
    }
    task<ports::change_result> apply(const ports::setting_change& c) override
    {
        applied.push_back(c);
        co_return result;
    }
    ports::current_value current;
    ports::change_result result;
    std::vector<ports::setting_change> reads, applied;

private:
    std::string name_, prefix_;
};

class fake_directory final : public ports::directory {
public:
    task<boost::system::result<ports::directory_memberships>> memberships(std::string oid) override
    {
        ++calls;
        if (fail)
            co_return ports::directory_errc::unavailable;
        co_return users[oid];
    }
    std::map<std::string, ports::directory_memberships> users;
    bool fail = false;
    int calls = 0;
};

struct rig {
    adapters::storage::memory_storage store;
    dialogs::action_signer signer{std::string(test::test_signing_key)};
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
    dialogs::cards::card_builder cards{test::builtin_content(), signer, [this] { return now; }};
    dialogs::actions::catalog catalog{test::builtin_content()};
    fake_directory directory;
    fake_executor runbook{"runbook", "teams."};
    fake_executor graph{"graph", "entra."};
    std::unique_ptr<dialogs::actions::authorizer> auth;
    std::unique_ptr<dialogs::actions::admin_actions> admin;
    std::unique_ptr<test_channel> channel;

    explicit rig(dialogs::actions::admin_policy policy = {{admin_oid}, {}, {}, true}, bool with_directory = false,
                 bool with_executors = true, test::conversation_kind kind = test::conversation_kind::personal)
    {
        auth = std::make_unique<dialogs::actions::authorizer>(policy, with_directory ? &directory : nullptr);
        std::vector<ports::setting_executor*> executors;
        if (with_executors)
            executors = {&runbook, &graph};
        dialogs::actions::admin_options opt;
        opt.clock = [this] { return now; };
        admin = std::make_unique<dialogs::actions::admin_actions>(
            dialogs::actions::admin_parts{test::builtin_content(), catalog, *auth, executors, store, store, cards, nullptr}, opt);
        dialogs::runner_options ro;
        ro.clock = [this] { return now; };
        channel = std::make_unique<test_channel>(store, store, kind, ro, nullptr, admin.get());
        channel->act_as("29:admin", "Megan Bowen", admin_oid);
        runbook.result.outcome = ports::change_outcome::pending;
        runbook.result.reference = "job-7";
    }

    std::vector<json> audit()
    {
        auto rows = test::run_sync(store.list("audit", 0, 100));
        std::vector<json> out;
        for (auto& r : *rows)
            out.push_back(r.data);
        return out;
    }

    /// Asks `question`, returns the answer card and its activity id.
    std::pair<json, std::string> ask(const std::string& question)
    {
        channel->deliver(channel->message(question));
        const std::size_t n = channel->sent().size() - 1;
        return {channel->card(n), channel->sent_id(n)};
    }

    /// Clicks `title` on `card` (invoke); returns the invoke response body.
    json click(const json& card, const std::string& card_id, const std::string& title)
    {
        const json b = test_channel::button(card, title);
        EXPECT_FALSE(b.is_null()) << "no button " << title << " on\n" << card_text(card);
        if (b.is_null())
            return json();
        auto out = channel->deliver(channel->invoke(b, card_id));
        return out.invoke ? out.invoke->body : json();
    }
};

std::string outcome_text(const json& invoke_body)
{
    // {"statusCode":200,"type":"application/vnd.microsoft.card.adaptive","value":{card}}
    // or a message
    if (invoke_body.value("type", "") == "application/vnd.microsoft.card.adaptive")
        return card_text(invoke_body.at("value"));
    return invoke_body.value("value", json()).is_string() ? invoke_body.value("value", "") : invoke_body.dump();
}

} // namespace

TEST(AdminActions, NobodySeesApplyNowUnlessConfigured)
{
    rig r({}, false);
    const auto [card, id] = r.ask("we can't chat with people at fabrikam.com");
    for (const auto& title : test_channel::buttons(card))
        EXPECT_EQ(title.find("Allow fabrikam.com"), std::string::npos) << title;
}

TEST(AdminActions, OnlyTheConfiguredAdminSeesApplyNow)
{
    rig r;
    auto [card, id] = r.ask("we can't chat with people at fabrikam.com");
    EXPECT_FALSE(test_channel::button(card, "Allow fabrikam.com for external access").is_null()) << card_text(card);

    r.channel->act_as("29:user", "Alex Wilber", user_oid);
    auto [user_card, uid] = r.ask("we can't chat with people at fabrikam.com");
    EXPECT_TRUE(test_channel::button(user_card, "Allow fabrikam.com for external access").is_null());
    EXPECT_FALSE(test_channel::button(user_card, "Ask IT to allow fabrikam.com").is_null()) << card_text(user_card);
}

TEST(AdminActions, DomainFlowConfirmRunsTheRunbookWithExactlyThatDomain)
{
    rig r;
    auto [card, card_id] = r.ask("we can't chat with fabrikam.com");
    r.click(card, card_id, "Allow fabrikam.com for external access");

    // The confirmation arrives as its own card: what changes, through what, what
    // runs.
    const std::size_t n = r.channel->sent().size() - 1;
    const json confirm = r.channel->card(n);
    const std::string shown = card_text(confirm);
    EXPECT_NE(shown.find("Confirm the change"), std::string::npos) << shown;
    EXPECT_NE(shown.find("AllowedDomains + fabrikam.com"), std::string::npos) << shown;
    EXPECT_NE(shown.find("Runbook (MicrosoftTeams PowerShell)"), std::string::npos) << shown;
    EXPECT_NE(shown.find("Megan Bowen"), std::string::npos);
    EXPECT_NE(shown.find("$list.Add(\"fabrikam.com\")"), std::string::npos) << shown;
    EXPECT_TRUE(r.runbook.applied.empty()) << "nothing runs before Confirm";

    const json result = r.click(confirm, r.channel->sent_id(n), "Confirm");
    ASSERT_EQ(r.runbook.applied.size(), 1u);
    const auto& change = r.runbook.applied[0];
    EXPECT_EQ(change.operation, "teams.allowed_domains.add");
    EXPECT_EQ(change.parameters, (json{{"domain", "fabrikam.com"}}));
    EXPECT_EQ(change.requested_by, admin_oid);
    EXPECT_EQ(change.id.size(), 32u);
    EXPECT_NE(outcome_text(result).find("Sent to the runbook"), std::string::npos) << result.dump();
    EXPECT_NE(outcome_text(result).find("job-7"), std::string::npos);

    // The runbook reports back: the audit log and the admin's card are updated.
    dialogs::actions::executor_report rep{
        change.id, "teams.allowed_domains.add", "applied", {{"AllowedDomains", json::array()}}, {{"AllowedDomains", {"fabrikam.com"}}}, "",
        "job-7"};
    EXPECT_EQ(test::run_sync(r.admin->complete(rep, "corr-cb")), dialogs::actions::report_status::recorded);
    EXPECT_EQ(test::run_sync(r.admin->complete(rep, "corr-cb2")), dialogs::actions::report_status::already_recorded);

    const auto audit = r.audit();
    ASSERT_EQ(audit.size(), 3u);
    EXPECT_EQ(audit[0]["event"], "requested");
    EXPECT_EQ(audit[1]["event"], "executed");
    EXPECT_EQ(audit[1]["result"], "pending");
    EXPECT_EQ(audit[1]["executor"], "runbook");
    EXPECT_EQ(audit[1]["parameters"]["domain"], "fabrikam.com");
    EXPECT_EQ(audit[1]["actor"]["id"], admin_oid);
    EXPECT_FALSE(audit[1]["correlation_id"].get<std::string>().empty());
    EXPECT_EQ(audit[2]["event"], "completed");
    EXPECT_EQ(audit[2]["result"], "applied");
    EXPECT_EQ(audit[2]["after"]["AllowedDomains"][0], "fabrikam.com");
}

TEST(AdminActions, RunbookResultUpdatesTheCardInTheConversation)
{
    rig r;
    test::recording_connector connector;
    dialogs::actions::admin_options opt;
    opt.clock = [&] { return r.now; };
    std::vector<ports::setting_executor*> executors{&r.runbook};
    dialogs::actions::admin_actions admin(
        dialogs::actions::admin_parts{test::builtin_content(), r.catalog, *r.auth, executors, r.store, r.store, r.cards, &connector}, opt);
    test_channel channel(r.store, r.store, test::conversation_kind::personal, {}, nullptr, &admin);
    channel.act_as("29:admin", "Megan Bowen", admin_oid);
    channel.deliver(channel.message("we can't chat with fabrikam.com"));
    const json card = channel.last_card();
    const json apply = test_channel::button(card, "Allow fabrikam.com for external access");
    ASSERT_FALSE(apply.is_null()) << card_text(card);
    channel.deliver(channel.invoke(apply, channel.sent_id(channel.sent().size() - 1)));
    const std::size_t confirm_at = channel.sent().size() - 1;
    channel.deliver(channel.invoke(test_channel::button(channel.card(confirm_at), "Confirm"), channel.sent_id(confirm_at)));
    ASSERT_EQ(r.runbook.applied.size(), 1u);

    dialogs::actions::executor_report rep{r.runbook.applied[0].id,
                                          "teams.allowed_domains.add",
                                          "failed",
                                          nullptr,
                                          nullptr,
                                          "Set-CsTenantFederationConfiguration: Access denied",
                                          "job-7"};
    EXPECT_EQ(test::run_sync(admin.complete(rep, "corr")), dialogs::actions::report_status::recorded);
    ASSERT_FALSE(connector.activities.empty());
    const auto& update = connector.activities.back();
    EXPECT_EQ(update.kind, "update");
    EXPECT_EQ(update.reply_to_id, channel.sent_id(confirm_at)) << "the confirmation card is replaced in place";
    const std::string shown = card_text(update.activity.attachments.at(0).content);
    EXPECT_NE(shown.find("Not changed"), std::string::npos) << shown;
    EXPECT_NE(shown.find("Access denied"), std::string::npos) << shown;
}

TEST(AdminActions, RepeatedConfirmExecutesOnceAndShowsTheSameResult)
{
    rig r;
    r.graph.result.outcome = ports::change_outcome::applied;
    r.graph.result.before = {{"allowInvitesFrom", "none"}};
    r.graph.result.after = {{"allowInvitesFrom", "adminsGuestInvitersAndAllMembers"}};
    // Entra guest invitations: a guest-access answer names the Teams switch; ask
    // for the Entra one directly.
    const auto* s = r.catalog.find("entra_guest_invitations");
    ASSERT_NE(s, nullptr);
    dialogs::card_action a;
    a.verb = "apply";
    a.card_id = "c1";
    a.args = {{"setting", "entra_guest_invitations"},
              {"d", ""},
              {"l", "en"},
              {"u", admin_oid},
              {"c", r.channel->conversation_id()},
              {"x", std::chrono::duration_cast<std::chrono::seconds>(r.now.time_since_epoch()).count() + 60}};
    const json apply_data = r.signer.sign("apply", "c1", a.args, r.now);
    const json apply_button = {{"type", "Action.Execute"}, {"verb", "apply"}, {"data", apply_data}};
    r.channel->deliver(r.channel->invoke(apply_button, "card-x"));
    const std::size_t n = r.channel->sent().size() - 1;
    const json confirm = r.channel->card(n);
    EXPECT_NE(card_text(confirm).find("allowInvitesFrom = adminsGuestInvitersAndAllMembers"), std::string::npos) << card_text(confirm);
    EXPECT_NE(card_text(confirm).find("Microsoft Graph"), std::string::npos);

    const json first = r.click(confirm, r.channel->sent_id(n), "Confirm");
    const json second = r.click(confirm, r.channel->sent_id(n), "Confirm");
    EXPECT_EQ(r.graph.applied.size(), 1u) << "a repeated click never runs the change twice";
    EXPECT_NE(outcome_text(first).find("Done"), std::string::npos) << first.dump();
    EXPECT_EQ(outcome_text(second), outcome_text(first));
    // Submit fallback (Teams mobile) of the same button: still once.
    r.channel->deliver(r.channel->submit(test_channel::button(confirm, "Confirm"), r.channel->sent_id(n)));
    EXPECT_EQ(r.graph.applied.size(), 1u);

    int executed = 0;
    for (const auto& e : r.audit())
        executed += e["event"] == "executed";
    EXPECT_EQ(executed, 1);
}

TEST(AdminActions, ConfirmOfAnotherUserIsRefusedAndAudited)
{
    rig r({{admin_oid, user_oid}, {}, {}, true}); // both are admins: the binding alone must refuse
    auto [card, card_id] = r.ask("we can't chat with fabrikam.com");
    r.click(card, card_id, "Allow fabrikam.com for external access");
    const std::size_t n = r.channel->sent().size() - 1;
    const json confirm = r.channel->card(n);

    r.channel->act_as("29:user", "Alex Wilber", user_oid);
    const json reply = r.click(confirm, r.channel->sent_id(n), "Confirm");
    EXPECT_TRUE(r.runbook.applied.empty());
    EXPECT_NE(outcome_text(reply).find("someone else"), std::string::npos) << reply.dump();
    const auto audit = r.audit();
    ASSERT_FALSE(audit.empty());
    EXPECT_EQ(audit.back()["result"], "denied");
    EXPECT_EQ(audit.back()["reason"], "admin.not_yours");
    EXPECT_EQ(audit.back()["actor"]["id"], user_oid);
}

TEST(AdminActions, ForgedOrTamperedDataChangesNothingAndIsAudited)
{
    rig r;
    auto [card, card_id] = r.ask("we can't chat with fabrikam.com");
    r.click(card, card_id, "Allow fabrikam.com for external access");
    const std::size_t n = r.channel->sent().size() - 1;
    json confirm_button = test_channel::button(r.channel->card(n), "Confirm");

    // Another domain in the signed parameters: the signature no longer matches.
    json tampered = confirm_button;
    tampered["data"]["ab"]["args"]["p"]["domain"] = "evil.example";
    json reply = r.channel->deliver(r.channel->invoke(tampered, r.channel->sent_id(n))).invoke->body;
    EXPECT_NE(outcome_text(reply).find("couldn't verify"), std::string::npos) << reply.dump();

    // A button made up from scratch (no signature).
    json forged = {
        {"type", "Action.Execute"},
        {"verb", "apply_confirm"},
        {"data", {{"ab", {{"v", 1}, {"verb", "apply_confirm"}, {"card", "x"}, {"t", 1}, {"args", {{"s", "teams_federation"}}}}}}}};
    r.channel->deliver(r.channel->invoke(forged, r.channel->sent_id(n)));

    // A verb changed outside the signed part (apply → apply_confirm skips the
    // confirmation).
    json answer_apply = test_channel::button(card, "Allow fabrikam.com for external access");
    answer_apply["verb"] = "apply_confirm";
    r.channel->deliver(r.channel->invoke(answer_apply, card_id));

    EXPECT_TRUE(r.runbook.applied.empty());
    const auto audit = r.audit();
    ASSERT_EQ(audit.size(), 3u);
    EXPECT_EQ(audit[0]["reason"], "card.bad_signature");
    EXPECT_NE(audit[0]["claimed"].get<std::string>().find("evil.example"), std::string::npos);
    EXPECT_EQ(audit[1]["reason"], "card.malformed"); // no signature at all
    EXPECT_EQ(audit[2]["reason"], "card.verb_mismatch");
    for (const auto& e : audit)
        EXPECT_EQ(e["result"], "denied");
}

TEST(AdminActions, ExpiredConfirmationIsRefused)
{
    rig r;
    auto [card, card_id] = r.ask("we can't chat with fabrikam.com");
    r.click(card, card_id, "Allow fabrikam.com for external access");
    const std::size_t n = r.channel->sent().size() - 1;
    r.now += std::chrono::minutes(11);
    const json reply = r.click(r.channel->card(n), r.channel->sent_id(n), "Confirm");
    EXPECT_TRUE(r.runbook.applied.empty());
    EXPECT_NE(outcome_text(reply).find("expired"), std::string::npos) << reply.dump();
    EXPECT_EQ(r.audit().back()["reason"], "admin.expired");

    // The answer card's "Apply now" expires too (30 min).
    r.now += std::chrono::minutes(30);
    r.click(card, card_id, "Allow fabrikam.com for external access");
    EXPECT_EQ(r.audit().back()["reason"], "admin.expired");
}

TEST(AdminActions, ReplayInAnotherConversationIsRefused)
{
    rig r;
    auto [card, card_id] = r.ask("we can't chat with fabrikam.com");
    r.click(card, card_id, "Allow fabrikam.com for external access");
    const std::size_t n = r.channel->sent().size() - 1;
    const json confirm_button = test_channel::button(r.channel->card(n), "Confirm");

    test_channel group(r.store, r.store, test::conversation_kind::group, {}, nullptr, r.admin.get());
    group.act_as("29:admin", "Megan Bowen", admin_oid);
    group.deliver(group.invoke(confirm_button, "elsewhere"));
    EXPECT_TRUE(r.runbook.applied.empty());
    EXPECT_EQ(r.audit().back()["reason"], "admin.not_yours");
}

TEST(AdminActions, AuthorizationIsCheckedAgainOnConfirm)
{
    // Roles from the directory: a Teams Administrator sees Apply now; the role is
    // removed before Confirm.
    rig r({{}, {}, {}, true}, true);
    r.directory.users[admin_oid].role_template_ids = {teams_admin_role};
    auto [card, card_id] = r.ask("we can't chat with fabrikam.com");
    r.click(card, card_id, "Allow fabrikam.com for external access");
    const std::size_t n = r.channel->sent().size() - 1;
    ASSERT_NE(card_text(r.channel->card(n)).find("Confirm the change"), std::string::npos);

    r.directory.users[admin_oid].role_template_ids.clear();
    const int calls = r.directory.calls;
    const json reply = r.click(r.channel->card(n), r.channel->sent_id(n), "Confirm");
    EXPECT_GT(r.directory.calls, calls) << "fresh lookup, not the cache";
    EXPECT_TRUE(r.runbook.applied.empty());
    EXPECT_NE(outcome_text(reply).find("Only an authorized admin"), std::string::npos) << reply.dump();
    EXPECT_EQ(r.audit().back()["reason"], "admin.not_authorized");
}

TEST(AdminActions, RolesAreCheckedPerSetting)
{
    rig r({{}, {}, {}, true}, true);
    r.directory.users[admin_oid].role_template_ids = {sharepoint_admin_role}; // not a Teams role
    auto [card, card_id] = r.ask("we can't chat with fabrikam.com");
    EXPECT_TRUE(test_channel::button(card, "Allow fabrikam.com for external access").is_null()) << card_text(card);

    // The directory is down: no button, and a click on an old one says why.
    r.directory.fail = true;
    r.directory.users[admin_oid].role_template_ids = {teams_admin_role};
    auto [card2, id2] = r.ask("can we allow contoso.com for chat?");
    EXPECT_TRUE(test_channel::button(card2, "Allow contoso.com for external access").is_null());
}

TEST(AdminActions, DryRunIsTheDefaultAndShowsWhatWouldRun)
{
    rig r({{admin_oid}, {}, {}, true}, false, /*with_executors=*/false);
    auto [card, card_id] = r.ask("we can't chat with fabrikam.com");
    r.click(card, card_id, "Allow fabrikam.com for external access");
    const std::size_t n = r.channel->sent().size() - 1;
    EXPECT_NE(card_text(r.channel->card(n)).find("dry run"), std::string::npos) << card_text(r.channel->card(n));
    const json reply = r.click(r.channel->card(n), r.channel->sent_id(n), "Confirm");
    const std::string shown = outcome_text(reply);
    EXPECT_NE(shown.find("Dry run: nothing changed"), std::string::npos) << shown;
    EXPECT_NE(shown.find("Set-CsTenantFederationConfiguration "
                         "-AllowedDomainsAsAList @{Add=$list}"),
              std::string::npos)
        << shown;
    EXPECT_NE(shown.find("fabrikam.com"), std::string::npos);
    EXPECT_EQ(r.audit().back()["result"], "dry_run");
    EXPECT_EQ(r.audit().back()["executor"], "dry-run");
}

TEST(AdminActions, CancelledConfirmationCannotBeConfirmedLater)
{
    rig r;
    auto [card, card_id] = r.ask("we can't chat with fabrikam.com");
    r.click(card, card_id, "Allow fabrikam.com for external access");
    const std::size_t n = r.channel->sent().size() - 1;
    const json confirm = r.channel->card(n);
    EXPECT_NE(outcome_text(r.click(confirm, r.channel->sent_id(n), "Cancel")).find("Cancelled"), std::string::npos);
    EXPECT_NE(outcome_text(r.click(confirm, r.channel->sent_id(n), "Confirm")).find("Cancelled"), std::string::npos);
    EXPECT_TRUE(r.runbook.applied.empty());
    EXPECT_EQ(r.audit().back()["event"], "cancelled");
}

TEST(AdminActions, FailedExecutionShowsTheReasonAndIsAudited)
{
    rig r;
    r.runbook.result = {};
    r.runbook.result.outcome = ports::change_outcome::failed;
    r.runbook.result.error_id = "runbook.unauthorized";
    r.runbook.result.detail = "webhook answered 403";
    auto [card, card_id] = r.ask("we can't chat with fabrikam.com");
    r.click(card, card_id, "Allow fabrikam.com for external access");
    const std::size_t n = r.channel->sent().size() - 1;
    const std::string shown = outcome_text(r.click(r.channel->card(n), r.channel->sent_id(n), "Confirm"));
    EXPECT_NE(shown.find("Not changed"), std::string::npos) << shown;
    EXPECT_NE(shown.find("runbook.unauthorized: webhook answered 403"), std::string::npos) << shown;
    EXPECT_EQ(r.audit().back()["result"], "failed");
    EXPECT_EQ(r.audit().back()["reason"], "runbook.unauthorized");
}

TEST(AdminActions, LateReportsAreChecked)
{
    rig r;
    using dialogs::actions::report_status;
    EXPECT_EQ(test::run_sync(r.admin->complete({std::string(32, 'a'), "teams.federation.enable", "applied", {}, {}, "", ""}, "c")),
              report_status::unknown_action);
    EXPECT_EQ(test::run_sync(r.admin->complete({"short", "teams.federation.enable", "applied", {}, {}, "", ""}, "c")),
              report_status::unknown_action);
    EXPECT_EQ(test::run_sync(r.admin->complete({std::string(32, 'a'), "teams.federation.enable", "done?", {}, {}, "", ""}, "c")),
              report_status::bad_status);

    auto [card, card_id] = r.ask("we can't chat with fabrikam.com");
    r.click(card, card_id, "Allow fabrikam.com for external access");
    const std::size_t n = r.channel->sent().size() - 1;
    r.click(r.channel->card(n), r.channel->sent_id(n), "Confirm");
    ASSERT_EQ(r.runbook.applied.size(), 1u);
    // A report for another operation under this id is not accepted.
    EXPECT_EQ(test::run_sync(r.admin->complete({r.runbook.applied[0].id, "teams.federation.enable", "applied", {}, {}, "", ""}, "c")),
              report_status::mismatch);
}

TEST(AdminActions, CatalogCoversTheProductSettingsAndValidatesParameters)
{
    const dialogs::actions::catalog c(test::builtin_content());
    for (const char* id :
         {"teams_federation", "teams_allowed_domain", "teams_consumer_chat", "teams_guest_access", "entra_guest_invitations",
          "m365_groups_guest_settings", "sharepoint_sharing_level", "b2b_direct_connect", "teams_anonymous_meeting_join"}) {
        const auto* s = c.find(id);
        ASSERT_NE(s, nullptr) << id;
        EXPECT_FALSE(s->operation.empty());
        EXPECT_FALSE(s->role_template_ids.empty()) << id;
    }
    const auto* domain = c.find("teams_allowed_domain");
    EXPECT_TRUE(c.parameters_for(*domain, "fabrikam.com"));
    for (const char* bad : {"", "fabrikam", "-x.com", "a..com", "fabrikam.com; Remove-Everything", "FABRIKAM.COM", "x.c0m", "a b.com",
                            "fabrikam.com\"", "$(whoami).com"})
        EXPECT_FALSE(c.parameters_for(*domain, bad)) << bad;
    EXPECT_EQ(c.describe(*domain, {{"domain", "fabrikam.com"}}), "AllowedDomains + fabrikam.com");
}
