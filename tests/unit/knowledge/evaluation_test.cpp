#include "knowledge/evaluation.hpp"

#include "tests/support/shared_engine.hpp"

#include <gtest/gtest.h>

using namespace ab::knowledge;

namespace {
const char* fixture = R"({"id": "a", "lang": "en", "text": "how do I add a guest to my team?", "intent": "guest_access", "ambiguous": false, "role": "user"}
{"id": "b", "lang": "nl", "text": "hoe chat ik met iemand bij fabrikam.com?", "intent": "external_access", "ambiguous": false, "role": "user", "domain": "fabrikam.com"}
{"id": "c", "lang": "sv", "text": "jag behöver samarbeta med en konsult från ett annat företag", "intent": "guest_access", "acceptable": ["guest_access", "external_access"], "ambiguous": true, "role": "user"}

{"id": "d", "lang": "de", "text": "Das Gast-WLAN funktioniert nicht", "intent": "out_of_scope", "ambiguous": false, "role": "user"}
{"id": "e", "lang": "en", "text": "what's the printer's IP?", "intent": "guest_access", "ambiguous": false, "role": "user"}
)";
}

TEST(Evaluation, ParsesLabelledLines)
{
    const auto items = parse_labelled(fixture, "fixture");
    ASSERT_EQ(items.size(), 5u); // the blank line is skipped
    EXPECT_EQ(items[1].domain, "fabrikam.com");
    EXPECT_EQ(items[2].acceptable.size(), 2u);
    EXPECT_TRUE(items[2].ambiguous);
    EXPECT_EQ(items[2].language, lang::sv);
}

TEST(Evaluation, BadLinesNameTheLine)
{
    try {
        (void)parse_labelled("{\"text\": \"x\", \"intent\": \"smalltalk\"}\n{not json}\n", "f.jsonl");
        FAIL();
    } catch (const content_error& e) {
        EXPECT_NE(std::string(e.what()).find("f.jsonl:2"), std::string::npos) << e.what();
    }
    EXPECT_THROW((void)parse_labelled(R"({"text": "x", "intent": "nope"})", "f"), content_error);
    EXPECT_THROW((void)parse_labelled(R"({"intent": "smalltalk"})", "f"), content_error);
    EXPECT_THROW((void)parse_labelled(R"({"text": 5, "intent": "smalltalk"})", "f"), content_error);
}

TEST(Evaluation, ReportCountsWhatItShould)
{
    const auto items = parse_labelled(fixture, "fixture");
    eval_options opt;
    opt.list_errors = true;
    const auto r = evaluate(ab::test::builtin_content(), items, opt);
    EXPECT_EQ(r["items"], 5);
    // Item e is deliberately mislabelled: the printer question cannot be guest_access.
    EXPECT_LE(r["correct"].get<int>(), 4);
    EXPECT_GE(r["correct"].get<int>(), 3);
    EXPECT_DOUBLE_EQ(r["accuracy"].get<double>(), r["correct"].get<double>() / 5.0);
    EXPECT_TRUE(r["per_language"].contains("sv"));
    EXPECT_TRUE(r["per_intent"].contains("guest_access"));
    EXPECT_TRUE(r.contains("external_guest_confusions"));
    EXPECT_TRUE(r["out_of_scope"].contains("precision"));
    EXPECT_TRUE(r["out_of_scope"].contains("recall"));
    EXPECT_GT(r["latency_us"]["p99"].get<double>(), 0.0);
    bool e_listed = false;
    for (const auto& e : r["errors"])
        e_listed |= e["id"] == "e";
    EXPECT_TRUE(e_listed);
    const std::string text = format_report(r);
    EXPECT_NE(text.find("accuracy"), std::string::npos);
    EXPECT_NE(text.find("external<->guest confusions"), std::string::npos);
}

TEST(Evaluation, CrossValidationUsesEveryItemOnce)
{
    const auto items = parse_labelled(fixture, "fixture");
    eval_options opt;
    opt.folds = 2;
    const auto r = evaluate(ab::test::builtin_content(), items, opt);
    EXPECT_EQ(r["folds"], 2);
    std::size_t total = 0;
    for (const auto& [k, v] : r["per_language"].items())
        total += v["total"].get<std::size_t>();
    EXPECT_EQ(total, 5u);
}
