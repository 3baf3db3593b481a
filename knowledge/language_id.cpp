#include "knowledge/language_id.hpp"

#include "knowledge/linear_model.hpp"

#include <algorithm>
#include <cmath>

namespace ab::knowledge {

namespace {

// Each word is one unit of evidence, shared between its identity (a known word is decisive for
// a short message: "moin", "hej") and its spelling (character n-grams carry unknown words and
// compounds). Without the split, the dozen n-grams of one word outvote the word itself.
template <class F>
void for_each_feature(const std::vector<word>& words, F&& f)
{
    static constexpr float word_weight = 2.0f;
    static constexpr float spelling_weight = 3.0f;
    std::string padded;
    std::size_t used = 0;
    for (const auto& w : words) {
        if (++used > 30)
            break; // 30 words settle the language; keeps long messages cheap
        if (!w.has_letter || w.text.find('.') != std::string::npos || w.text.find('@') != std::string::npos)
            continue;
        f(fnv1a(w.text, fnv1a("w:")), word_weight);
        padded.clear();
        padded.push_back(' ');
        padded.append(w.text);
        padded.push_back(' ');
        // n-grams of 1..4 code points over the padded word: sum of max(0, k - n + 1).
        int k = 0;
        for (char ch : padded)
            k += (static_cast<unsigned char>(ch) & 0xC0) != 0x80 ? 1 : 0;
        k = std::min(k, 65);
        int grams = 0;
        for (int n = 1; n <= 4; ++n)
            grams += std::max(0, k - n + 1);
        const float g = spelling_weight / static_cast<float>(std::max(grams, 1));
        for_each_char_ngram(padded, 1, 4, [&](std::string_view x) { f(fnv1a(x, fnv1a("c:")), g); });
    }
}

} // namespace

void language_id::train(const std::vector<std::pair<std::string_view, lang>>& samples)
{
    constexpr std::size_t L = answer_language_count;
    const std::size_t buckets = std::size_t{1} << bits;
    std::vector<float> counts(buckets * L, 0.0f);
    std::array<double, L> totals{};
    for (const auto& [text, l] : samples) {
        const auto li = static_cast<std::size_t>(l);
        if (li >= L)
            continue;
        for_each_feature(split_folded(text), [&](std::uint64_t h, float weight) {
            counts[bucket(h, bits) * L + li] += weight;
            totals[li] += weight;
        });
    }
    constexpr double alpha = 0.05;
    std::vector<float> table(buckets * L, 0.0f);
    for (std::size_t li = 0; li < L; ++li) {
        const double denom = totals[li] + alpha * static_cast<double>(buckets);
        for (std::size_t b = 0; b < buckets; ++b)
            table[b * L + li] = static_cast<float>(std::log((counts[b * L + li] + alpha) / denom));
    }
    table_.assign(table);
}

void language_id::write(model_writer& out) const
{
    table_.write(out);
}

bool language_id::read(model_reader& in)
{
    return table_.read(in, (std::size_t{1} << bits) * answer_language_count);
}

language_guess language_id::identify(std::string_view text, std::string_view hint) const
{
    return identify(text, split_folded(text.substr(0, std::min<std::size_t>(text.size(), 4000))), hint);
}

language_guess language_id::identify(std::string_view text, const std::vector<word>& words, std::string_view hint) const
{
    constexpr std::size_t L = answer_language_count;
    language_guess g;
    const script sc = dominant_script(text);
    if (sc == script::cjk || sc == script::cyrillic || sc == script::other) {
        g.language = lang::en;
        g.supported = false;
        g.confidence = 0;
        return g;
    }
    std::array<float, L> score{};
    const lang hinted = lang_from_code(hint);
    if (static_cast<std::size_t>(hinted) < L)
        score[static_cast<std::size_t>(hinted)] += prior_bonus;
    else
        score[0] += 0.75f; // no usable hint: lean towards English, the fallback language
    bool any = false;
    if (!table_.empty()) {
        std::array<float, L> evidence{};
        const std::int16_t* table = table_.data();
        for_each_feature(words, [&](std::uint64_t h, float weight) {
            any = true;
            const std::int16_t* row = &table[bucket(h, bits) * L];
            for (std::size_t li = 0; li < L; ++li)
                evidence[li] += weight * static_cast<float>(row[li]);
        });
        for (std::size_t li = 0; li < L; ++li)
            score[li] += evidence[li] * table_.scale();
    }
    const auto best = static_cast<std::size_t>(std::max_element(score.begin(), score.end()) - score.begin());
    float sum = 0;
    for (float s : score)
        sum += std::exp(s - score[best]);
    g.language = static_cast<lang>(best);
    g.confidence = 1.0f / sum;
    g.supported = any || sc == script::none;
    if (!any) {
        // No letters at all ("?", "👍"): keep the hint when it is a supported language.
        g.language = static_cast<std::size_t>(hinted) < L ? hinted : lang::en;
        g.confidence = 0;
        g.supported = true;
    }
    return g;
}

} // namespace ab::knowledge
