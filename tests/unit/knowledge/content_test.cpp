#include "knowledge/content.hpp"

#include "tests/support/shared_engine.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using namespace ab::knowledge;

TEST(Content, BuiltinContentIsComplete)
{
    // Fails if any intent lacks answer text, steps or utterances in a supported language, if a UI
    // string is missing in a language, or a setting lacks a localized name.
    const auto problems = ab::test::builtin_content().problems();
    for (const auto& p : problems)
        ADD_FAILURE() << p;
}

TEST(Content, EveryIntentHasAnswerTextInEveryLanguage)
{
    const auto& c = ab::test::builtin_content();
    for (lang l : {lang::en, lang::nl, lang::sv, lang::de, lang::fr, lang::es}) {
        for (std::size_t i = 0; i < intent_count; ++i) {
            const answer_text* a = c.answer(static_cast<intent>(i), l);
            ASSERT_NE(a, nullptr);
            EXPECT_FALSE(a->title.empty()) << lang_code(l) << " " << intent_names[i];
            EXPECT_LE(a->title.size(), 90u) << "card titles must stay short: " << a->title;
        }
        EXPECT_NE(c.ui("clarify_question", l), "clarify_question");
    }
}

TEST(Content, UtterancesAreNotDuplicated)
{
    std::map<std::pair<lang, std::string>, intent> seen;
    for (const auto& u : ab::test::builtin_content().utterances()) {
        const auto key = std::make_pair(u.language, fold(u.text));
        auto [it, inserted] = seen.emplace(key, u.label);
        if (!inserted && it->second != u.label)
            ADD_FAILURE() << "'" << u.text << "' is labelled both " << intent_name(it->second) << " and " << intent_name(u.label);
    }
}

TEST(Content, SettingsCatalogCoversTheProductList)
{
    const auto& c = ab::test::builtin_content();
    for (const char* id : {"teams_federation", "teams_allowed_domain", "teams_consumer_chat", "teams_guest_access",
                           "entra_guest_invitations", "m365_groups_guest_settings", "sharepoint_sharing_level",
                           "b2b_direct_connect", "teams_anonymous_meeting_join"}) {
        const setting* s = c.find_setting(id);
        ASSERT_NE(s, nullptr) << id;
        EXPECT_FALSE(s->deep_link.empty()) << id;
        EXPECT_TRUE(s->executor == "graph" || s->executor == "runbook") << id;
    }
    // Facts from reference/admin-apis.md: no Graph write API for Teams federation or the guest switch.
    EXPECT_EQ(c.find_setting("teams_federation")->executor, "runbook");
    EXPECT_EQ(c.find_setting("teams_guest_access")->executor, "runbook");
    EXPECT_EQ(c.find_setting("entra_guest_invitations")->executor, "graph");
    EXPECT_EQ(c.find_setting("teams_federation")->deep_link,
              "https://admin.teams.microsoft.com/company-wide-settings/external-communications");
}

namespace {
void copy_builtin_to(const ab::test::temp_dir& dir)
{
    const std::filesystem::path src = std::filesystem::path(AB_SOURCE_DIR) / "knowledge" / "data";
    std::filesystem::copy(src, dir.path(), std::filesystem::copy_options::recursive);
}
} // namespace

TEST(Content, LoadsFromADirectory)
{
    ab::test::temp_dir dir;
    copy_builtin_to(dir);
    const content c = content::from_directory(dir.path());
    EXPECT_EQ(c.utterances().size(), ab::test::builtin_content().utterances().size());
}

TEST(Content, MalformedFilesGiveAClearError)
{
    ab::test::temp_dir dir;
    copy_builtin_to(dir);
    dir.write("sv/answers.json", "{ \"intents\": ");
    try {
        (void)content::from_directory(dir.path());
        FAIL() << "expected content_error";
    } catch (const content_error& e) {
        EXPECT_NE(std::string(e.what()).find("[content.bad_json] sv/answers.json"), std::string::npos) << e.what();
    }
    dir.write("sv/answers.json", R"({"intents": {"external_access": {"title": 3}}})");
    EXPECT_THROW((void)content::from_directory(dir.path()), content_error);
    dir.write("sv/answers.json", R"({"intents": {"no_such_intent": {}}})");
    EXPECT_THROW((void)content::from_directory(dir.path()), content_error);
    std::filesystem::remove(dir.path() / "sv" / "answers.json");
    try {
        (void)content::from_directory(dir.path());
        FAIL() << "expected content_error";
    } catch (const content_error& e) {
        EXPECT_NE(std::string(e.what()).find("[content.missing_file]"), std::string::npos) << e.what();
    }
}

TEST(Content, MissingTranslationIsReportedAsAProblem)
{
    ab::test::temp_dir dir;
    copy_builtin_to(dir);
    dir.write("es/answers.json", R"({"intents": {}, "ui": {}})");
    const content c = content::from_directory(dir.path());
    const auto problems = c.problems();
    EXPECT_FALSE(problems.empty());
    bool found = false;
    for (const auto& p : problems)
        found |= p.find("es: no answer text for guest_access") != std::string::npos;
    EXPECT_TRUE(found);
    // Falls back to English rather than showing nothing.
    ASSERT_NE(c.answer(intent::guest_access, lang::es), nullptr);
    EXPECT_EQ(c.answer(intent::guest_access, lang::es)->title, c.answer(intent::guest_access, lang::en)->title);
}
