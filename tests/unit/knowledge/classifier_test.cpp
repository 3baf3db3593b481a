#include "knowledge/classifier.hpp"
#include "knowledge/prebuilt_model.hpp"

#include "tests/support/shared_engine.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace ab::knowledge;

namespace {
classification ask(std::string_view text, std::string_view hint = "")
{
    return ab::test::builtin_classifier().classify(text, hint);
}
} // namespace

TEST(Classifier, CoreIntents)
{
    EXPECT_EQ(ask("how do I chat with someone at another company who has their own Teams?").label, intent::external_access);
    EXPECT_EQ(ask("how do I add an outside consultant as a guest to my team so she can see our files?").label, intent::guest_access);
    EXPECT_EQ(ask("what's the difference between external access and guest access?").label, intent::access_comparison);
    EXPECT_EQ(ask("how do we set up a shared channel with our partner's team?").label, intent::shared_channels);
    EXPECT_EQ(ask("can I chat with my friend who uses Teams for personal use?").label, intent::consumer_chat);
    EXPECT_EQ(ask("people from outside can't join my Teams meeting, they are stuck in the lobby").label, intent::external_meeting);
    EXPECT_EQ(ask("I want to talk to someone from the helpdesk please").label, intent::escalate);
    EXPECT_EQ(ask("hello there").label, intent::smalltalk);
}

TEST(Classifier, HardNegativesGoOutOfScope)
{
    for (const char* q : {"what's the password for the guest wifi?", "my external monitor stays black after docking",
                          "how do I stop Outlook from forwarding mail to external addresses?",
                          "Wat is het wachtwoord van het gastnetwerk?", "Min externa skärm fungerar inte",
                          "Das Gast-WLAN ist wieder langsam", "Le wifi invité ne marche plus",
                          "La contraseña del wifi de invitados no funciona", "the printer on floor 2 is jammed"}) {
        const auto c = ask(q);
        EXPECT_EQ(c.label, intent::out_of_scope) << q << " → " << intent_name(c.label);
    }
}

TEST(Classifier, ConfidenceIsAProbability)
{
    const auto c = ask("how do I add a guest to my team?");
    EXPECT_GT(c.confidence, 0.5f);
    EXPECT_LE(c.confidence, 1.0f);
    ASSERT_FALSE(c.alternatives.empty());
    EXPECT_EQ(c.alternatives.front().label, c.label);
    float sum = 0;
    for (const auto& a : c.alternatives) {
        EXPECT_GE(a.probability, 0.0f);
        sum += a.probability;
    }
    EXPECT_LE(sum, 1.0001f);
    for (std::size_t i = 1; i < c.alternatives.size(); ++i)
        EXPECT_GE(c.alternatives[i - 1].probability, c.alternatives[i].probability);
}

TEST(Classifier, AmbiguousBetweenExternalAndGuest)
{
    // "work with someone from another company in Teams" could be either: the bot must ask.
    int flagged = 0;
    for (const char* q : {"I need to work with a consultant from another company in Teams, how do I set that up?",
                          "Ik moet in Teams samenwerken met iemand van een ander bedrijf, hoe regel ik dat?",
                          "Jag ska samarbeta med en person på ett annat företag i Teams, hur gör jag?"}) {
        const auto c = ask(q);
        EXPECT_TRUE(c.label == intent::external_access || c.label == intent::guest_access) << q;
        flagged += c.ambiguous ? 1 : 0;
    }
    EXPECT_GE(flagged, 1);
    EXPECT_FALSE(ask("what's the password for the guest wifi?").ambiguous);
    EXPECT_FALSE(ask("how do I add a guest to my team so they can open our channel files?").ambiguous);
}

TEST(Classifier, RoleFromPhrasing)
{
    EXPECT_EQ(ask("Set-CsTenantFederationConfiguration -AllowedDomainsAsAList: how do I add a domain for all our users?").speaker, role::admin);
    EXPECT_EQ(ask("In the Teams admin center, where do I turn on guest access for our tenant?").speaker, role::admin);
    EXPECT_EQ(ask("my colleague at fabrikam can't see my status").speaker, role::user);
}

TEST(Classifier, DomainFlowsThrough)
{
    const auto c = ask("we can't chat with anyone at fabrikam.com");
    EXPECT_EQ(c.domain, "fabrikam.com");
    EXPECT_EQ(ask("add bob@gmail.com to our chat").domain, std::nullopt);
}

TEST(Classifier, MojibakeIsRepairedBeforeClassifying)
{
    const auto clean = ask("Kan jag lägga till en gäst i mitt team?");
    const auto broken = ask("Kan jag l\xC3\x83\xC2\xA4gga till en g\xC3\x83\xC2\xA4st i mitt team?");
    EXPECT_EQ(clean.label, broken.label);
    EXPECT_EQ(clean.language, broken.language);
    EXPECT_NEAR(clean.confidence, broken.confidence, 1e-5);
}

TEST(Classifier, EmptyAndPunctuationOnly)
{
    EXPECT_EQ(ask("").label, intent::smalltalk);
    EXPECT_EQ(ask("   ").label, intent::smalltalk);
    EXPECT_EQ(ask("?!").label, intent::smalltalk);
}

TEST(Classifier, BadInputDoesNotCrash)
{
    std::string huge(1 << 20, 'a');
    EXPECT_NO_THROW((void)ask(huge));
    EXPECT_NO_THROW((void)ask("\xFF\xFE\x00garbage\xC0"));
    std::string mixed;
    for (int i = 0; i < 2000; ++i)
        mixed += "gäst 外部 \xF0\x9F\x91\x8D ";
    EXPECT_NO_THROW((void)ask(mixed));
}

TEST(Classifier, TrainingIsDeterministic)
{
    const auto& c = ab::test::builtin_content();
    const classifier a = classifier::train(c);
    const classifier b = classifier::train(c);
    for (const char* q : {"can I chat with fabrikam.com?", "gäståtkomst", "Gastzugriff aktivieren", "accès invité", "hoi"}) {
        const auto x = a.classify(q);
        const auto y = b.classify(q);
        EXPECT_EQ(x.label, y.label) << q;
        EXPECT_EQ(x.confidence, y.confidence) << q;
        EXPECT_EQ(x.admin_probability, y.admin_probability) << q;
    }
}

TEST(Classifier, ExtraTrainingExamplesAreUsed)
{
    engine_options opt;
    for (int i = 0; i < 30; ++i)
        opt.extra.push_back(training_example{"zorblax quandary number " + std::to_string(i), lang::en, intent::consumer_chat, role::user, 1.0f});
    const classifier m = classifier::train(ab::test::builtin_content(), opt);
    EXPECT_EQ(m.classify("zorblax quandary number 7").label, intent::consumer_chat);
    EXPECT_NE(ab::test::builtin_classifier().classify("zorblax quandary number 7").label, intent::consumer_chat);
    EXPECT_EQ(m.training_examples(), ab::test::builtin_content().utterances().size() + 30);
}

TEST(ClassifierCache, RoundTripsAndRejectsStaleOrBrokenFiles)
{
    namespace fs = std::filesystem;
    const auto& c = ab::test::builtin_content();
    const auto dir = fs::temp_directory_path() / ("ab-cache-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const auto file = dir / "model.cache";
    const classifier trained = classifier::load_or_train(c, {}, file);
    EXPECT_EQ(trained.source(), classifier::origin::trained);
    ASSERT_TRUE(fs::exists(file));
    const classifier loaded = classifier::load_or_train(c, {}, file);
    EXPECT_EQ(loaded.source(), classifier::origin::cache);
    for (const char* q : {"can I chat with fabrikam.com?", "gäståtkomst", "hoi", "the guest wifi is down"}) {
        EXPECT_EQ(trained.classify(q).label, loaded.classify(q).label) << q;
        EXPECT_EQ(trained.classify(q).confidence, loaded.classify(q).confidence) << q;
    }
    // Different training data → different fingerprint → the cache is not used.
    engine_options more;
    more.extra.push_back(training_example{"an extra example", lang::en, intent::smalltalk, role::user, 1.0f, false});
    EXPECT_NE(classifier::fingerprint(c, more), classifier::fingerprint(c, {}));
    EXPECT_FALSE(classifier::load(file, classifier::fingerprint(c, more), more).has_value());
    // A truncated or garbage file is ignored, not trusted.
    fs::resize_file(file, fs::file_size(file) / 2);
    EXPECT_FALSE(classifier::load(file, classifier::fingerprint(c, {}), {}).has_value());
    {
        std::ofstream junk(file, std::ios::binary | std::ios::trunc);
        junk << "not a model";
    }
    EXPECT_FALSE(classifier::load(file, classifier::fingerprint(c, {}), {}).has_value());
    fs::remove_all(dir);
}

namespace {

// The same answer to the bit: label, every probability, language and role.
void expect_same_answers(const classifier& a, const classifier& b, std::size_t limit)
{
    std::size_t n = 0;
    for (const auto& u : ab::test::builtin_content().utterances()) {
        if (n++ == limit)
            break;
        const auto x = a.classify(u.text);
        const auto y = b.classify(u.text);
        ASSERT_EQ(x.label, y.label) << u.text;
        ASSERT_EQ(x.confidence, y.confidence) << u.text;
        ASSERT_EQ(x.admin_probability, y.admin_probability) << u.text;
        ASSERT_EQ(x.language, y.language) << u.text;
        ASSERT_EQ(x.language_confidence, y.language_confidence) << u.text;
        ASSERT_EQ(x.ambiguous, y.ambiguous) << u.text;
    }
}

std::filesystem::path fresh_dir(const char* name)
{
    const auto dir = std::filesystem::temp_directory_path() / (std::string(name) + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

} // namespace

TEST(PrebuiltModel, IsTheModelTrainingGivesAndIsUsedWhereItLies)
{
    const auto image = prebuilt_model();
    ASSERT_GT(image.size(), 1000u);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(image.data()) % 64, 0u);
    const auto& c = ab::test::builtin_content();
    const auto dir = fresh_dir("ab-prebuilt");
    const classifier m = classifier::load_or_train(c, {}, dir / "model.cache", image);
    EXPECT_EQ(m.source(), classifier::origin::prebuilt);
    EXPECT_FALSE(std::filesystem::exists(dir / "model.cache")) << "nothing to cache: the executable holds the model";
    EXPECT_LT(m.memory_bytes(), 1024u) << "the weights stay in the image, only the biases are copied";
    EXPECT_EQ(m.training_examples(), c.utterances().size());
    const classifier trained = classifier::train(c);
    const std::string again = trained.image();
    ASSERT_EQ(again.size(), image.size());
    EXPECT_EQ(std::memcmp(again.data(), image.data(), image.size()), 0) << "training is deterministic: the build's image is what this code trains";
    expect_same_answers(m, trained, 400);
    std::filesystem::remove_all(dir);
}

TEST(PrebuiltModel, IsIgnoredForOtherContentOrOptions)
{
    const auto& c = ab::test::builtin_content();
    engine_options more;
    more.extra.push_back(training_example{"zorblax quandary", lang::en, intent::consumer_chat, role::user, 1.0f, false});
    const auto dir = fresh_dir("ab-prebuilt-other");
    const classifier m = classifier::load_or_train(c, more, dir / "model.cache", prebuilt_model());
    EXPECT_EQ(m.source(), classifier::origin::trained);
    EXPECT_EQ(m.training_examples(), c.utterances().size() + 1);
    EXPECT_TRUE(std::filesystem::exists(dir / "model.cache"));
    EXPECT_EQ(classifier::load_or_train(c, more, dir / "model.cache", prebuilt_model()).source(), classifier::origin::cache);
    EXPECT_FALSE(classifier::from_image(prebuilt_model(), classifier::fingerprint(c, more), more, true).has_value());
    std::filesystem::remove_all(dir);
}

TEST(ModelImage, TruncatedOrDamagedImagesAreRejected)
{
    const auto image = prebuilt_model();
    const auto fp = classifier::fingerprint(ab::test::builtin_content(), {});
    ASSERT_TRUE(classifier::from_image(image, fp, {}, true).has_value());
    // Every cut in the header and the section boundaries, and a spread of cuts in between.
    std::vector<std::size_t> cuts;
    for (std::size_t n = 0; n < 256; ++n)
        cuts.push_back(n);
    for (std::size_t k = 1; k < 64; ++k)
        cuts.push_back(image.size() * k / 64);
    for (std::size_t n = 1; n <= 16; ++n)
        cuts.push_back(image.size() - n);
    for (std::size_t n : cuts)
        EXPECT_FALSE(classifier::from_image(image.first(n), fp, {}, true).has_value()) << n;
    // Trailing bytes, a wrong magic, a section length that does not match.
    std::vector<std::byte> copy(image.begin(), image.end());
    copy.push_back(std::byte{0});
    EXPECT_FALSE(classifier::from_image(copy, fp, {}, false).has_value());
    copy.pop_back();
    copy[0] = std::byte{'X'};
    EXPECT_FALSE(classifier::from_image(copy, fp, {}, false).has_value());
    copy[0] = image[0];
    copy[24] = std::byte{0xFF}; // the language table's scale section length
    EXPECT_FALSE(classifier::from_image(copy, fp, {}, false).has_value());
    copy[24] = image[24];
    ASSERT_TRUE(classifier::from_image(copy, fp, {}, false).has_value());
}

TEST(ModelImage, AnUnalignedImageIsCopiedNotMisread)
{
    const auto image = prebuilt_model();
    std::vector<std::byte> shifted(image.size() + 1);
    std::copy(image.begin(), image.end(), shifted.begin() + 1);
    const auto fp = classifier::fingerprint(ab::test::builtin_content(), {});
    const auto m = classifier::from_image(std::span(shifted).subspan(1), fp, {}, true);
    ASSERT_TRUE(m.has_value());
    EXPECT_GT(m->memory_bytes(), 1000000u) << "odd addresses cannot be viewed as int16: the weights are copied";
    std::vector<std::byte>().swap(shifted); // the copy must not depend on the buffer (ASan would see a read)
    expect_same_answers(*m, ab::test::builtin_classifier(), 200);
}

TEST(ModelImage, QuantizedWeightsKeepTheFloatModelsDecisions)
{
    // The stored weights are int16 with one scale per table. Against the float weights they were
    // made from, no table entry moves by more than half a step.
    const std::vector<float> values = {0.0f, 1.0f, -1.0f, 0.123456f, -3.75f, 3.75f, 1e-6f, -2.5e-3f};
    quantized_table t;
    t.assign(values);
    ASSERT_EQ(t.size(), values.size());
    EXPECT_FLOAT_EQ(t.scale(), 3.75f / 32767.0f);
    for (std::size_t i = 0; i < values.size(); ++i)
        EXPECT_LE(std::fabs(static_cast<float>(t.data()[i]) * t.scale() - values[i]), t.scale() / 2 + 1e-9f) << i;
    EXPECT_EQ(t.data()[4], -32767);
    EXPECT_EQ(t.data()[5], 32767);
    quantized_table zeros;
    zeros.assign(std::vector<float>(4, 0.0f));
    EXPECT_GT(zeros.scale(), 0.0f);
    EXPECT_EQ(zeros.data()[0], 0);
    const quantized_table copy = t; // a copy of an owned table owns its values
    t.assign(std::vector<float>(8, 9.0f));
    EXPECT_EQ(copy.data()[4], -32767);
}
