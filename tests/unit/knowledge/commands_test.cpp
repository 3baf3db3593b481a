#include "knowledge/commands.hpp"

#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

using namespace ab::knowledge;

TEST(Commands, ClassifyReadsJsonLinesAndReportsBadLines)
{
    commands::environment env;
    std::istringstream in("{\"text\": \"hoe voeg ik een gast toe?\", \"locale\": \"en-US\", \"id\": 7}\n"
                          "not json\n"
                          "\n"
                          "{\"text\": \"the guest wifi is down\"}\n"
                          "{\"locale\": \"en-US\"}\n");
    std::ostringstream out, err;
    const int rc = commands::classify_lines(env, "", in, out, err);
    EXPECT_EQ(rc, 1);
    std::istringstream lines(out.str());
    std::string line;
    std::vector<nlohmann::json> rows;
    while (std::getline(lines, line))
        rows.push_back(nlohmann::json::parse(line));
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0]["language"], "nl");
    EXPECT_EQ(rows[0]["intent"], "guest_access");
    EXPECT_EQ(rows[0]["id"], 7);
    for (const char* key : {"language", "intent", "confidence", "ambiguous", "role", "domain"})
        EXPECT_TRUE(rows[0].contains(key)) << key;
    EXPECT_TRUE(rows[1].contains("error"));
    EXPECT_EQ(rows[2]["intent"], "out_of_scope");
    EXPECT_TRUE(rows[3].contains("error"));
}

TEST(Commands, AskPrintsClassificationAnswerAndSetting)
{
    ab::test::temp_dir data;
    commands::environment env;
    env.data_dir = data.path();
    std::ostringstream out, err;
    EXPECT_EQ(commands::ask(env, "we can't chat with anyone at fabrikam.com", "en-US", false, out, err), 0);
    EXPECT_NE(out.str().find("external_access"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("fabrikam.com"), std::string::npos);
    EXPECT_NE(out.str().find("https://admin.teams.microsoft.com/company-wide-settings/external-communications"), std::string::npos);
    std::ostringstream js;
    EXPECT_EQ(commands::ask(env, "hej", "", true, js, err), 0);
    const auto j = nlohmann::json::parse(js.str());
    EXPECT_EQ(j["language"], "sv");
    EXPECT_EQ(j["intent"], "smalltalk");
}

TEST(Commands, StatsWithoutAnIndexIsAClearError)
{
    ab::test::temp_dir data;
    commands::environment env;
    env.data_dir = data.path() / "none";
    std::ostringstream out, err;
    EXPECT_EQ(commands::kb_stats(env, false, out, err), 2);
    EXPECT_NE(err.str().find("[kb.no_index]"), std::string::npos);
}
