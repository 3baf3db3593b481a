#pragma once
// Language identification from the text alone, for the six answer languages: a multinomial
// naive Bayes over character 1–4-grams and whole words, trained on the built-in utterances and
// answer texts. The Teams locale is only a weak prior (a fixed log-odds bonus): Microsoft's local
// test client always sends en-US, and "hoi" must still come out Dutch.

#include "knowledge/model_image.hpp"
#include "knowledge/text.hpp"

#include <array>
#include <string_view>
#include <utility>
#include <vector>

namespace ab::knowledge {

struct language_guess {
    lang language = lang::en;      ///< one of the six answer languages
    float confidence = 0;          ///< posterior of `language` among the six
    bool supported = true;         ///< false for non-Latin text (answered in English)
};

class language_id {
public:
    /// Trains on (text, language) pairs; languages outside the six are ignored.
    void train(const std::vector<std::pair<std::string_view, lang>>& samples);

    /// `hint` is the channel's locale ("en-US"), or empty.
    language_guess identify(std::string_view text, std::string_view hint) const;
    /// Same, with the words already split (split_folded).
    language_guess identify(std::string_view text, const std::vector<word>& words, std::string_view hint) const;

    /// Bytes of the table this model owns (0 when it is viewed in a prebuilt image).
    std::size_t memory_bytes() const { return table_.owned_bytes(); }

    void write(model_writer& out) const;
    bool read(model_reader& in);

    /// Log-odds bonus of the hinted language.
    static constexpr float prior_bonus = 1.5f;

private:
    static constexpr std::uint32_t bits = 16;
    quantized_table table_; ///< [bucket][language] log-probabilities
};

} // namespace ab::knowledge
