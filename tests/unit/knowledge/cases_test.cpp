// Intent matching tested from data: tests/unit/knowledge/cases/<lang>.json lists utterances with
// the intent they must get and a minimum confidence. A reported misroute adds a row.
#include "knowledge/classifier.hpp"

#include "tests/support/shared_engine.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace ab::knowledge;

namespace {

struct routing_case {
    std::string lang;
    std::string text;
    std::string intent;
    float min_confidence = 0;
    std::optional<std::string> domain;
    std::optional<bool> ambiguous; ///< when set: must (not) ask "chat only or work in our team?"
};

std::vector<routing_case> load_cases()
{
    std::vector<routing_case> out;
    for (const char* l : {"en", "nl", "sv", "de", "fr", "es"}) {
        std::ifstream in(std::string(AB_SOURCE_DIR) + "/tests/unit/knowledge/cases/" + l + ".json");
        const auto j = nlohmann::json::parse(in);
        for (const auto& c : j)
            out.push_back(routing_case{l, c.at("text"), c.at("intent"), c.value("min_confidence", 0.0f),
                                       c.contains("domain") ? std::optional<std::string>(c["domain"]) : std::nullopt,
                                       c.contains("ambiguous") ? std::optional<bool>(c["ambiguous"].get<bool>()) : std::nullopt});
    }
    return out;
}

// Readable test output instead of gtest's byte dump.
void PrintTo(const routing_case& c, std::ostream* os)
{
    *os << c.lang << ": \"" << c.text << "\" → " << c.intent;
}

class RoutingCase : public ::testing::TestWithParam<routing_case> {};

} // namespace

TEST_P(RoutingCase, RoutesAsExpected)
{
    const auto& rc = GetParam();
    const auto c = ab::test::builtin_classifier().classify(rc.text, "en-US");
    EXPECT_EQ(intent_name(c.label), rc.intent) << rc.text;
    EXPECT_GE(c.confidence, rc.min_confidence) << rc.text;
    EXPECT_EQ(lang_code(c.language), rc.lang) << rc.text;
    if (rc.domain) {
        EXPECT_EQ(c.domain, rc.domain) << rc.text;
    }
    if (rc.ambiguous) {
        EXPECT_EQ(c.ambiguous, *rc.ambiguous) << rc.text;
    }
}

INSTANTIATE_TEST_SUITE_P(Cases, RoutingCase, ::testing::ValuesIn(load_cases()),
                         [](const ::testing::TestParamInfo<routing_case>& p) {
                             return p.param.lang + "_" + std::to_string(p.index);
                         });
