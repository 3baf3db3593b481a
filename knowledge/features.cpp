#include "knowledge/features.hpp"

#include "knowledge/domain.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <unordered_map>

namespace ab::knowledge {

namespace {

struct accumulator {
    sparse_vector v;

    void add(std::uint64_t h, float x)
    {
        v.index.push_back(bucket(h, feature_bits));
        v.value.push_back(x);
    }
    void add(std::string_view prefix, std::string_view s, float x) { add(fnv1a(s, fnv1a(prefix)), x); }
    std::size_t size() const { return v.index.size(); }
};

// Scales the features added since `from` so that that group has L2 norm `weight`.
void normalize_group(accumulator& acc, std::size_t from, float weight)
{
    double sq = 0;
    for (std::size_t i = from; i < acc.size(); ++i)
        sq += static_cast<double>(acc.v.value[i]) * acc.v.value[i];
    if (sq <= 0)
        return;
    const auto scale = static_cast<float>(weight / std::sqrt(sq));
    for (std::size_t i = from; i < acc.size(); ++i)
        acc.v.value[i] *= scale;
}

} // namespace

bool mentions_cmdlet(std::string_view text)
{
    static constexpr std::string_view verbs[] = {"set-cs", "get-cs", "new-cs", "grant-cs", "remove-cs", "connect-microsoftteams",
                                                 "new-azuread", "get-azuread", "set-azuread", "new-mg", "get-mg", "update-mg",
                                                 "set-spo", "get-spo", "new-team", "add-teamuser", "set-team"};
    for (std::size_t i = 0; i + 6 <= text.size(); ++i) {
        const char c = static_cast<char>(text[i] | 0x20);
        if (c != 's' && c != 'g' && c != 'n' && c != 'r' && c != 'c' && c != 'u' && c != 'a')
            continue;
        if (i > 0 && std::isalnum(static_cast<unsigned char>(text[i - 1])))
            continue;
        for (auto v : verbs)
            if (text.size() - i >= v.size() &&
                std::equal(v.begin(), v.end(), text.begin() + static_cast<std::ptrdiff_t>(i),
                           [](char x, char y) { return x == static_cast<char>(std::tolower(static_cast<unsigned char>(y))); }))
                return true;
    }
    return false;
}

sparse_vector extract_features(std::string_view text, lang l)
{
    if (text.size() > max_classified_bytes)
        text = text.substr(0, max_classified_bytes);
    return extract_features(text, split_folded(text), l);
}

sparse_vector extract_features(std::string_view text, const std::vector<word>& words, lang l)
{
    accumulator acc;
    acc.v.index.reserve(words.size() * 26 + 8);
    acc.v.value.reserve(words.size() * 26 + 8);

    // Words: stems and stem bigrams. Domains and e-mail addresses become placeholders so that
    // "fabrikam.com" and "adatum.com" mean the same thing.
    std::vector<std::string> stems;
    stems.reserve(words.size());
    bool has_domain = false, has_email = false;
    const bool has_cmdlet = mentions_cmdlet(text.substr(0, std::min(text.size(), max_classified_bytes)));
    for (const auto& w : words) {
        if (!w.has_letter)
            continue;
        if (w.text.find('@') != std::string::npos) {
            has_email = true;
            stems.emplace_back("<email>");
            continue;
        }
        if (w.text.find('.') != std::string::npos && looks_like_domain(w.text)) {
            has_domain = true;
            stems.emplace_back("<domain>");
            continue;
        }
        const std::string_view base = strip_elision(l, w.text);
        stems.push_back(w.is_cjk ? std::string(base) : stem(l, base));
    }
    // Group weights (words, stem bigrams, spelling), chosen by 5-fold CV on the dev set.
    constexpr float word_w = 1.0f;
    constexpr float bi_w = 0.7f;
    constexpr float char_w = 1.0f;
    std::size_t start = acc.size();
    for (const auto& s : stems)
        acc.add("u:", s, 1.0f);
    std::string bigram;
    for (std::size_t i = 0; i + 1 < stems.size(); ++i) {
        // (appended piecewise: GCC 12 raises a false -Wrestrict on a + "x" + b)
        bigram.assign(stems[i]);
        bigram.push_back('\x1f');
        bigram.append(stems[i + 1]);
        acc.add("b:", bigram, bi_w);
    }
    normalize_group(acc, start, word_w);

    // Character n-grams of the folded words, language independent.
    start = acc.size();
    std::string padded;
    for (const auto& w : words) {
        if (!w.has_letter || w.text.size() > 40)
            continue;
        padded.clear();
        padded.push_back(' ');
        padded.append(strip_elision(l, w.text));
        padded.push_back(' ');
        for_each_char_ngram(padded, 3, 5, [&](std::string_view g) { acc.add("c:", g, 1.0f); });
    }
    normalize_group(acc, start, char_w);

    start = acc.size();
    if (has_domain)
        acc.add("x:", "domain", 1.0f);
    if (has_email)
        acc.add("x:", "email", 1.0f);
    if (has_cmdlet)
        acc.add("x:", "cmdlet", 1.0f);
    const std::size_t n = stems.size();
    acc.add("x:", n <= 2 ? "len:short" : n <= 8 ? "len:mid" : n <= 25 ? "len:long" : "len:verylong", 0.5f);
    acc.add("x:", "bias", 0.3f);

    // Duplicate indices are left in: the model sums them, which is the same as merging.
    return std::move(acc.v);
}

} // namespace ab::knowledge
