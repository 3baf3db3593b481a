#include "knowledge/articles/importer.hpp"

#include "tests/support/shared_engine.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

using namespace ab::knowledge;
using namespace ab::knowledge::articles;
namespace fs = std::filesystem;

namespace {

// Small articles written for these tests, in the shapes of Microsoft's docs repositories.
const char* guest_article = R"(---
title: Add guests to a team
ms.date: 03/15/2021
ms.custom:
- "1234"
---
# Add guests to a team

A team owner can add a person from outside the organization as a guest. The guest gets an account in our directory.

## <a name="before"></a>Before you start

> [!NOTE]
> Guest access must be turned on in the Teams admin center first.

[!INCLUDE [shared](../includes/shared-note.md)]

| Setting | Where |
|:--|:--|
| Allow guest access in Teams | Users > Guest access |

See [managing guests](manage-guests.md#owners) and [the admin center](/MicrosoftTeams/teams-overview?view=o365-worldwide).
)";

const char* include_note = "Guests see the channels and files of the team they join.\n";

const char* sxs_article = "---\ntitle: Externe toegang\nms.contentlocale: nl-NL\n---\n"
    "# <a name=\"ext\"></a><span data-ttu-id=\"ab123-102\">Chatten met andere organisaties</span><span class=\"sxs-lookup\"><span data-stu-id=\"ab123-102\">Chat with other organizations</span></span>\n\n"
    "<span data-ttu-id=\"ab123-103\">Met externe toegang chat u met gebruikers van een ander domein.</span><span class=\"sxs-lookup\"><span data-stu-id=\"ab123-103\">With external access you chat with users of another domain.</span></span>\n";

struct fixture_tree {
    ab::test::temp_dir dir;
    fixture_tree()
    {
        dir.write("en-US/OfficeDocs-SkypeForBusiness/Teams/add-guests.md", guest_article);
        dir.write("en-US/OfficeDocs-SkypeForBusiness/includes/shared-note.md", include_note);
        dir.write("nl-NL/OfficeDocs-AlchemyInsights-pr.nl-NL@live-sxs/AlchemyInsights/external-access.md", sxs_article);
    }
};

} // namespace

TEST(Importer, UrlsFollowTheDocsetLayout)
{
    EXPECT_EQ(article_url("en-US/OfficeDocs-SkypeForBusiness/Teams/manage-external-access.md", "en-us"),
              "https://learn.microsoft.com/en-us/microsoftteams/manage-external-access");
    EXPECT_EQ(article_url("nl-NL/OfficeDocs-AlchemyInsights-pr.nl-NL/AlchemyInsights/Chat-with-External-Users.md", "nl-nl"),
              "https://learn.microsoft.com/nl-nl/alchemyinsights/chat-with-external-users");
    EXPECT_EQ(article_url("some/other/tree/x.md", "en-us"), "file:some/other/tree/x.md");
}

TEST(Importer, ResolvesLinkForms)
{
    const fs::path at = "de-DE/OfficeDocs-SkypeForBusiness.de-DE/Teams/manage-external-access.md";
    EXPECT_EQ(resolve_link("communicate-with-users-from-other-organizations.md#compare-external-and-guest-access", at, "de-de"),
              "https://learn.microsoft.com/de-de/microsoftteams/communicate-with-users-from-other-organizations#compare-external-and-guest-access");
    EXPECT_EQ(resolve_link("/MicrosoftTeams/guest-access?view=o365-worldwide", at, "de-de"),
              "https://learn.microsoft.com/de-de/microsoftteams/guest-access");
    EXPECT_EQ(resolve_link("https://docs.microsoft.com/microsoftteams/manage-guests#x", at, "de-de"),
              "https://learn.microsoft.com/de-de/microsoftteams/manage-guests#x");
    EXPECT_EQ(resolve_link("https://docs.microsoft.com/en-us/azure/active-directory/b2b/x?WT.mc_id=Portal", at, "de-de"),
              "https://learn.microsoft.com/en-us/azure/active-directory/b2b/x");
    EXPECT_EQ(resolve_link("#plan", at, "de-de"), "https://learn.microsoft.com/de-de/microsoftteams/manage-external-access#plan");
    EXPECT_EQ(resolve_link("https://aka.ms/TeamsFederationDiag", at, "de-de"), "https://aka.ms/TeamsFederationDiag");
}

TEST(Importer, ReadsAnArticleWithIncludesAlertsAndTables)
{
    fixture_tree t;
    const auto arts = read_article(t.dir.path(), t.dir.path() / "en-US/OfficeDocs-SkypeForBusiness/Teams/add-guests.md",
                                   ab::test::builtin_classifier());
    ASSERT_EQ(arts.size(), 1u);
    const auto& a = arts[0];
    EXPECT_EQ(a.title, "Add guests to a team");
    EXPECT_EQ(a.language, lang::en);
    EXPECT_EQ(a.url, "https://learn.microsoft.com/en-us/microsoftteams/add-guests");
    EXPECT_EQ(a.date, "20210315");
    ASSERT_EQ(a.sections.size(), 2u);
    EXPECT_EQ(a.sections[1].anchor, "before");
    EXPECT_NE(a.sections[1].body.find("Guest access must be turned on"), std::string::npos);
    EXPECT_EQ(a.sections[1].body.find("[!NOTE]"), std::string::npos);
    EXPECT_NE(a.sections[1].body.find("Guests see the channels and files"), std::string::npos) << "include expanded";
    EXPECT_NE(a.sections[1].body.find("Allow guest access in Teams | Users > Guest access"), std::string::npos);
    EXPECT_EQ(a.label, intent::guest_access);
    // Links are resolved: relative to the repository, site-relative and absolute forms.
    ASSERT_EQ(a.links.size(), 2u);
    EXPECT_EQ(a.links[0].url, "https://learn.microsoft.com/en-us/microsoftteams/manage-guests#owners");
    EXPECT_EQ(a.links[1].url, "https://learn.microsoft.com/en-us/microsoftteams/teams-overview");
}

TEST(Importer, BilingualFilesGiveTwoVersions)
{
    fixture_tree t;
    const auto arts = read_article(t.dir.path(),
                                   t.dir.path() / "nl-NL/OfficeDocs-AlchemyInsights-pr.nl-NL@live-sxs/AlchemyInsights/external-access.md",
                                   ab::test::builtin_classifier());
    ASSERT_EQ(arts.size(), 2u);
    EXPECT_EQ(arts[0].language, lang::nl);
    EXPECT_EQ(arts[0].title, "Externe toegang");
    EXPECT_NE(arts[0].sections[0].body.find("Met externe toegang"), std::string::npos);
    EXPECT_EQ(arts[1].language, lang::en);
    EXPECT_EQ(arts[1].variant, "english-sxs");
    EXPECT_EQ(arts[1].title, "Chat with other organizations");
    EXPECT_NE(arts[1].sections[0].body.find("With external access"), std::string::npos);
    EXPECT_LT(arts[1].priority, arts[0].priority);
}

TEST(Importer, IncludesCannotEscapeTheTree)
{
    ab::test::temp_dir outside;
    outside.write("secret.md", "TOP SECRET\n");
    fixture_tree t;
    const auto rel = fs::relative(outside.path() / "secret.md", t.dir.path() / "en-US/OfficeDocs-SkypeForBusiness/Teams");
    t.dir.write("en-US/OfficeDocs-SkypeForBusiness/Teams/evil.md",
                "# Evil\n\nBefore [!INCLUDE [x](" + rel.string() + ")] after.\n");
    const auto arts = read_article(t.dir.path(), t.dir.path() / "en-US/OfficeDocs-SkypeForBusiness/Teams/evil.md",
                                   ab::test::builtin_classifier());
    ASSERT_EQ(arts.size(), 1u);
    EXPECT_EQ(arts[0].sections[0].body.find("TOP SECRET"), std::string::npos);
}

TEST(Importer, ImportIsIncrementalAndPersistent)
{
    fixture_tree t;
    ab::test::temp_dir data;
    const auto db = data.path() / "kb.sqlite";
    {
        auto idx = article_index::open(db);
        const auto r = import_tree(*idx, ab::test::builtin_classifier(), t.dir.path());
        EXPECT_EQ(r.files, 2u) << "include fragments are not articles";
        EXPECT_EQ(r.imported, 2u);
        EXPECT_EQ(r.failed, 0u);
        EXPECT_EQ(r.articles, 3u);
    }
    {
        // A restart reopens the index without re-importing; nothing changed on disk.
        auto idx = article_index::open(db);
        const auto r = import_tree(*idx, ab::test::builtin_classifier(), t.dir.path());
        EXPECT_EQ(r.unchanged, 2u);
        EXPECT_EQ(r.imported, 0u);
        const auto cites = idx->citations(intent::guest_access, lang::en, "how do I add a guest", 3);
        ASSERT_FALSE(cites.empty());
        EXPECT_EQ(cites[0].title, "Add guests to a team");
        const auto links = idx->links_of("https://learn.microsoft.com/en-us/microsoftteams/add-guests");
        ASSERT_EQ(links.size(), 2u);
        EXPECT_EQ(links[0].text, "managing guests");
    }
    {
        // Changing an include re-imports the article that includes it; deleting a file removes it.
        t.dir.write("en-US/OfficeDocs-SkypeForBusiness/includes/shared-note.md", "Guests see files and channels; changed.\n");
        fs::remove(t.dir.path() / "nl-NL/OfficeDocs-AlchemyInsights-pr.nl-NL@live-sxs/AlchemyInsights/external-access.md");
        auto idx = article_index::open(db);
        const auto r = import_tree(*idx, ab::test::builtin_classifier(), t.dir.path());
        EXPECT_EQ(r.imported, 1u);
        EXPECT_EQ(r.removed, 1u);
        const auto s = idx->stats();
        EXPECT_EQ(s["files"]["ok"], 1);
        EXPECT_FALSE(s["articles"].contains("nl"));
    }
}

TEST(Importer, BrokenFilesGetAnErrorAndTheRestGoesOn)
{
    fixture_tree t;
    t.dir.write("en-US/OfficeDocs-SkypeForBusiness/Teams/binary.md", std::string("\x89PNG\0\0\0", 7));
    t.dir.write("en-US/OfficeDocs-SkypeForBusiness/Teams/latin1.md", "# Caf\xE9\n");
    t.dir.write("en-US/OfficeDocs-SkypeForBusiness/Teams/unterminated.md", "---\ntitle: x\n# no end\n");
    t.dir.write("en-US/OfficeDocs-SkypeForBusiness/Teams/empty.md", "");
    ab::test::temp_dir data;
    auto idx = article_index::open(data.path() / "kb.sqlite");
    const auto r = import_tree(*idx, ab::test::builtin_classifier(), t.dir.path());
    EXPECT_EQ(r.imported, 2u);
    EXPECT_EQ(r.failed, 4u);
    std::map<std::string, std::string> errors;
    for (const auto& e : r.errors)
        errors[fs::path(e.file).filename().string()] = e.message;
    EXPECT_NE(errors["binary.md"].find("[kb.binary]"), std::string::npos);
    EXPECT_NE(errors["latin1.md"].find("[kb.not_utf8]"), std::string::npos);
    EXPECT_NE(errors["unterminated.md"].find("[kb.front_matter_unterminated]"), std::string::npos);
    EXPECT_NE(errors["empty.md"].find("[kb.empty]"), std::string::npos);
    EXPECT_EQ(idx->stats()["failed"].size(), 4u);
}

TEST(Importer, DuplicatesKeepOneActiveVersion)
{
    ab::test::temp_dir t;
    const std::string body = "---\ntitle: Guests\nms.contentlocale: sv-SE\nms.date: 01/02/2021\n---\n# Gäster\n\nLägg till en gäst i teamet.\n";
    const std::string newer = "---\ntitle: Guests\nms.contentlocale: sv-SE\nms.date: 06/02/2021\n---\n# Gäster\n\nLägg till en gäst i ditt team.\n";
    t.write("sv-SE/OfficeDocs-AlchemyInsights-pr.sv-SE/AlchemyInsights/guests.md", newer);
    t.write("sv-SE/history/OfficeDocs-AlchemyInsights-pr.sv-SE@abc/AlchemyInsights/guests.md", body);
    ab::test::temp_dir data;
    auto idx = article_index::open(data.path() / "kb.sqlite");
    (void)import_tree(*idx, ab::test::builtin_classifier(), t.path());
    const auto s = idx->stats();
    EXPECT_EQ(s["articles"]["sv"]["articles"], 2);
    EXPECT_EQ(s["articles"]["sv"]["active"], 1);
}

TEST(Importer, NotADirectory)
{
    ab::test::temp_dir data;
    auto idx = article_index::open(data.path() / "kb.sqlite");
    EXPECT_THROW(import_tree(*idx, ab::test::builtin_classifier(), data.path() / "missing"), article_error);
}

TEST(Importer, CitationsFollowChangesToTheIndexFromAnyConnection)
{
    fixture_tree t;
    ab::test::temp_dir data;
    const auto db = data.path() / "kb.sqlite";
    auto serving = article_index::open(db); // the bot's connection, which caches citations
    (void)import_tree(*serving, ab::test::builtin_classifier(), t.dir.path());
    const auto first = serving->citations(intent::guest_access, lang::en, "how do I add a guest", 3);
    ASSERT_FALSE(first.empty());
    EXPECT_EQ(first[0].title, "Add guests to a team");
    const auto again = serving->citations(intent::guest_access, lang::en, "how do I add a guest", 3);
    ASSERT_EQ(again.size(), first.size());
    for (std::size_t i = 0; i < first.size(); ++i) {
        EXPECT_EQ(again[i].url, first[i].url);
        EXPECT_EQ(again[i].passage, first[i].passage);
    }
    {
        // `kb import` in another process: a new title through another connection.
        auto importer = article_index::open(db);
        std::string renamed = guest_article;
        renamed.replace(renamed.find("title: Add guests to a team"), 27, "title: Bring guests into a team");
        t.dir.write("en-US/OfficeDocs-SkypeForBusiness/Teams/add-guests.md", renamed);
        const auto r = import_tree(*importer, ab::test::builtin_classifier(), t.dir.path());
        ASSERT_EQ(r.imported, 1u);
    }
    const auto after = serving->citations(intent::guest_access, lang::en, "how do I add a guest", 3);
    ASSERT_FALSE(after.empty());
    EXPECT_EQ(after[0].title, "Bring guests into a team") << "no stale citation after another process re-imported";
    // And through the same connection.
    t.dir.write("en-US/OfficeDocs-SkypeForBusiness/Teams/add-guests.md", guest_article);
    (void)import_tree(*serving, ab::test::builtin_classifier(), t.dir.path());
    EXPECT_EQ(serving->citations(intent::guest_access, lang::en, "how do I add a guest", 3).at(0).title, "Add guests to a team");
}
