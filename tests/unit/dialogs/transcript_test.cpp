// Transcript tests: every conversation flow of issue 4 through the real turn adapter, the dialogs
// runner and a real store (memory, or SQLite where a restart is part of the story), with the
// Connector recorded at the edge (tests/support/test_channel.hpp).

#include "adapters/storage/sqlite_storage.hpp"
#include "knowledge/articles/importer.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_channel.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

using namespace ab;
using ab::test::card_text;
using ab::test::conversation_kind;
using ab::test::test_channel;
using json = nlohmann::json;
namespace kn = ab::knowledge;

namespace {

const std::string& title_of(kn::intent i, kn::lang l)
{
    return ab::test::builtin_content().answer(i, l)->title;
}

const std::string& ui(std::string_view key, kn::lang l = kn::lang::en)
{
    return ab::test::builtin_content().ui(key, l);
}

/// The first TextBlock with weight Bolder/size Large: the card's heading.
std::string heading_of(const json& card)
{
    for (const auto& b : card.at("body"))
        if (b.value("type", "") == "TextBlock" && b.value("size", "") == "Large")
            return b.value("text", "");
    return {};
}

class Transcript : public ::testing::Test {
protected:
    adapters::storage::memory_storage store_;
};

json stored_state(adapters::storage::memory_storage& s, const std::string& key)
{
    auto r = ab::test::run_sync(s.load(key));
    EXPECT_TRUE(r);
    return r && *r ? json{{"value", (*r)->value}, {"etag", (*r)->etag}} : json();
}

std::string conversation_key(test_channel& ch)
{
    return "conversation/msteams/" + ch.conversation_id();
}

} // namespace

// --- answer: one card per intent, in the asker's language ----------------------------------------

TEST_F(Transcript, AnswersEachTopicWithItsCardInTheUsersLanguage)
{
    struct q {
        const char* text;
        kn::intent topic;
        kn::lang lang;
    };
    const q questions[] = {
        {"How can I chat with someone at another company that also uses Teams?", kn::intent::external_access, kn::lang::en},
        {"How do I add a guest to my team so she can open our files?", kn::intent::guest_access, kn::lang::en},
        {"What is the difference between external access and guest access?", kn::intent::access_comparison, kn::lang::en},
        {"How do I set up a shared channel with another organization?", kn::intent::shared_channels, kn::lang::en},
        {"Can I chat with someone who uses a personal Teams account?", kn::intent::consumer_chat, kn::lang::en},
        {"How do I let people from another company skip the lobby in my meeting?", kn::intent::external_meeting, kn::lang::en},
        {"Hoe voeg ik een gast toe aan mijn team?", kn::intent::guest_access, kn::lang::nl},
        {"Hur chattar jag i Teams med någon på ett annat företag?", kn::intent::external_access, kn::lang::sv},
        {"Wie lade ich einen Gast in mein Team ein?", kn::intent::guest_access, kn::lang::de},
        {"Comment discuter sur Teams avec quelqu'un d'une autre entreprise ?", kn::intent::external_access, kn::lang::fr},
        {"¿Cómo invito a un invitado a mi equipo de Teams?", kn::intent::guest_access, kn::lang::es},
    };
    test_channel ch(store_, store_);
    std::size_t n = 0;
    for (const auto& [text, topic, lang] : questions) {
        const auto out = ch.deliver(ch.message(text));
        ASSERT_EQ(out.sent, 1u) << text;
        ASSERT_EQ(ch.sent().size(), ++n);
        const json card = ch.last_card();
        EXPECT_EQ(heading_of(card), title_of(topic, lang)) << text;
        // Every answer card offers feedback and Ask IT.
        const auto buttons = test_channel::buttons(card);
        EXPECT_NE(std::find(buttons.begin(), buttons.end(), ui("helpful_yes", lang)), buttons.end()) << text;
        const auto& ask = topic == kn::intent::access_comparison ? ui("ask_helpdesk", lang) : ui("ask_it", lang);
        EXPECT_NE(std::find(buttons.begin(), buttons.end(), ask), buttons.end()) << text;
        EXPECT_NE(card_text(card).find(ui("setting_label", lang)), std::string::npos) << text;
    }
}

TEST_F(Transcript, AdminsGetTheCommandAndADomainFlowsIntoTheCard)
{
    test_channel ch(store_, store_);
    ch.deliver(ch.message("As the Teams admin, how do I allow the domain fabrikam.com in external access with PowerShell?"));
    const json card = ch.last_card();
    EXPECT_EQ(heading_of(card), title_of(kn::intent::external_access, kn::lang::en));
    const std::string text = card_text(card);
    EXPECT_NE(text.find("Set-CsTenantFederationConfiguration"), std::string::npos) << text;
    EXPECT_NE(text.find("fabrikam.com"), std::string::npos) << text;
    EXPECT_EQ(text.find("{domain}"), std::string::npos) << text;
    // Admins are IT: the card takes them to the setting instead of offering to ask IT.
    EXPECT_TRUE(test_channel::button(card, "Ask IT to allow fabrikam.com").is_null()) << card.dump();
    EXPECT_NE(card.dump().find("\"Action.OpenUrl\""), std::string::npos);

    // A user asking the same gets the user steps, no PowerShell, and Ask IT pre-filled.
    ch.deliver(ch.message("I can't find my contact at fabrikam.com when I search for her in Teams"));
    const json user_card = ch.last_card();
    EXPECT_EQ(card_text(user_card).find("Set-Cs"), std::string::npos);
    EXPECT_FALSE(test_channel::button(user_card, "Ask IT to allow fabrikam.com").is_null()) << user_card.dump();
}

TEST_F(Transcript, AnswerCardsCiteImportedArticles)
{
    // A small article in the layout of Microsoft's docs repositories (our own text), imported like
    // `access-bot kb import` does.
    ab::test::temp_dir tree;
    tree.write("en-US/OfficeDocs-SkypeForBusiness/Teams/add-guests.md",
               "---\ntitle: Add guests to a team\nms.date: 03/15/2021\n---\n# Add guests to a team\n\n"
               "A team owner can add a person from outside the organization as a guest, who then sees the team's "
               "channels and files.\n\n## Before you start\n\nGuest access must be turned on in the Teams admin center.\n");
    ab::test::temp_dir data;
    auto index = kn::articles::article_index::open(data.path() / "knowledge.sqlite");
    ASSERT_EQ(kn::articles::import_tree(*index, ab::test::builtin_classifier(), tree.path()).imported, 1u);

    test_channel ch(store_, store_, conversation_kind::personal, {}, index.get());
    ch.deliver(ch.message("How do I add a guest to my team so she can open our files?"));
    const std::string text = card_text(ch.last_card());
    EXPECT_NE(text.find(ui("sources_label")), std::string::npos) << text;
    EXPECT_NE(text.find("](https://learn.microsoft.com/en-us/microsoftteams/add-guests"), std::string::npos) << text;
}

// --- clarify ------------------------------------------------------------------------------------

TEST_F(Transcript, ClarifiesAndContinuesFromAClick)
{
    test_channel ch(store_, store_);
    ch.deliver(ch.message("I need to work with a consultant from Fabrikam"));
    const json question = ch.last_card();
    ASSERT_EQ(heading_of(question), ui("clarify_title")) << question.dump();
    EXPECT_TRUE(stored_state(store_, conversation_key(ch))["value"]["clarify"].is_object());

    const json chat_only = test_channel::button(question, ui("clarify_chat_only"));
    const auto out = ch.deliver(ch.invoke(chat_only, ch.sent_id(0)));
    ASSERT_TRUE(out.invoke);
    EXPECT_EQ(out.invoke->status, 200);
    ASSERT_EQ(out.invoke->body.value("type", ""), "application/vnd.microsoft.card.adaptive");
    const json answer = out.invoke->body.at("value");
    EXPECT_EQ(heading_of(answer), title_of(kn::intent::external_access, kn::lang::en));
    EXPECT_NE(card_text(answer).find(ui("clarify_choice_external")), std::string::npos);
    EXPECT_TRUE(stored_state(store_, conversation_key(ch))["value"]["clarify"].is_null());

    // The other button of the same question, later: stale, nothing changes.
    const json before = stored_state(store_, conversation_key(ch));
    const auto again = ch.deliver(ch.invoke(test_channel::button(question, ui("clarify_collaborate")), ch.sent_id(0)));
    ASSERT_TRUE(again.invoke);
    EXPECT_EQ(again.invoke->body.value("value", ""), ui("stale_click"));
    EXPECT_EQ(stored_state(store_, conversation_key(ch))["value"]["clarify"], before["value"]["clarify"]);
    EXPECT_EQ(ch.sent().size(), 1u);
}

TEST_F(Transcript, ClarifiesAndContinuesFromASubmitFallback)
{
    test_channel ch(store_, store_);
    ch.deliver(ch.message("We have a freelancer from contoso.com joining our project, what should I set up?"));
    const json question = ch.last_card();
    ASSERT_EQ(heading_of(question), ui("clarify_title")) << question.dump();
    ch.deliver(ch.submit(test_channel::button(question, ui("clarify_collaborate")), ch.sent_id(0)));
    ASSERT_EQ(ch.sent().size(), 2u);
    EXPECT_EQ(ch.sent()[1].kind, "reply");
    const json answer = ch.card(1);
    EXPECT_EQ(heading_of(answer), title_of(kn::intent::guest_access, kn::lang::en));
    EXPECT_NE(card_text(answer).find("contoso.com"), std::string::npos) << card_text(answer);
}

TEST_F(Transcript, ClarifiesAndContinuesFromATypedAnswer)
{
    test_channel ch(store_, store_);
    ch.deliver(ch.message("I need to work with a consultant from Fabrikam"));
    ASSERT_EQ(heading_of(ch.last_card()), ui("clarify_title"));
    ch.deliver(ch.message("just chat"));
    EXPECT_EQ(heading_of(ch.last_card()), title_of(kn::intent::external_access, kn::lang::en));

    ch.deliver(ch.message("I need to work with a consultant from Fabrikam"));
    ASSERT_EQ(heading_of(ch.last_card()), ui("clarify_title"));
    ch.deliver(ch.message("she needs the files in our team's channels"));
    EXPECT_EQ(heading_of(ch.last_card()), title_of(kn::intent::guest_access, kn::lang::en));

    // Something that answers neither: asked again, still waiting.
    ch.deliver(ch.message("I need to work with a consultant from Fabrikam"));
    ch.deliver(ch.message("hmm"));
    EXPECT_EQ(card_text(ch.last_card()), ui("clarify_again") + "\n");
    EXPECT_TRUE(stored_state(store_, conversation_key(ch))["value"]["clarify"].is_object());
}

TEST_F(Transcript, ClarificationSurvivesARestart)
{
    ab::test::temp_dir dir;
    std::string question_id;
    json question;
    {
        auto db = adapters::storage::sqlite_storage::open(dir.path() / "state.sqlite");
        test_channel ch(*db, *db);
        ch.deliver(ch.message("I need to work with a consultant from Fabrikam"));
        question = ch.last_card();
        ASSERT_EQ(heading_of(question), ui("clarify_title"));
        question_id = ch.sent_id(0);
    } // the process ends
    auto db = adapters::storage::sqlite_storage::open(dir.path() / "state.sqlite");
    test_channel restarted(*db, *db);
    const auto out = restarted.deliver(restarted.invoke(test_channel::button(question, ui("clarify_collaborate")), question_id));
    ASSERT_TRUE(out.invoke);
    EXPECT_EQ(heading_of(out.invoke->body.at("value")), title_of(kn::intent::guest_access, kn::lang::en));
}

TEST_F(Transcript, AClarificationLapses)
{
    auto now = std::chrono::system_clock::now();
    ab::dialogs::runner_options o;
    o.clock = [&] { return now; };
    test_channel ch(store_, store_, conversation_kind::personal, o);
    ch.deliver(ch.message("I need to work with a consultant from Fabrikam"));
    const json question = ch.last_card();
    now += std::chrono::hours(25);
    const auto out = ch.deliver(ch.invoke(test_channel::button(question, ui("clarify_chat_only")), ch.sent_id(0)));
    ASSERT_TRUE(out.invoke);
    EXPECT_EQ(out.invoke->body.value("value", ""), ui("stale_click"));
}

// --- out of scope, help, welcome ------------------------------------------------------------------

TEST_F(Transcript, OutOfScopeIsPoliteAndOffersHelpAndTheHelpdesk)
{
    test_channel ch(store_, store_);
    for (const char* text : {"My printer on the third floor is jammed again", "What is the password for the guest Wi-Fi?"}) {
        ch.deliver(ch.message(text));
        const json card = ch.last_card();
        EXPECT_EQ(heading_of(card), ui("out_of_scope_title")) << text;
        EXPECT_FALSE(test_channel::button(card, ui("help_button")).is_null());
        EXPECT_FALSE(test_channel::button(card, ui("ask_helpdesk")).is_null());
    }
}

TEST_F(Transcript, WelcomesOnceOnInstallAndHelpsOnGreetings)
{
    test_channel ch(store_, store_);
    ch.deliver(ch.installed());
    ch.deliver(ch.bot_added()); // Teams and the Playground send both
    ASSERT_EQ(ch.sent().size(), 1u);
    const json welcome = ch.last_card();
    EXPECT_EQ(heading_of(welcome), ui("welcome_title"));
    EXPECT_EQ(test_channel::buttons(welcome).size(), 4u); // three examples + help

    // An example button asks its question.
    ch.deliver(ch.invoke(test_channel::button(welcome, ui("help_example_2")), ch.sent_id(0)));
    EXPECT_EQ(heading_of(ch.last_card()), title_of(kn::intent::guest_access, kn::lang::en));

    ch.deliver(ch.message("hi"));
    EXPECT_EQ(heading_of(ch.last_card()), ui("help_title"));
    ch.deliver(ch.message("hallo, wat kun je?"));
    EXPECT_EQ(heading_of(ch.last_card()), ui("help_title", kn::lang::nl));
}

TEST_F(Transcript, TheAnswerLanguageCanBeChosen)
{
    test_channel ch(store_, store_);
    ch.deliver(ch.message("help"));
    const json help = ch.last_card();
    ASSERT_EQ(heading_of(help), ui("help_title"));
    const auto out = ch.deliver(ch.invoke(test_channel::button(help, ui("language_save")), ch.sent_id(0), {{"language", "sv"}}));
    ASSERT_TRUE(out.invoke);
    EXPECT_EQ(out.invoke->body.value("value", ""), ui("language_saved", kn::lang::sv));
    ch.deliver(ch.message("How do I add a guest to my team?"));
    EXPECT_EQ(heading_of(ch.last_card()), title_of(kn::intent::guest_access, kn::lang::sv));

    // A value that is not one of the choices changes nothing.
    ch.deliver(ch.invoke(test_channel::button(help, ui("language_save")), ch.sent_id(0), {{"language", "xx"}}));
    ch.deliver(ch.message("How do I add a guest to my team?"));
    EXPECT_EQ(heading_of(ch.last_card()), title_of(kn::intent::guest_access, kn::lang::sv));

    ch.deliver(ch.submit(test_channel::button(help, ui("language_save")), ch.sent_id(0), {{"language", "auto"}}));
    ch.deliver(ch.message("How do I add a guest to my team?"));
    EXPECT_EQ(heading_of(ch.last_card()), title_of(kn::intent::guest_access, kn::lang::en));
}

// --- feedback -------------------------------------------------------------------------------------

TEST_F(Transcript, FeedbackIsStoredOncePerAnswer)
{
    test_channel ch(store_, store_);
    ch.deliver(ch.message("How do I add a guest to my team?"));
    const json card = ch.last_card();
    const auto out = ch.deliver(ch.invoke(test_channel::button(card, ui("helpful_yes")), ch.sent_id(0)));
    ASSERT_TRUE(out.invoke);
    const json refreshed = out.invoke->body.at("value");
    EXPECT_NE(card_text(refreshed).find(ui("feedback_thanks")), std::string::npos);
    EXPECT_TRUE(test_channel::button(refreshed, ui("helpful_yes")).is_null()); // the buttons are gone

    // The other button of the old card (the client still shows it to others, or retries).
    const auto again = ch.deliver(ch.invoke(test_channel::button(card, ui("helpful_no")), ch.sent_id(0)));
    EXPECT_EQ(again.invoke->body.value("value", ""), ui("feedback_already"));

    auto records = ab::test::run_sync(store_.list("feedback", 0, 10));
    ASSERT_TRUE(records);
    ASSERT_EQ(records->size(), 1u);
    EXPECT_EQ(records->front().data.value("answer", ""), "yes");
    EXPECT_EQ(records->front().data.value("intent", ""), "guest_access");
    EXPECT_EQ(records->front().data.value("lang", ""), "en");
}

TEST_F(Transcript, FeedbackFromTheSubmitFallbackUpdatesTheCardInPlace)
{
    test_channel ch(store_, store_);
    ch.deliver(ch.message("How do I add a guest to my team?"));
    ch.deliver(ch.submit(test_channel::button(ch.last_card(), ui("helpful_no")), ch.sent_id(0)));
    ASSERT_EQ(ch.sent().size(), 2u);
    EXPECT_EQ(ch.sent()[1].kind, "update");
    EXPECT_EQ(ch.sent()[1].reply_to_id, ch.sent_id(0)); // the card's own id
    EXPECT_NE(card_text(ch.card(1)).find(ui("feedback_thanks_no")), std::string::npos);
    auto records = ab::test::run_sync(store_.list("feedback", 0, 10));
    ASSERT_EQ(records->size(), 1u);
    EXPECT_EQ(records->front().data.value("answer", ""), "no");
}

TEST_F(Transcript, AskItUsesTheEscalationSeam)
{
    test_channel ch(store_, store_);
    ch.deliver(ch.message("How do I add a guest to my team?"));
    const auto out = ch.deliver(ch.invoke(test_channel::button(ch.last_card(), ui("ask_it")), ch.sent_id(0)));
    ASSERT_EQ(ch.sent().size(), 2u);
    EXPECT_NE(card_text(ch.last_card()).find(ui("escalate_unavailable")), std::string::npos);
    ASSERT_TRUE(out.invoke);
    EXPECT_EQ(out.invoke->status, 200);
}

// --- delivery: duplicates, concurrency, restarts ---------------------------------------------------

TEST_F(Transcript, ARedeliveredActivityIsAnsweredOnceAlsoAfterARestart)
{
    ab::test::temp_dir dir;
    auto db = adapters::storage::sqlite_storage::open(dir.path() / "state.sqlite");
    json message;
    {
        test_channel ch(*db, *db);
        message = ch.message("How do I add a guest to my team?");
        ch.deliver(message);
        ch.deliver(message); // the channel retries
        EXPECT_EQ(ch.sent().size(), 1u);
    }
    test_channel restarted(*db, *db); // new process: its in-memory de-duplication is empty
    const auto out = restarted.deliver(message);
    EXPECT_EQ(restarted.sent().size(), 0u);
    EXPECT_EQ(out.sent, 0u);
}

TEST_F(Transcript, ConcurrentTurnsInOneConversationRunOneAfterTheOther)
{
    ab::test::temp_dir dir;
    auto db = adapters::storage::sqlite_storage::open(dir.path() / "state.sqlite"); // real suspensions
    test_channel ch(*db, *db);
    std::vector<json> messages;
    for (int i = 0; i < 6; ++i)
        messages.push_back(ch.message(i % 2 ? "How do I add a guest to my team?" : "How can I chat with people at another company?"));
    net::io_context ioc;
    std::vector<std::future<bot::turn::turn_outcome>> results;
    for (const auto& m : messages) {
        auto parsed = bot::schema::parse_activity(m.dump());
        ASSERT_TRUE(parsed);
        results.push_back(net::co_spawn(ioc, ch.process(std::move(*parsed)), net::use_future));
    }
    ioc.run();
    for (auto& r : results)
        EXPECT_EQ(r.get().what, bot::turn::turn_outcome::kind::handled);
    EXPECT_EQ(ch.sent().size(), 6u);
    auto loaded = ab::test::run_sync(db->load(conversation_key(ch)));
    ASSERT_TRUE(loaded && *loaded);
    const json state = (*loaded)->value;
    for (const auto& m : messages) // every turn saw the state the one before it saved
        EXPECT_NE(std::find(state["recent_activities"].begin(), state["recent_activities"].end(), m["id"]), state["recent_activities"].end());
}

// --- group chats and channels ---------------------------------------------------------------------

TEST_F(Transcript, GroupChatsAndChannelsAnswerTheMentionInTheThread)
{
    for (auto kind : {conversation_kind::group, conversation_kind::channel}) {
        adapters::storage::memory_storage store;
        test_channel ch(store, store, kind);
        const json m = ch.message("Hoe voeg ik een gast toe aan mijn team?");
        ch.deliver(m);
        ASSERT_EQ(ch.sent().size(), 1u);
        EXPECT_EQ(heading_of(ch.last_card()), title_of(kn::intent::guest_access, kn::lang::nl));
        EXPECT_EQ(ch.sent()[0].reply_to_id, m["id"]);                // a reply to that message: its thread
        EXPECT_EQ(ch.sent()[0].conversation_id, ch.conversation_id()); // channel: "…;messageid=…"
        ch.deliver(ch.message("")); // only the mention
        EXPECT_EQ(heading_of(ch.last_card()), ui("help_title"));
    }
}

// --- bad input: tampered or unknown card data --------------------------------------------------------

TEST_F(Transcript, TamperedOrForeignCardDataChangesNothing)
{
    test_channel ch(store_, store_);
    ch.deliver(ch.message("I need to work with a consultant from Fabrikam"));
    const json question = ch.last_card();
    const json before = stored_state(store_, conversation_key(ch));

    json edited = test_channel::button(question, ui("clarify_chat_only"));
    edited["data"]["ab"]["args"]["choice"] = "guest"; // the other answer, without re-signing
    json unknown_dialog = edited;
    unknown_dialog["data"] = ch.signer().sign("open_the_pod_bay_doors", "c0ffee");
    json other_key = edited;
    other_key["data"] = ab::dialogs::action_signer("another-bots-signing-key-000000").sign("clarify", "c0ffee", {{"choice", "guest"}});
    json not_ours = edited;
    not_ours["data"] = {{"action", "guest"}};
    json wrong_verb = test_channel::button(question, ui("clarify_chat_only"));

    std::size_t replies = ch.sent().size();
    for (const json& action : {edited, unknown_dialog, other_key, not_ours}) {
        const auto out = ch.deliver(ch.invoke(action, ch.sent_id(0)));
        ASSERT_TRUE(out.invoke);
        EXPECT_EQ(out.invoke->body.value("value", ""), ui("tampered")) << action.dump();
        ch.deliver(ch.submit(json{{"fallback", {{"data", action["data"]}}}}, ch.sent_id(0)));
        EXPECT_EQ(ch.sent().size(), ++replies);
        EXPECT_EQ(ch.sent().back().activity.text, ui("tampered"));
    }
    // The verb outside the signed data edited.
    json invoke = ch.invoke(wrong_verb, ch.sent_id(0));
    invoke["value"]["action"]["verb"] = "helpful";
    EXPECT_EQ(ch.deliver(invoke).invoke->body.value("value", ""), ui("tampered"));

    EXPECT_EQ(stored_state(store_, conversation_key(ch)), before); // same value, same ETag
    EXPECT_TRUE(ab::test::run_sync(store_.list("feedback", 0, 10))->empty());
}

// --- storage trouble ----------------------------------------------------------------------------------

namespace {

/// A store whose saves conflict `conflicts` times (another instance saving in between).
class conflicting_store : public ab::bot::ports::state_store {
public:
    conflicting_store(adapters::storage::memory_storage& inner, int conflicts) : inner_(inner), conflicts_(conflicts) {}
    task<boost::system::result<std::optional<ab::bot::ports::stored_document>>> load(std::string key) override
    {
        auto r = co_await inner_.load(std::move(key));
        co_return r;
    }
    task<boost::system::result<std::string>> save(std::string key, nlohmann::json value, ab::bot::ports::etag_match expected) override
    {
        if (key.rfind("conversation/", 0) == 0 && conflicts_ > 0) {
            --conflicts_;
            ++saves_refused;
            co_return ab::bot::ports::storage_errc::conflict;
        }
        auto r = co_await inner_.save(std::move(key), std::move(value), std::move(expected));
        co_return r;
    }
    task<boost::system::result<void>> erase(std::string key, ab::bot::ports::etag_match expected) override
    {
        auto r = co_await inner_.erase(std::move(key), std::move(expected));
        co_return r;
    }
    int saves_refused = 0;

private:
    adapters::storage::memory_storage& inner_;
    int conflicts_;
};

} // namespace

TEST_F(Transcript, AnETagConflictRerunsTheTurnOnceThenApologizes)
{
    conflicting_store once(store_, 1);
    test_channel ch(once, store_);
    const auto ok = ch.deliver(ch.message("How do I add a guest to my team?"));
    EXPECT_EQ(ok.what, bot::turn::turn_outcome::kind::handled);
    EXPECT_EQ(once.saves_refused, 1);
    ASSERT_EQ(ch.sent().size(), 1u); // one answer, not two
    EXPECT_EQ(heading_of(ch.last_card()), title_of(kn::intent::guest_access, kn::lang::en));

    conflicting_store always(store_, 100);
    test_channel busy(always, store_);
    const auto failed = busy.deliver(busy.message("How do I add a guest to my team?"));
    EXPECT_EQ(failed.what, bot::turn::turn_outcome::kind::failed);
    ASSERT_EQ(busy.sent().size(), 1u);
    EXPECT_EQ(busy.sent()[0].activity.text, ui("apology"));
}
