#include "knowledge/articles/markdown.hpp"

#include <gtest/gtest.h>

using namespace ab::knowledge::articles;

TEST(FrontMatter, ReadsTitleLocaleAndIds)
{
    const std::string text = "---\ntitle: 'Chatear: invitados o federados'\nms.contentlocale: es-ES\nms.date: 4/07/2021\n"
                             "ms.custom:\n- \"3700001\"\n- \"9001733\"\nms.collection: Adm_O365\n---\n# Hola\n\nTexto.\n";
    std::string_view body;
    const auto fm = parse_front_matter(text, body);
    EXPECT_TRUE(fm.present);
    EXPECT_EQ(fm.title, "Chatear: invitados o federados");
    EXPECT_EQ(fm.locale, "es-es");
    EXPECT_EQ(fm.date, "4/07/2021");
    EXPECT_EQ(fm.ids, (std::vector<std::string>{"3700001", "9001733"}));
    EXPECT_EQ(body.substr(0, 6), "# Hola");
}

TEST(FrontMatter, ScalarOrListAndMisfiledIds)
{
    const std::string text = "---\ntitle: T\nms.custom: ''\nms.assetid:\n- \"9001733\"\nappliesto: \n- Teams\n---\nbody\n";
    std::string_view body;
    const auto fm = parse_front_matter(text, body);
    EXPECT_EQ(fm.ids, std::vector<std::string>{"9001733"});
    EXPECT_TRUE(fm.locale.empty());
}

TEST(FrontMatter, AbsentOrBroken)
{
    std::string_view body;
    EXPECT_FALSE(parse_front_matter("# Just a title\n", body).present);
    EXPECT_THROW(parse_front_matter("---\ntitle: never closed\n# body\n", body), article_error);
    EXPECT_THROW(parse_front_matter("---\ntitle: [unclosed\n---\nbody\n", body), article_error);
    EXPECT_THROW(parse_front_matter("---\n- a\n- b\n---\nbody\n", body), article_error);
}

TEST(Sxs, KeepsBothLanguages)
{
    const std::string md =
        "# <a name=\"x\"></a><span data-ttu-id=\"1d245-102\">Gasten toevoegen</span><span class=\"sxs-lookup\"><span data-stu-id=\"1d245-102\">Add guests</span></span>\n\n"
        "- <span data-ttu-id=\"1d245-103\">Zet **gasttoegang** aan.</span><span class=\"sxs-lookup\"><span data-stu-id=\"1d245-103\">Turn on **guest access**.</span></span> "
        "<span data-ttu-id=\"1d245-104\">Zie [de gids](guide.md).</span><span class=\"sxs-lookup\"><span data-stu-id=\"1d245-104\">See [the guide](guide.md).</span></span>\n";
    const auto r = split_sxs(md);
    ASSERT_TRUE(r.bilingual);
    EXPECT_NE(r.localized.find("Zet **gasttoegang** aan."), std::string::npos);
    EXPECT_EQ(r.localized.find("Turn on"), std::string::npos);
    EXPECT_NE(r.english.find("Turn on **guest access**."), std::string::npos);
    EXPECT_EQ(r.english.find("gasttoegang"), std::string::npos);
    EXPECT_NE(r.english.find("<a name=\"x\"></a>Add guests"), std::string::npos);
}

TEST(Sxs, PlainArticlesPassThrough)
{
    const auto r = split_sxs("# Titel\n\nGewoon vertaald.\n");
    EXPECT_FALSE(r.bilingual);
    EXPECT_EQ(r.localized, "# Titel\n\nGewoon vertaald.\n");
    EXPECT_TRUE(r.english.empty());
    // A broken span (no closing tag) is kept as text, not lost or looped on.
    const auto b = split_sxs("<span data-ttu-id=\"a-1\">never closed");
    EXPECT_FALSE(b.bilingual);
}

TEST(Includes, ExpandsWithDepthLimit)
{
    int calls = 0;
    const include_reader reader = [&](const std::string& target, int) -> std::optional<std::string> {
        ++calls;
        if (target == "includes/a.md")
            return std::string("A-text [!INCLUDE[again](includes/a.md)]");
        if (target == "../includes/b.md")
            return std::string("B-text");
        return std::nullopt;
    };
    const auto out = expand_includes("x [!INCLUDE [b](../includes/b.md)] y\n[!INCLUDE [a](includes/a.md)]\n[!INCLUDE [gone](missing.md)] z", reader, 3);
    EXPECT_NE(out.find("x B-text y"), std::string::npos);
    EXPECT_NE(out.find("A-text"), std::string::npos);
    EXPECT_EQ(out.find("[!INCLUDE"), std::string::npos) << out;
    EXPECT_NE(out.find(" z"), std::string::npos);
    EXPECT_LE(calls, 6) << "a self-including file must stop at the depth limit";
}

TEST(DocFx, AlertsKeepTheirTextAndLoseTheMarker)
{
    const auto out = strip_docfx("> [!NOTE]\n> Wait up to 24 hours.\n\n> [!VIDEO https://example/v]\n\n:::image type=\"content\" source=\"a.png\":::\n\nA<br>B\n```\n> [!NOTE] in code stays\n```\n");
    EXPECT_EQ(out.find("[!NOTE]\n> Wait"), std::string::npos);
    EXPECT_NE(out.find("> Wait up to 24 hours."), std::string::npos);
    EXPECT_EQ(out.find("[!VIDEO"), std::string::npos);
    EXPECT_EQ(out.find(":::image"), std::string::npos);
    EXPECT_NE(out.find("A B"), std::string::npos);
    EXPECT_NE(out.find("> [!NOTE] in code stays"), std::string::npos);
}

TEST(Markdown, SplitsSectionsAndKeepsTablesAndAnchors)
{
    const std::string md = "# Manage access\n\nLead text.\n\n## <a name=\"plan\"></a>Plan it\n\n| Setting | Value |\n|:--|:--|\n| AllowFederatedUsers | True |\n\n"
                           "### Step 1 - turn it on\n\n1. Open the [admin center](https://admin.teams.microsoft.com/).\n2. Save.\n\n"
                           "```powershell\nSet-CsTenantFederationConfiguration -AllowFederatedUsers $true\n```\n#### Deep\n\nmore\n";
    const auto d = parse_markdown(md);
    EXPECT_EQ(d.title, "Manage access");
    ASSERT_EQ(d.sections.size(), 3u);
    EXPECT_EQ(d.sections[0].text, "Lead text.");
    EXPECT_EQ(d.sections[1].heading, "Plan it");
    EXPECT_EQ(d.sections[1].anchor, "plan");
    EXPECT_NE(d.sections[1].text.find("AllowFederatedUsers | True"), std::string::npos);
    EXPECT_EQ(d.sections[2].anchor, "step-1---turn-it-on");
    EXPECT_NE(d.sections[2].text.find("Set-CsTenantFederationConfiguration"), std::string::npos);
    EXPECT_NE(d.sections[2].text.find("Deep"), std::string::npos) << "H4 stays inside its section";
    ASSERT_EQ(d.links.size(), 1u);
    EXPECT_EQ(d.links[0].text, "admin center");
}

TEST(Markdown, SurvivesHostileInput)
{
    std::string deep(20000, '>');
    deep += " x\n";
    EXPECT_NO_THROW((void)parse_markdown(deep));
    std::string brackets(50000, '[');
    EXPECT_NO_THROW((void)parse_markdown(brackets));
    EXPECT_NO_THROW((void)parse_markdown(""));
}

TEST(CleanSource, RepairsAndRejects)
{
    EXPECT_EQ(clean_source("\xEF\xBB\xBFline\r\nnext\r\n"), "line\nnext\n");
    EXPECT_EQ(clean_source("you\xC3\xA2\xE2\x82\xAC\xE2\x84\xA2" "d"), "you\xE2\x80\x99" "d");
    EXPECT_THROW((void)clean_source(std::string("bin\0ary", 7)), article_error);
    EXPECT_THROW((void)clean_source("g\xE4st"), article_error);
}

TEST(Slug, FollowsDocsRules)
{
    EXPECT_EQ(slugify("Chat with external users - guests or federated users"), "chat-with-external-users---guests-or-federated-users");
    EXPECT_EQ(slugify("What's new?"), "whats-new");
}
