#pragma once
// The intent engine: language identification, intent (with calibrated confidence, an explicit
// out-of-scope decision and an external-vs-guest ambiguity signal), role and organization domain.
// Built once from the content (plus optional extra labelled examples), then const and safe to
// use from any number of threads.

#include "knowledge/content.hpp"
#include "knowledge/language_id.hpp"
#include "knowledge/linear_model.hpp"

#include <filesystem>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ab::knowledge {

struct training_example {
    std::string text;
    lang language = lang::en;
    intent label = intent::out_of_scope;
    role speaker = role::user;
    float weight = 1.0f;
    bool ambiguous = false; ///< external vs guest access cannot be told apart
};

struct scored_intent {
    intent label;
    float probability;
};

struct classification {
    lang language = lang::en;          ///< answer language (one of the six; English when unknown)
    float language_confidence = 0;
    bool language_supported = true;    ///< false when the text is in a language we do not speak
    intent label = intent::out_of_scope;
    float confidence = 0;              ///< calibrated probability of `label`
    bool ambiguous = false;            ///< external vs guest access cannot be told apart: ask
    std::vector<scored_intent> alternatives; ///< top intents, best first (includes `label`)
    role speaker = role::user;
    float admin_probability = 0;
    std::optional<std::string> domain;
};

struct engine_options {
    std::vector<training_example> extra; ///< added to the built-in utterances
    training_options training;
    // Decision thresholds chosen by 5-fold cross-validation on ../shared/eval/dev.jsonl
    // (`access-bot eval --cv 5 --set name=value`); see the issue notes for the sweep.
    /// Softmax temperature.
    float temperature = 1.0f;
    /// Below this probability an in-scope prediction goes to out_of_scope ...
    float out_of_scope_threshold = 0.45f;
    /// ... when out_of_scope is at least this probable.
    float out_of_scope_floor = 0.10f;
    /// The model has a tenth class for "external or guest, cannot tell"; its probability is
    /// shared between the two, and the message is flagged ambiguous when it reaches this ...
    float ambiguity_threshold = 0.25f;
    /// ... or when {external, guest} are the top two and p2 >= ratio * p1.
    float ambiguity_ratio = 0.45f;
};

class classifier {
public:
    /// Trains on the content's utterances plus `opt.extra`. Deterministic.
    static classifier train(const content& c, const engine_options& opt = {});

    /// Where a model came from: trained in this process, read from a cache file, or the prebuilt
    /// image compiled into the executable.
    enum class origin { trained, cache, prebuilt };

    /// The model for this content and these options, from the first source that holds exactly
    /// this model (same content, options and feature code): the `prebuilt` image (used in place,
    /// no copy, no file), the cache file, or else training, after which the cache is rewritten
    /// (atomically). A cache that cannot be read or written is not an error: the model is trained
    /// in memory. An empty `cache` path means no cache file.
    static classifier load_or_train(const content& c, const engine_options& opt, const std::filesystem::path& cache,
                                    std::span<const std::byte> prebuilt = {});

    /// Identifies training data + options + feature extraction code.
    static std::uint64_t fingerprint(const content& c, const engine_options& opt);

    /// The model as bytes (model_image.hpp): what save() writes and the build embeds.
    std::string image() const;
    void save(const std::filesystem::path& file) const;
    /// nullopt when the file is missing, truncated or for another fingerprint.
    static std::optional<classifier> load(const std::filesystem::path& file, std::uint64_t expected_fingerprint,
                                          const engine_options& opt);
    /// nullopt when the image is truncated, malformed or for another fingerprint. With `borrow`,
    /// the model views the weights where they lie: the image must outlive the model (the
    /// executable's read-only data does).
    static std::optional<classifier> from_image(std::span<const std::byte> image, std::uint64_t expected_fingerprint,
                                                const engine_options& opt, bool borrow);

    classification classify(std::string_view text, std::string_view locale_hint = {}) const;
    origin source() const { return origin_; }

    std::size_t training_examples() const { return examples_; }
    double training_ms() const { return training_ms_; }
    /// Heap bytes of the weights (a prebuilt model views them in the executable: close to 0).
    std::size_t memory_bytes() const;
    const engine_options& options() const { return opt_; }

private:
    engine_options opt_;
    language_id language_;
    static constexpr std::size_t ambiguous_class = intent_count; ///< the tenth output
    linear_model intents_{intent_count + 1};
    linear_model roles_{2};
    std::size_t examples_ = 0;
    double training_ms_ = 0;
    std::uint64_t fingerprint_ = 0;
    origin origin_ = origin::trained;
};

/// "trained", "cache" or "prebuilt".
const char* origin_name(classifier::origin o);

} // namespace ab::knowledge
