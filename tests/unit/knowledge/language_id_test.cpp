#include "knowledge/classifier.hpp"

#include "tests/support/shared_engine.hpp"

#include <gtest/gtest.h>

using namespace ab::knowledge;

namespace {
lang detect(std::string_view text, std::string_view hint = "")
{
    return ab::test::builtin_classifier().classify(text, hint).language;
}
} // namespace

TEST(LanguageId, FullSentencesPerLanguage)
{
    EXPECT_EQ(detect("How do I chat with a supplier who has their own Teams?"), lang::en);
    EXPECT_EQ(detect("Hoe kan ik chatten met een leverancier die zelf Teams heeft?"), lang::nl);
    EXPECT_EQ(detect("Hur chattar jag med en leverantör som har eget Teams?"), lang::sv);
    EXPECT_EQ(detect("Wie chatte ich mit einem Lieferanten, der sein eigenes Teams hat?"), lang::de);
    EXPECT_EQ(detect("Comment discuter avec un fournisseur qui a son propre Teams ?"), lang::fr);
    EXPECT_EQ(detect("¿Cómo chateo con un proveedor que tiene su propio Teams?"), lang::es);
}

TEST(LanguageId, VeryShortMessages)
{
    EXPECT_EQ(detect("hoi"), lang::nl);
    EXPECT_EQ(detect("hej"), lang::sv);
    EXPECT_EQ(detect("tack"), lang::sv);
    EXPECT_EQ(detect("danke"), lang::de);
    EXPECT_EQ(detect("moin"), lang::de);
    EXPECT_EQ(detect("bonjour"), lang::fr);
    EXPECT_EQ(detect("merci"), lang::fr);
    EXPECT_EQ(detect("hola"), lang::es);
    EXPECT_EQ(detect("gracias"), lang::es);
    EXPECT_EQ(detect("hi"), lang::en);
    EXPECT_EQ(detect("help"), lang::en);
    EXPECT_EQ(detect("thanks"), lang::en);
}

TEST(LanguageId, TeamsLocaleIsOnlyAWeakPrior)
{
    // Microsoft's local test client always sends en-US.
    EXPECT_EQ(detect("hoi", "en-US"), lang::nl);
    EXPECT_EQ(detect("hej", "en-US"), lang::sv);
    EXPECT_EQ(detect("Kan jag lägga till en gäst i mitt team?", "en-US"), lang::sv);
    // ... but it breaks ties between languages that share a word.
    EXPECT_EQ(detect("hallo", "nl-NL"), lang::nl);
    EXPECT_EQ(detect("hallo", "de-DE"), lang::de);
}

TEST(LanguageId, UnsupportedLanguagesAnswerInEnglish)
{
    const auto c = ab::test::builtin_classifier().classify("外部アクセスとは何ですか", "ja-JP");
    EXPECT_EQ(c.language, lang::en);
    EXPECT_FALSE(c.language_supported);
    const auto r = ab::test::builtin_classifier().classify("как добавить гостя", "");
    EXPECT_EQ(r.language, lang::en);
    EXPECT_FALSE(r.language_supported);
}

TEST(LanguageId, NoLettersKeepsTheHint)
{
    EXPECT_EQ(detect("👍", "de-DE"), lang::de);
    EXPECT_EQ(detect("???", ""), lang::en);
}
