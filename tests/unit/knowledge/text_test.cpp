#include "knowledge/text.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using namespace ab::knowledge;

namespace {
std::vector<std::string> texts(const std::vector<word>& ws)
{
    std::vector<std::string> out;
    for (const auto& w : ws)
        out.push_back(w.text);
    return out;
}
} // namespace

TEST(Text, RepairsUtf8ReadAsWindows1252)
{
    // "you’d" whose bytes E2 80 99 were read as Windows-1252 and written again as UTF-8.
    EXPECT_EQ(repair_mojibake("you\xC3\xA2\xE2\x82\xAC\xE2\x84\xA2" "d"), "you\xE2\x80\x99" "d");
    EXPECT_EQ(repair_mojibake("caf\xC3\x83\xC2\xA9"), "caf\xC3\xA9");            // Ã© → é
    EXPECT_EQ(repair_mojibake("g\xC3\x83\xC2\xA4st"), "g\xC3\xA4st");            // Ã¤ → ä
    EXPECT_EQ(repair_mojibake("A\xC3\xA2\xE2\x82\xAC\xE2\x80\x9C" "B"), "A\xE2\x80\x93" "B"); // â€“ → –
}

TEST(Text, LeavesCorrectTextAlone)
{
    for (std::string s : {"gäståtkomst", "Gastzugriff für Café", "accès invité", "acceso de invitados ñ", "plain ascii",
                          "外部アクセス", "Ärger über Öffnungszeiten"})
        EXPECT_EQ(repair_mojibake(s), s) << s;
}

TEST(Text, FoldsCaseWidthQuotesAndSpaces)
{
    EXPECT_EQ(fold("Gäst\u00A0Åtkomst"), "gäst åtkomst");
    EXPECT_EQ(fold("Can\u2019t  ADD"), "can't add");
    EXPECT_EQ(fold("Stra\u00DFe"), "strasse");           // case folding, not just lower-casing
    EXPECT_EQ(fold("\uFF34\uFF45\uFF41\uFF4D\uFF53"), "teams"); // full-width letters (NFKC)
    EXPECT_EQ(fold("24\u202FStunden"), "24 stunden");
}

TEST(Text, Utf8Validation)
{
    EXPECT_TRUE(valid_utf8("gäst"));
    EXPECT_FALSE(valid_utf8("g\xE4st"));         // Latin-1 byte
    EXPECT_FALSE(valid_utf8("\xC0\xAF"));        // overlong
    EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));    // surrogate
    EXPECT_EQ(sanitize_utf8("a\xFFz"), "a\xEF\xBF\xBDz");
}

TEST(Text, SplitsWordsWithOffsets)
{
    const std::string s = "Can I add anna@fabrikam.com to l'équipe?";
    const auto ws = split_words(s);
    const auto t = texts(ws);
    EXPECT_NE(std::find(t.begin(), t.end(), "anna@fabrikam.com"), t.end()); // ICU keeps e-mail addresses whole
    EXPECT_NE(std::find(t.begin(), t.end(), "l'équipe"), t.end());
    for (const auto& w : ws)
        EXPECT_EQ(fold(s.substr(w.begin, w.end - w.begin)).substr(0, 2), w.text.substr(0, 2));
}

TEST(Text, FastSplitMatchesOffsetSplit)
{
    for (std::string s : {"Hoe geef ik een externe toegang tot Teams?", "Gäståtkomst för kunden", "Set-CsTenantFederationConfiguration -AllowFederatedUsers $true",
                          "Ärger: Gastzugriff geht nicht!!", "accès invité — ça marche pas"})
        EXPECT_EQ(texts(split_words(s)), texts(split_folded(s))) << s;
}

TEST(Text, BreaksJapaneseIntoWords)
{
    const auto ws = split_words("外部アクセスとゲストアクセスの比較");
    EXPECT_GE(ws.size(), 3u);
    EXPECT_TRUE(std::all_of(ws.begin(), ws.end(), [](const word& w) { return w.is_cjk; }));
}

TEST(Text, DetectsScript)
{
    EXPECT_EQ(dominant_script("external access"), script::latin);
    EXPECT_EQ(dominant_script("外部アクセス"), script::cjk);
    EXPECT_EQ(dominant_script("внешний доступ"), script::cyrillic);
    EXPECT_EQ(dominant_script("123 ?!"), script::none);
}

TEST(Text, StemsPerLanguage)
{
    EXPECT_EQ(stem(lang::en, "guests"), stem(lang::en, "guest"));
    EXPECT_EQ(stem(lang::nl, "gasten"), stem(lang::nl, "gast"));
    EXPECT_EQ(stem(lang::sv, "gästerna"), stem(lang::sv, "gäst"));
    EXPECT_EQ(stem(lang::de, "Gäste"), stem(lang::de, "Gast")) << "umlaut folding is the stemmer's job only partly";
    EXPECT_EQ(stem(lang::fr, "invités"), stem(lang::fr, "invité"));
    EXPECT_EQ(stem(lang::es, "invitados"), stem(lang::es, "invitado"));
    EXPECT_EQ(stem(lang::ja, "ゲスト"), "ゲスト");
}

TEST(Text, StripsFrenchElisionOnly)
{
    EXPECT_EQ(strip_elision(lang::fr, "l'accès"), "accès");
    EXPECT_EQ(strip_elision(lang::fr, "qu'un"), "un");
    EXPECT_EQ(strip_elision(lang::en, "can't"), "can't");
}

TEST(Text, CharNgramsShareCompoundParts)
{
    auto grams = [](std::string_view w) {
        std::vector<std::string> g;
        for_each_char_ngram(w, 3, 5, [&](std::string_view x) { g.emplace_back(x); });
        return g;
    };
    const auto compound = grams(" gasttoegang ");
    const auto part = grams(" gast ");
    EXPECT_NE(std::find(compound.begin(), compound.end(), " gast"), compound.end());
    EXPECT_NE(std::find(part.begin(), part.end(), " gast"), part.end());
    // n-grams count code points, not bytes
    const auto sv = grams("gäst");
    EXPECT_NE(std::find(sv.begin(), sv.end(), "gäs"), sv.end());
}

TEST(Text, LanguageCodes)
{
    EXPECT_EQ(lang_from_code("nl-NL"), lang::nl);
    EXPECT_EQ(lang_from_code("SV_se"), lang::sv);
    EXPECT_EQ(lang_from_code("ja-JP"), lang::ja);
    EXPECT_EQ(lang_from_code("it-IT"), lang::other);
    EXPECT_EQ(lang_from_code("english"), lang::other);
    EXPECT_EQ(lang_from_code(""), lang::other);
}
