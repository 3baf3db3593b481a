#include "knowledge/language_id.hpp"

#include <algorithm>
#include <cmath>

namespace ab::knowledge {

namespace {

template <class F>
void for_each_feature(std::string_view text, F&& f)
{
    const auto words = split_words(text.substr(0, std::min<std::size_t>(text.size(), 2000)));
    std::string padded;
    for (const auto& w : words) {
        if (!w.has_letter || w.text.find('.') != std::string::npos || w.text.find('@') != std::string::npos)
            continue;
        f(fnv1a(w.text, fnv1a("w:")), 2.0f);
        padded.clear();
        padded.push_back(' ');
        padded.append(w.text);
        padded.push_back(' ');
        for_each_char_ngram(padded, 1, 4, [&](std::string_view g) { f(fnv1a(g, fnv1a("c:")), 1.0f); });
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
        for_each_feature(text, [&](std::uint64_t h, float weight) {
            counts[(h >> (64 - bits)) * L + li] += weight;
            totals[li] += weight;
        });
    }
    constexpr double alpha = 0.05;
    table_.assign(buckets * L, 0.0f);
    for (std::size_t li = 0; li < L; ++li) {
        const double denom = totals[li] + alpha * static_cast<double>(buckets);
        unseen_[li] = static_cast<float>(std::log(alpha / denom));
        for (std::size_t b = 0; b < buckets; ++b)
            table_[b * L + li] = static_cast<float>(std::log((counts[b * L + li] + alpha) / denom));
    }
}

language_guess language_id::identify(std::string_view text, std::string_view hint) const
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
        score[0] += 0.25f; // no usable hint: lean towards English, the fallback language
    bool any = false;
    if (!table_.empty())
        for_each_feature(text, [&](std::uint64_t h, float weight) {
            any = true;
            const float* row = &table_[(h >> (64 - bits)) * L];
            for (std::size_t li = 0; li < L; ++li)
                score[li] += weight * row[li];
        });
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
