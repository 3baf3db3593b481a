// The answer card as text (rendered once per distinct answer, only the buttons' signed data made
// per message) must be the very card answer_card() builds: for every topic, language and role,
// with and without a domain, note, citations, feedback and Apply now, on the first (rendering)
// call and on later (cached) calls with other questions, card ids and times.

#include "dialogs/cards/cards.hpp"
#include "tests/support/shared_engine.hpp"

#include <gtest/gtest.h>

#include <chrono>

using json = nlohmann::json;
namespace kn = ab::knowledge;
using ab::dialogs::cards::answer_view;

namespace {

const ab::dialogs::action_signer& signer()
{
    static const ab::dialogs::action_signer s("answer-card-text-signing-key-0123456789");
    return s;
}

class AnswerCardText : public ::testing::Test {
protected:
    std::chrono::system_clock::time_point now{std::chrono::seconds(1'790'000'000)};
    ab::dialogs::cards::card_builder cards{ab::test::builtin_content(), signer(), [this] { return now; }};

    /// answer_card_text() parses to answer_card() for the same view, card id and time.
    void expect_same(const answer_view& v, const std::string& card_id)
    {
        const std::string text = cards.answer_card_text(v, card_id);
        ASSERT_TRUE(json::accept(text)) << text;
        // Compared as sent: dumped (invalid UTF-8 replaced, as the reply writer does) and parsed back.
        const json document = json::parse(cards.answer_card(v, card_id).dump(-1, ' ', false, json::error_handler_t::replace));
        EXPECT_EQ(json::parse(text), document) << card_id;
    }

    std::vector<answer_view> views() const
    {
        std::vector<answer_view> out;
        for (std::size_t li = 0; li < kn::answer_language_count; ++li)
            for (std::size_t ti = 0; ti < kn::intent_count; ++ti) {
                if (!kn::is_topic(static_cast<kn::intent>(ti)))
                    continue;
                for (auto role : {kn::role::user, kn::role::admin}) {
                    answer_view v;
                    v.topic = static_cast<kn::intent>(ti);
                    v.lang = static_cast<kn::lang>(li);
                    v.role = role;
                    v.question = "Kan ik chatten met iemand bij \"fabrikam\"? <b>ja</b>";
                    out.push_back(v);
                    v.domain = "fabrikam.com";
                    out.push_back(v);
                    v.feedback = "yes";
                    out.push_back(v);
                    v.feedback.clear();
                    v.note = "You chose: *work together*";
                    kn::articles::citation c;
                    c.title = "Guest access [overview]";
                    c.section = "Set up";
                    c.url = "https://learn.microsoft.com/en-us/microsoftteams/guest-access";
                    v.citations = {c};
                    out.push_back(v);
                    v.can_apply = true;
                    v.apply_binding = {{"u", "5f3c1a2e-8b7d-4c6e-9a1f-2d3e4f5a6b7c"}, {"c", "a:1"}, {"x", 1'790'001'800}};
                    out.push_back(v);
                }
            }
        return out;
    }
};

} // namespace

TEST_F(AnswerCardText, IsTheSameCardAsTheDocumentForEveryAnswer)
{
    const auto all = views();
    ASSERT_GT(all.size(), 300u);
    for (const auto& v : all)
        expect_same(v, "card-first");
}

TEST_F(AnswerCardText, CachedRenderingsCarryTheNewQuestionCardIdAndTime)
{
    for (auto v : views()) {
        expect_same(v, "card-a"); // renders (or reuses the first test's rendering: same key)
        v.question = "a different question, same answer";
        now += std::chrono::seconds(61);
        expect_same(v, "card-b");
        v.apply_binding = v.can_apply ? json{{"u", "another-admin"}, {"c", "a:2"}, {"x", 1}} : json();
        expect_same(v, "card-c");
    }
    // The signed data really differs between two cached renderings: each verifies to its own question.
    answer_view v = views().front();
    const json first = json::parse(cards.answer_card_text(v, "card-x"));
    v.question = "second";
    const json second = json::parse(cards.answer_card_text(v, "card-y"));
    const auto data_of = [](const json& card) { return card.at("actions").back().at("data"); };
    const auto a = signer().verify(data_of(first));
    const auto b = signer().verify(data_of(second));
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->card_id, "card-x");
    EXPECT_EQ(b->card_id, "card-y");
    EXPECT_EQ(b->args.at("q"), "second");
    EXPECT_NE(a->args.at("q"), b->args.at("q"));
}

TEST_F(AnswerCardText, TextThatLooksLikeASlotMarkerFallsBackToTheDocument)
{
    answer_view v = views().front();
    v.note = std::string("\x01") + "0" + "\x01"; // what the renderer puts where button data goes
    expect_same(v, "card-marker");
    v.note = std::string("\x01") + "9" + "\x01"; // an index no button has
    expect_same(v, "card-marker-2");
    v.note = std::string("\x01") + "x"; // half a marker
    expect_same(v, "card-marker-3");
}

TEST_F(AnswerCardText, InvalidUtf8InTheQuestionIsReplacedAsInTheDocument)
{
    answer_view v = views().front();
    v.question = "caf\xC3"; // cut inside a character
    expect_same(v, "card-utf8");
}
