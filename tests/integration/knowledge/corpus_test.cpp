// Checks against the shared material beside the checkout: the real Microsoft Docs corpus
// (import, repair, bilingual files, citations) and the labelled dev set (quality floor).
#include "knowledge/articles/importer.hpp"
#include "knowledge/evaluation.hpp"

#include "tests/support/shared_engine.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

using namespace ab::knowledge;
using namespace ab::knowledge::articles;
namespace fs = std::filesystem;

namespace {

const fs::path shared = AB_SHARED_DIR;

bool have_corpus()
{
    return fs::is_directory(shared / "corpus");
}

class Corpus : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        if (!have_corpus())
            return;
        data_ = new ab::test::temp_dir();
        index_ = article_index::open(data_->path() / "kb.sqlite").release();
        report_ = new import_report(import_tree(*index_, ab::test::builtin_classifier(), shared / "corpus"));
    }
    static void TearDownTestSuite()
    {
        delete index_;
        delete report_;
        delete data_;
    }
    void SetUp() override
    {
        if (!have_corpus())
            GTEST_SKIP() << "../shared/corpus not present";
    }
    static inline ab::test::temp_dir* data_ = nullptr;
    static inline article_index* index_ = nullptr;
    static inline import_report* report_ = nullptr;
};

} // namespace

TEST_F(Corpus, ImportsEveryArticle)
{
    EXPECT_GT(report_->files, 700u);
    EXPECT_EQ(report_->failed, 0u);
    for (const auto& e : report_->errors)
        ADD_FAILURE() << e.file << ": " << e.message;
    const auto s = index_->stats();
    for (const char* l : {"en", "nl", "sv", "de", "fr", "es", "ja"})
        EXPECT_GT(s["articles"][l]["active"].get<int>(), 10) << l;
    RecordProperty("import_ms", std::to_string(report_->ms));
}

TEST_F(Corpus, ReimportIsIncremental)
{
    const auto r = import_tree(*index_, ab::test::builtin_classifier(), shared / "corpus");
    EXPECT_EQ(r.imported, 0u);
    EXPECT_EQ(r.unchanged, report_->files);
}

TEST_F(Corpus, RepairsTheDoubleEncodedCopy)
{
    const auto arts = read_article(shared / "corpus", shared / "corpus/as-received/nl-NL-chat-with-external-users.md",
                                   ab::test::builtin_classifier());
    ASSERT_FALSE(arts.empty());
    for (const auto& a : arts)
        for (const auto& s : a.sections) {
            EXPECT_EQ(s.body.find("\xC3\xA2\xE2\x82\xAC"), std::string::npos) << "mojibake left in: " << s.body.substr(0, 80);
            EXPECT_EQ(s.body.find("\xC3\x83"), std::string::npos);
        }
    // The file is in sxs form: the English version comes along.
    bool english = false;
    for (const auto& a : arts)
        english |= a.variant == "english-sxs" && a.language == lang::en;
    EXPECT_TRUE(english);
}

TEST_F(Corpus, CitesInTheUsersLanguageWithEnglishFallback)
{
    for (lang l : {lang::nl, lang::sv, lang::de, lang::fr, lang::es, lang::en}) {
        const auto c = index_->citations(intent::guest_access, l, "gast gäst Gast invité invitado guest", 3);
        ASSERT_FALSE(c.empty()) << lang_code(l);
        EXPECT_TRUE(c[0].language == l || c[0].language == lang::en) << lang_code(l);
        for (const auto& x : c) {
            EXPECT_EQ(x.url.rfind("https://learn.microsoft.com/", 0), 0u) << x.url;
            EXPECT_FALSE(x.passage.empty());
            EXPECT_LE(x.passage.size(), 400u);
        }
    }
    const auto de = index_->citations(intent::external_access, lang::de, "Externer Zugriff Domäne zulassen", 3);
    ASSERT_FALSE(de.empty());
    EXPECT_EQ(de[0].language, lang::de);
}

TEST(DevSet, CrossValidatedQualityFloor)
{
    const fs::path dev = shared / "eval/dev.jsonl";
    if (!fs::exists(dev))
        GTEST_SKIP() << "../shared/eval/dev.jsonl not present";
    eval_options opt;
    opt.folds = 5;
    const auto r = evaluate(ab::test::builtin_content(), load_labelled(dev), opt);
    // A regression floor a little under the measured numbers (see the issue notes), so that a
    // content or model change that costs accuracy is noticed.
    EXPECT_GE(r["accuracy"].get<double>(), 0.93);
    EXPECT_LE(r["external_guest_confusions"].get<int>(), 2);
    EXPECT_GE(r["out_of_scope"]["recall"].get<double>(), 0.93);
    EXPECT_GE(r["ambiguity"]["recall"].get<double>(), 0.5);
    EXPECT_LE(r["out_of_scope"]["in_scope_sent_out_of_scope"].get<double>(), 0.04);
    EXPECT_GE(r["language_id_accuracy"].get<double>(), 0.98);
    EXPECT_GE(r["domain_accuracy"].get<double>(), 0.98);
    for (const auto& [l, v] : r["per_language"].items())
        EXPECT_GE(v["accuracy"].get<double>(), 0.90) << l;
}
