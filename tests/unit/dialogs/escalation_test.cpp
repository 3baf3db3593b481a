// The escalation dialog through the real runner (transcripts): Ask IT → confirm the summary →
// Send → one escalation with its outbox deliveries; status in six languages; cancel; the user is
// told (teams-user sink) when the helpdesk acts or a ticket number comes back.
#include "adapters/storage/memory_storage.hpp"
#include "dialogs/escalations/dialog.hpp"
#include "dialogs/escalations/user_sink.hpp"
#include "tests/support/test_channel.hpp"

#include <gtest/gtest.h>

using namespace ab;
using json = nlohmann::json;
namespace ports = ab::bot::ports;
namespace esc = ab::dialogs::escalations;
using ab::test::card_text;
using ab::test::test_channel;

namespace {

struct rig {
    adapters::storage::memory_storage store;
    dialogs::action_signer signer{std::string(test::test_signing_key)};
    dialogs::cards::card_builder cards{test::builtin_content(), signer};
    esc::escalation_service service{store, store, esc::service_options{{"webhook", "servicenow"}}};
    int wakes = 0;
    esc::escalation_dialog dialog{test::builtin_content(), cards, service, [this] { ++wakes; }};
    test_channel channel{store, store, test::conversation_kind::personal, {}, nullptr, nullptr, &dialog};

    std::vector<ports::outbox_delivery> due()
    {
        auto r = test::run_sync(store.take_due(std::numeric_limits<std::int64_t>::max() / 4, std::numeric_limits<std::int64_t>::max() / 4, 100));
        return r ? *r : std::vector<ports::outbox_delivery>{};
    }

    /// Ask IT from an answer card; returns (confirm card, its activity id).
    std::pair<json, std::string> ask_it(const std::string& question)
    {
        channel.deliver(channel.message(question));
        const std::size_t a = channel.sent().size() - 1;
        json ask = test_channel::button(channel.card(a), "Ask IT to allow fabrikam.com");
        EXPECT_FALSE(ask.is_null()) << card_text(channel.card(a));
        channel.deliver(channel.invoke(ask, channel.sent_id(a)));
        const std::size_t n = channel.sent().size() - 1;
        return {channel.card(n), channel.sent_id(n)};
    }
};

} // namespace

TEST(Escalation, AskItConfirmSendCreatesOneEscalationWithItsDeliveries)
{
    rig r;
    auto [confirm, id] = r.ask_it("I can't chat with anna@fabrikam.com");
    const std::string shown = card_text(confirm);
    EXPECT_NE(shown.find("I can't chat with anna@fabrikam.com"), std::string::npos) << shown;
    EXPECT_TRUE(r.due().empty()) << "nothing is sent before Send";

    const json send = test_channel::button(confirm, "Send to IT");
    ASSERT_FALSE(send.is_null()) << confirm.dump();
    auto out = r.channel.deliver(r.channel.invoke(send, id, {{"summary", "  Please allow fabrikam.com, we start a project on Monday.  "}}));
    ASSERT_TRUE(out.invoke);
    const std::string sent = card_text(out.invoke->body.at("value"));
    EXPECT_NE(sent.find("Sent to the IT helpdesk"), std::string::npos) << sent;
    EXPECT_EQ(r.wakes, 1);

    // A second click (and the Submit fallback): still one escalation, no new deliveries.
    r.channel.deliver(r.channel.invoke(send, id));
    r.channel.deliver(r.channel.submit(send, id));
    const auto due = r.due();
    ASSERT_EQ(due.size(), 2u);
    std::set<std::string> sinks;
    for (const auto& d : due) {
        sinks.insert(d.sink);
        EXPECT_EQ(d.payload["event"], "created");
        EXPECT_EQ(d.payload["summary"], "Please allow fabrikam.com, we start a project on Monday.");
        EXPECT_EQ(d.payload["question"], "I can't chat with anna@fabrikam.com");
        EXPECT_EQ(d.payload["domain"], "fabrikam.com");
        EXPECT_EQ(d.payload["intent"], "external_access");
        EXPECT_EQ(d.payload["userName"], "Alex Wilber");
    }
    EXPECT_EQ(sinks, (std::set<std::string>{"webhook", "servicenow"}));
}

TEST(Escalation, AskItTwiceOnOneAnswerCreatesOneEscalation)
{
    rig r;
    r.channel.deliver(r.channel.message("We can't chat with anna@fabrikam.com"));
    const std::size_t a = r.channel.sent().size() - 1;
    const json ask = test_channel::button(r.channel.card(a), "Ask IT to allow fabrikam.com");
    r.channel.deliver(r.channel.invoke(ask, r.channel.sent_id(a)));
    const std::size_t first = r.channel.sent().size() - 1;
    r.channel.deliver(r.channel.invoke(ask, r.channel.sent_id(a)));
    const std::size_t second = r.channel.sent().size() - 1;
    ASSERT_NE(first, second);
    r.channel.deliver(r.channel.invoke(test_channel::button(r.channel.card(first), "Send to IT"), r.channel.sent_id(first)));
    r.channel.deliver(r.channel.invoke(test_channel::button(r.channel.card(second), "Send to IT"), r.channel.sent_id(second)));
    EXPECT_EQ(r.due().size(), 2u) << "one escalation (two sinks), not two";

    // Another user pressing Ask IT on the same card (a group chat) gets their own escalation.
    r.channel.act_as("29:other", "Megan Bowen", "0a1b2c3d-0000-4000-8000-0000000000b2");
    r.channel.deliver(r.channel.invoke(ask, r.channel.sent_id(a)));
    const std::size_t third = r.channel.sent().size() - 1;
    r.channel.deliver(r.channel.invoke(test_channel::button(r.channel.card(third), "Send to IT"), r.channel.sent_id(third)));
    const auto due = r.due();
    ASSERT_EQ(due.size(), 2u);
    EXPECT_EQ(due[0].payload["userName"], "Megan Bowen");
}

TEST(Escalation, StatusAndCancelInTheUsersLanguage)
{
    rig r;
    auto [confirm, id] = r.ask_it("We can't chat with fabrikam.com");
    r.channel.deliver(r.channel.invoke(test_channel::button(confirm, "Send to IT"), id));
    r.due(); // the "created" deliveries

    r.channel.deliver(r.channel.message("what's the status of my request?"));
    json status = r.channel.last_card();
    EXPECT_NE(card_text(status).find("Waiting for the helpdesk"), std::string::npos) << card_text(status);

    r.channel.deliver(r.channel.message("wat is de status van mijn aanvraag?", "nl-NL"));
    EXPECT_NE(card_text(r.channel.last_card()).find("Wacht op de servicedesk"), std::string::npos) << card_text(r.channel.last_card());

    const auto buttons = test_channel::buttons(status);
    ASSERT_EQ(buttons.size(), 1u);
    const std::size_t n = r.channel.sent().size() - 2;
    auto out = r.channel.deliver(r.channel.invoke(test_channel::button(status, buttons[0]), r.channel.sent_id(n)));
    ASSERT_TRUE(out.invoke);
    EXPECT_NE(card_text(out.invoke->body.at("value")).find("Cancelled"), std::string::npos) << out.invoke->body.dump();
    const auto due = r.due();
    ASSERT_EQ(due.size(), 2u) << "the helpdesk sinks are told; the user is not told what they did themselves";
    for (const auto& d : due)
        EXPECT_EQ(d.payload["event"], "cancelled");
}

TEST(Escalation, AnotherUsersCancelIsRefused)
{
    rig r;
    auto [confirm, id] = r.ask_it("We can't chat with fabrikam.com");
    r.channel.deliver(r.channel.invoke(test_channel::button(confirm, "Send to IT"), id));
    r.channel.deliver(r.channel.message("my requests"));
    const json status = r.channel.last_card();
    const std::size_t n = r.channel.sent().size() - 1;
    r.due();
    r.channel.act_as("29:someone", "Someone Else", "0a1b2c3d-0000-4000-8000-00000000e5e9");
    r.channel.deliver(r.channel.invoke(test_channel::button(status, test_channel::buttons(status).at(0)), r.channel.sent_id(n)));
    EXPECT_TRUE(r.due().empty());
}

TEST(Escalation, TheUserIsToldWhenTheHelpdeskActsAndOfTheTicketNumber)
{
    rig r;
    auto [confirm, id] = r.ask_it("We can't chat with fabrikam.com");
    r.channel.deliver(r.channel.invoke(test_channel::button(confirm, "Send to IT"), id));
    r.due();
    r.channel.deliver(r.channel.message("status of my ticket"));
    const std::string listed = card_text(r.channel.last_card());
    const auto at = listed.find("esc-");
    ASSERT_NE(at, std::string::npos) << listed;
    const std::string esc_id = listed.substr(at, 16);

    ASSERT_TRUE(test::run_sync(r.service.add_ticket(esc_id, {"servicenow", "6816f79cc0a8016401c5a33be04be441", "INC0010002"})));
    ASSERT_TRUE(test::run_sync(r.service.change(esc_id, esc::status::acknowledged, "acknowledged", "Diego Siciliani", {}, false)));
    ASSERT_TRUE(test::run_sync(r.service.change(esc_id, esc::status::acknowledged, "replied", "Diego Siciliani", "Done, try again in an hour.", false)));
    EXPECT_FALSE(test::run_sync(r.service.change(esc_id, esc::status::open, "reopened", "x", {}, false))) << "no way back to open";

    const auto due = r.due();
    std::vector<ports::outbox_delivery> to_user;
    for (const auto& d : due)
        if (d.sink == "teams-user")
            to_user.push_back(d);
    ASSERT_EQ(to_user.size(), 3u);
    for (const auto& d : due) {
        if (d.sink == "servicenow" && d.payload["event"] == "replied") {
            EXPECT_EQ(d.payload["externalId"], "6816f79cc0a8016401c5a33be04be441") << "later events update the same incident";
        }
    }

    esc::user_sink sink(test::builtin_content(), r.service, r.channel.connector());
    std::vector<std::string> told;
    for (const auto& d : to_user) {
        ports::escalation_event e;
        e.escalation_id = d.payload["escalationId"];
        e.event = d.payload["event"];
        e.actor_name = d.payload["actorName"];
        e.message = d.payload["message"];
        auto res = test::run_sync(sink.deliver(e));
        EXPECT_EQ(res.outcome, ports::delivery_outcome::delivered);
        told.push_back(r.channel.sent().back().activity.text);
    }
    EXPECT_NE(told[0].find("ticket INC0010002"), std::string::npos) << told[0];
    EXPECT_NE(told[1].find("Diego Siciliani from the IT helpdesk picked up your request " + esc_id), std::string::npos) << told[1];
    EXPECT_NE(told[2].find("Done, try again in an hour."), std::string::npos) << told[2];
    EXPECT_EQ(r.channel.sent().back().kind, "send");
}

#include "dialogs/escalations/channel_sink.hpp"

namespace {

constexpr const char* helpdesk_oid = "0a1b2c3d-0000-4000-8000-0000000000d1";

/// The user's personal chat and the helpdesk channel, over one store, with the channel sink.
struct helpdesk_rig {
    adapters::storage::memory_storage store;
    dialogs::action_signer signer{std::string(test::test_signing_key)};
    dialogs::cards::card_builder cards{test::builtin_content(), signer};
    esc::escalation_service service{store, store, esc::service_options{{"teams-channel"}}};
    test::recording_connector connector;
    esc::channel_sink channel_sink{test::builtin_content(), cards, service, connector,
                                   esc::channel_options{"19:helpdesk@thread.tacv2", "https://smba.example/emea/", "tenant-1", "28:bot", "access-bot",
                                                        knowledge::lang::en}};
    esc::escalation_dialog dialog{test::builtin_content(), cards, service, {}, hooks()};
    esc::user_sink user_sink{test::builtin_content(), service, connector};
    test_channel user{store, store, test::conversation_kind::personal, {}, nullptr, nullptr, &dialog};
    test_channel helpdesk{store, store, test::conversation_kind::channel, {}, nullptr, nullptr, &dialog};

    esc::helpdesk_hooks hooks()
    {
        esc::helpdesk_hooks h;
        h.is_member = [](const bot::schema::activity& a) { return a.from.aad_object_id == helpdesk_oid; };
        h.card = [this](const esc::escalation& e) { return channel_sink.card_of(e); };
        return h;
    }

    std::vector<ports::outbox_delivery> due()
    {
        auto r = test::run_sync(store.take_due(std::numeric_limits<std::int64_t>::max() / 4, std::numeric_limits<std::int64_t>::max() / 4, 100));
        return r ? *r : std::vector<ports::outbox_delivery>{};
    }

    /// Delivers every due outbox row with the channel / user sinks (what the worker does).
    void deliver_all()
    {
        auto due = test::run_sync(store.take_due(std::numeric_limits<std::int64_t>::max() / 4, std::numeric_limits<std::int64_t>::max() / 4, 100));
        for (const auto& d : *due) {
            ports::escalation_event e;
            e.delivery_id = d.id;
            e.escalation_id = d.payload["escalationId"];
            e.event = d.payload["event"];
            e.actor_name = d.payload["actorName"];
            e.message = d.payload["message"];
            e.external_id = d.payload["externalId"];
            ports::escalation_sink& sink = d.sink == "teams-user" ? static_cast<ports::escalation_sink&>(user_sink) : channel_sink;
            auto r = test::run_sync(sink.deliver(e));
            ASSERT_EQ(r.outcome, ports::delivery_outcome::delivered) << r.error_id << " " << r.detail;
            test::run_sync(store.record_attempt(d.id, "delivered", 0, "", r.external_id));
            if (d.sink == "teams-channel" && e.external_id.empty()) {
                ASSERT_TRUE(test::run_sync(service.add_ticket(e.escalation_id, {"teams-channel", r.external_id, ""})));
            }
        }
    }
};

} // namespace

TEST(Escalation, TheHelpdeskActsFromTheChannelCardAndTheUserIsTold)
{
    helpdesk_rig r;
    r.user.deliver(r.user.message("We can't chat with anna@fabrikam.com"));
    const std::size_t a = r.user.sent().size() - 1;
    r.user.deliver(r.user.invoke(test_channel::button(r.user.card(a), "Ask IT to allow fabrikam.com"), r.user.sent_id(a)));
    const std::size_t c = r.user.sent().size() - 1;
    r.user.deliver(r.user.invoke(test_channel::button(r.user.card(c), "Send to IT"), r.user.sent_id(c), {{"summary", "Allow fabrikam.com please"}}));

    r.deliver_all();
    // The card went to the helpdesk channel as a new thread.
    const auto created = std::find_if(r.connector.activities.begin(), r.connector.activities.end(), [](const auto& s) { return s.kind == "create"; });
    ASSERT_NE(created, r.connector.activities.end());
    EXPECT_EQ(created->activity.raw["channelData"]["channel"]["id"], "19:helpdesk@thread.tacv2");
    const json card = created->activity.raw["activity"]["attachments"][0]["content"];
    EXPECT_NE(card_text(card).find("Allow fabrikam.com please"), std::string::npos) << card_text(card);
    EXPECT_EQ(test_channel::buttons(card), (std::vector<std::string>{"Acknowledge", "Send reply", "Resolve"}));

    // Someone outside the helpdesk: refused, nothing changes.
    r.helpdesk.act_as("29:other", "Other Person", "0a1b2c3d-0000-4000-8000-0000000000ff");
    auto refused = r.helpdesk.deliver(r.helpdesk.invoke(test_channel::button(card, "Acknowledge"), "root"));
    EXPECT_NE(refused.invoke->body.dump().find("Only the helpdesk"), std::string::npos) << refused.invoke->body.dump();

    // The helpdesk picks it up, replies, resolves; the card is updated in place each time.
    r.helpdesk.act_as("29:agent", "Diego Siciliani", helpdesk_oid);
    auto acked = r.helpdesk.deliver(r.helpdesk.invoke(test_channel::button(card, "Acknowledge"), "root"));
    const json acked_card = acked.invoke->body.at("value");
    EXPECT_NE(card_text(acked_card).find("Picked up by the helpdesk"), std::string::npos) << card_text(acked_card);
    auto replied = r.helpdesk.deliver(r.helpdesk.invoke(test_channel::button(acked_card, "Send reply"), "root", {{"reply", "Allowed, give it an hour."}}));
    const json replied_card = replied.invoke->body.at("value");
    EXPECT_NE(card_text(replied_card).find("Allowed, give it an hour."), std::string::npos);
    auto resolved = r.helpdesk.deliver(r.helpdesk.invoke(test_channel::button(replied_card, "Resolve"), "root"));
    EXPECT_TRUE(test_channel::buttons(resolved.invoke->body.at("value")).empty()) << "a resolved request has no buttons";
    EXPECT_NE(card_text(resolved.invoke->body.at("value")).find("Resolved"), std::string::npos);

    r.deliver_all();
    std::vector<std::string> told;
    int updates = 0;
    for (const auto& s : r.connector.activities) {
        if (s.kind == "send")
            told.push_back(s.activity.text);
        updates += s.kind == "update";
    }
    ASSERT_EQ(told.size(), 3u);
    EXPECT_NE(told[0].find("Diego Siciliani from the IT helpdesk picked up your request"), std::string::npos) << told[0];
    EXPECT_NE(told[1].find("Allowed, give it an hour."), std::string::npos) << told[1];
    EXPECT_NE(told[2].find("is resolved"), std::string::npos) << told[2];
    EXPECT_EQ(updates, 3) << "the channel card follows every change (PUT into the thread)";

    // The user's status view agrees.
    r.user.deliver(r.user.message("what's the status of my request?"));
    EXPECT_NE(card_text(r.user.last_card()).find("Resolved"), std::string::npos);
    EXPECT_NE(card_text(r.user.last_card()).find("Allowed, give it an hour."), std::string::npos);
}

TEST(Escalation, ForgedHelpdeskCardDataChangesNothing)
{
    helpdesk_rig r;
    r.user.deliver(r.user.message("We can't chat with anna@fabrikam.com"));
    const std::size_t a = r.user.sent().size() - 1;
    r.user.deliver(r.user.invoke(test_channel::button(r.user.card(a), "Ask IT to allow fabrikam.com"), r.user.sent_id(a)));
    const std::size_t c = r.user.sent().size() - 1;
    r.user.deliver(r.user.invoke(test_channel::button(r.user.card(c), "Send to IT"), r.user.sent_id(c)));
    r.deliver_all();
    const auto created = std::find_if(r.connector.activities.begin(), r.connector.activities.end(), [](const auto& s) { return s.kind == "create"; });
    ASSERT_NE(created, r.connector.activities.end());
    json resolve = test_channel::button(created->activity.raw["activity"]["attachments"][0]["content"], "Resolve");
    ASSERT_FALSE(resolve.is_null());

    // A helpdesk member's click with an edited escalation id (another user's request) is refused.
    r.helpdesk.act_as("29:agent", "Diego Siciliani", helpdesk_oid);
    resolve["data"]["ab"]["args"]["id"] = "esc-000000000000";
    auto out = r.helpdesk.deliver(r.helpdesk.invoke(resolve, "root"));
    EXPECT_NE(out.invoke->body.dump().find("couldn't verify"), std::string::npos) << out.invoke->body.dump();
    EXPECT_TRUE(r.due().empty()) << "no event, no notification";
    r.user.deliver(r.user.message("my requests"));
    EXPECT_NE(card_text(r.user.last_card()).find("Waiting for the helpdesk"), std::string::npos) << "still open";
}
