#include "knowledge/classifier.hpp"

#include "knowledge/domain.hpp"

#include <algorithm>
#include <array>
#include <chrono>

namespace ab::knowledge {

classifier classifier::train(const content& c, const engine_options& opt)
{
    const auto t0 = std::chrono::steady_clock::now();
    classifier m;
    m.opt_ = opt;

    std::vector<training_example> all;
    all.reserve(c.utterances().size() + opt.extra.size());
    for (const auto& u : c.utterances())
        all.push_back(training_example{u.text, u.language, u.label, u.speaker, 1.0f, u.ambiguous});
    all.insert(all.end(), opt.extra.begin(), opt.extra.end());

    // Language identification learns from utterances and answer texts.
    std::vector<std::pair<std::string_view, lang>> lang_samples;
    lang_samples.reserve(all.size() + 64);
    for (const auto& e : all)
        lang_samples.emplace_back(e.text, e.language);
    for (std::size_t li = 0; li < answer_language_count; ++li) {
        const auto l = static_cast<lang>(li);
        for (std::size_t ii = 0; ii < intent_count; ++ii) {
            const answer_text* a = c.answer(static_cast<intent>(ii), l);
            if (a == nullptr || a == c.answer(static_cast<intent>(ii), lang::other))
                continue;
            lang_samples.emplace_back(a->summary, l);
            lang_samples.emplace_back(a->explanation, l);
        }
    }
    m.language_.train(lang_samples);

    std::vector<sparse_vector> x;
    std::vector<std::uint8_t> y, r;
    std::vector<float> w;
    x.reserve(all.size());
    for (const auto& e : all) {
        x.push_back(extract_features(e.text, e.language));
        const bool split = e.ambiguous && (e.label == intent::external_access || e.label == intent::guest_access);
        y.push_back(static_cast<std::uint8_t>(split ? ambiguous_class : static_cast<std::size_t>(e.label)));
        r.push_back(e.speaker == role::admin ? 1 : 0);
        w.push_back(e.weight);
    }
    m.intents_.train(x, y, w, opt.training);
    training_options role_opt = opt.training;
    role_opt.epochs = std::max(4, opt.training.epochs / 2);
    m.roles_.train(x, r, w, role_opt);
    m.examples_ = all.size();
    m.training_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return m;
}

std::size_t classifier::memory_bytes() const
{
    return language_.memory_bytes() + intents_.memory_bytes() + roles_.memory_bytes();
}

classification classifier::classify(std::string_view raw, std::string_view locale_hint) const
{
    classification out;
    std::string repaired = repair_mojibake(raw.substr(0, std::min(raw.size(), max_classified_bytes)));
    const std::string_view text = repaired;

    const std::vector<word> words = split_folded(text);
    const language_guess g = language_.identify(text, words, locale_hint);
    out.language = g.language;
    out.language_confidence = g.confidence;
    out.language_supported = g.supported;
    out.domain = extract_domain(text);

    const sparse_vector f = extract_features(text, words, g.language);
    bool has_letters = false;
    for (const auto& w : words)
        has_letters |= w.has_letter;
    if (!has_letters) {
        // Nothing to read (an emoji, a bare mention): greet and offer help.
        out.label = intent::smalltalk;
        out.confidence = 1.0f;
        out.alternatives = {{intent::smalltalk, 1.0f}};
        return out;
    }

    std::array<float, intent_count + 1> p_all{};
    intents_.probabilities(f, opt_.temperature, p_all);
    // Share the "external or guest" class between the two, in proportion to their own odds.
    std::array<float, intent_count> p{};
    for (std::size_t i = 0; i < intent_count; ++i)
        p[i] = p_all[i];
    const auto ext = static_cast<std::size_t>(intent::external_access);
    const auto guest = static_cast<std::size_t>(intent::guest_access);
    const float p_amb = p_all[ambiguous_class];
    const float pair = p[ext] + p[guest];
    const float share = pair > 0 ? p[ext] / pair : 0.5f;
    p[ext] += p_amb * share;
    p[guest] += p_amb * (1.0f - share);

    std::array<std::size_t, intent_count> order{};
    for (std::size_t i = 0; i < intent_count; ++i)
        order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });

    auto best = static_cast<intent>(order[0]);
    const float p_oos = p[static_cast<std::size_t>(intent::out_of_scope)];
    // Out-of-scope decision: a weak in-scope guess loses to a plausible "not ours".
    if (best != intent::out_of_scope && p[order[0]] < opt_.out_of_scope_threshold && p_oos >= opt_.out_of_scope_floor)
        best = intent::out_of_scope;
    out.label = best;
    out.confidence = p[static_cast<std::size_t>(best)];
    for (std::size_t k = 0; k < 3; ++k)
        out.alternatives.push_back({static_cast<intent>(order[k]), p[order[k]]});
    if (best == intent::out_of_scope && order[0] != static_cast<std::size_t>(intent::out_of_scope)) {
        // Keep the alternatives list best-first with the decided label in front.
        std::stable_partition(out.alternatives.begin(), out.alternatives.end(),
                              [](const scored_intent& s) { return s.label == intent::out_of_scope; });
        if (out.alternatives.front().label != intent::out_of_scope)
            out.alternatives.insert(out.alternatives.begin(), {intent::out_of_scope, p_oos});
    }

    const bool pair_on_top = (order[0] == ext && order[1] == guest) || (order[0] == guest && order[1] == ext);
    const bool is_ext_or_guest = best == intent::external_access || best == intent::guest_access;
    out.ambiguous = is_ext_or_guest &&
                    (p_amb >= opt_.ambiguity_threshold || (pair_on_top && p[order[1]] >= opt_.ambiguity_ratio * p[order[0]]));

    std::array<float, 2> rp{};
    roles_.probabilities(f, 1.0f, rp);
    out.admin_probability = rp[1];
    out.speaker = rp[1] >= 0.5f ? role::admin : role::user;
    return out;
}

} // namespace ab::knowledge
