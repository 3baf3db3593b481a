#include "knowledge/classifier.hpp"

#include "knowledge/domain.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <unistd.h>
#include <cstring>
#include <fstream>
#include <optional>
#include <stdexcept>

namespace ab::knowledge {

namespace {

/// The product's own names for the two sides of the external/guest question, in every language
/// we answer in. Someone who names one of them ("how do I allow fabrikam.com for external access")
/// is not asked which one they mean.
struct named_side {
    intent side;
    std::vector<std::string> words; ///< folded words of the term
};

const std::vector<named_side>& named_sides()
{
    static const std::vector<named_side> sides = [] {
        const std::pair<intent, const char*> terms[] = {
            {intent::external_access, "external access"}, {intent::external_access, "federation"},
            {intent::external_access, "externe toegang"}, {intent::external_access, "federatie"},
            {intent::external_access, "extern åtkomst"},  {intent::external_access, "externer zugriff"},
            {intent::external_access, "externen zugriff"}, {intent::external_access, "föderation"},
            {intent::external_access, "accès externe"},   {intent::external_access, "fédération"},
            {intent::external_access, "acceso externo"},  {intent::external_access, "federación"},
            {intent::guest_access, "guest access"},       {intent::guest_access, "guest account"},
            {intent::guest_access, "guest user"},         {intent::guest_access, "as a guest"},
            {intent::guest_access, "gasttoegang"},        {intent::guest_access, "als gast"},
            {intent::guest_access, "gastaccount"},        {intent::guest_access, "gastgebruiker"},
            {intent::guest_access, "gäståtkomst"},        {intent::guest_access, "som gäst"},
            {intent::guest_access, "gästkonto"},          {intent::guest_access, "gästanvändare"},
            {intent::guest_access, "gastzugriff"},        {intent::guest_access, "gastkonto"},
            {intent::guest_access, "gastbenutzer"},       {intent::guest_access, "accès invité"},
            {intent::guest_access, "compte invité"},      {intent::guest_access, "utilisateur invité"},
            {intent::guest_access, "acceso de invitado"}, {intent::guest_access, "acceso de invitados"},
            {intent::guest_access, "como invitado"},      {intent::guest_access, "cuenta de invitado"},
            {intent::guest_access, "usuario invitado"},
        };
        std::vector<named_side> out;
        for (const auto& [side, term] : terms) {
            named_side n{side, {}};
            for (auto& w : split_folded(term))
                n.words.push_back(std::move(w.text));
            out.push_back(std::move(n));
        }
        return out;
    }();
    return sides;
}

/// The side the text names explicitly, if it names exactly one.
std::optional<intent> named_side_of(const std::vector<word>& words)
{
    bool ext = false;
    bool guest = false;
    for (const auto& n : named_sides()) {
        if (n.words.empty() || n.words.size() > words.size())
            continue;
        for (std::size_t i = 0; i + n.words.size() <= words.size(); ++i) {
            bool match = true;
            for (std::size_t k = 0; k < n.words.size() && match; ++k)
                match = words[i + k].text == n.words[k];
            if (match) {
                (n.side == intent::external_access ? ext : guest) = true;
                break;
            }
        }
    }
    if (ext == guest)
        return std::nullopt;
    return ext ? intent::external_access : intent::guest_access;
}

constexpr std::string_view cache_magic = "ABMODEL2"; // 2: int16 weight tables

std::vector<training_example> gather(const content& c, const engine_options& opt)
{
    std::vector<training_example> all;
    all.reserve(c.utterances().size() + opt.extra.size());
    for (const auto& u : c.utterances())
        all.push_back(training_example{u.text, u.language, u.label, u.speaker, 1.0f, u.ambiguous});
    all.insert(all.end(), opt.extra.begin(), opt.extra.end());
    return all;
}

std::uint64_t mix_in(std::uint64_t h, std::uint64_t v)
{
    return mix64(h ^ (v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2)));
}

} // namespace

std::uint64_t classifier::fingerprint(const content& c, const engine_options& opt)
{
    std::uint64_t h = fnv1a(cache_magic);
    for (const auto& e : gather(c, opt)) {
        h = mix_in(h, fnv1a(e.text));
        h = mix_in(h, (static_cast<std::uint64_t>(e.language) << 24) | (static_cast<std::uint64_t>(e.label) << 16) |
                          (static_cast<std::uint64_t>(e.speaker) << 8) | (e.ambiguous ? 1u : 0u));
        std::uint32_t wbits = 0;
        std::memcpy(&wbits, &e.weight, sizeof wbits);
        h = mix_in(h, wbits);
    }
    for (std::size_t li = 0; li < answer_language_count; ++li)
        for (std::size_t ii = 0; ii < intent_count; ++ii)
            if (const answer_text* a = c.answer(static_cast<intent>(ii), static_cast<lang>(li))) {
                h = mix_in(h, fnv1a(a->summary));
                h = mix_in(h, fnv1a(a->explanation));
            }
    h = mix_in(h, static_cast<std::uint64_t>(opt.training.epochs));
    std::uint32_t lr = 0;
    std::memcpy(&lr, &opt.training.learning_rate, sizeof lr);
    h = mix_in(h, lr);
    h = mix_in(h, opt.training.seed);
    h = mix_in(h, feature_dim);
    // The feature code itself: any change in tokenization, stemming or hashing changes these.
    for (std::string_view probe : {"Can I add anna@fabrikam.com as a guest? Set-CsTenantFederationConfiguration",
                                   "gäståtkomst Gastzugriff accès invité l'équipe gasttoegang 外部アクセス"}) {
        const auto f = extract_features(probe, lang::en);
        for (std::size_t k = 0; k < f.index.size(); ++k) {
            std::uint32_t vb = 0;
            std::memcpy(&vb, &f.value[k], sizeof vb);
            h = mix_in(h, (static_cast<std::uint64_t>(f.index[k]) << 32) | vb);
        }
        for (const auto& w : split_folded(probe))
            h = mix_in(h, fnv1a(stem(lang::de, w.text)));
    }
    return h;
}

const char* origin_name(classifier::origin o)
{
    switch (o) {
    case classifier::origin::prebuilt: return "prebuilt";
    case classifier::origin::cache: return "cache";
    case classifier::origin::trained: break;
    }
    return "trained";
}

std::string classifier::image() const
{
    model_writer out;
    out.raw(cache_magic);
    out.u64(fingerprint_);
    out.u64(examples_);
    language_.write(out);
    intents_.write(out);
    roles_.write(out);
    out.raw(cache_magic); // trailer: a complete image
    return out.take();
}

void classifier::save(const std::filesystem::path& file) const
{
    // A unique temporary name: several processes may write the same cache at once.
    static std::atomic<unsigned> counter{0};
    const auto tmp = std::filesystem::path(file.string() + ".tmp." + std::to_string(::getpid()) + "." +
                                           std::to_string(counter.fetch_add(1)));
    {
        const std::string bytes = image();
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out)
            throw std::runtime_error("[model.cache_write] cannot write " + tmp.string());
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out.flush())
            throw std::runtime_error("[model.cache_write] cannot write " + tmp.string());
    }
    std::error_code ec;
    std::filesystem::rename(tmp, file, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        throw std::runtime_error("[model.cache_write] cannot rename into " + file.string());
    }
}

std::optional<classifier> classifier::from_image(std::span<const std::byte> image, std::uint64_t expected, const engine_options& opt,
                                                 bool borrow)
{
    model_reader in(image, borrow);
    std::uint64_t fp = 0, examples = 0;
    if (!in.raw(cache_magic) || !in.u64(fp) || fp != expected || !in.u64(examples))
        return std::nullopt;
    classifier m;
    m.opt_ = opt;
    if (!m.language_.read(in) || !m.intents_.read(in) || !m.roles_.read(in) || !in.raw(cache_magic) || !in.at_end())
        return std::nullopt;
    m.examples_ = examples;
    m.fingerprint_ = fp;
    m.origin_ = borrow ? origin::prebuilt : origin::cache;
    return m;
}

std::optional<classifier> classifier::load(const std::filesystem::path& file, std::uint64_t expected, const engine_options& opt)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return std::nullopt;
    // The header first: a cache for other content is rejected without reading megabytes.
    std::string head(cache_magic.size() + sizeof(std::uint64_t), '\0');
    std::uint64_t fp = 0;
    if (!in.read(head.data(), static_cast<std::streamsize>(head.size())) || head.compare(0, cache_magic.size(), cache_magic) != 0)
        return std::nullopt;
    std::memcpy(&fp, head.data() + cache_magic.size(), sizeof fp);
    if (fp != expected)
        return std::nullopt;
    std::string bytes = std::move(head);
    char chunk[1 << 16];
    while (in.read(chunk, sizeof chunk) || in.gcount() > 0)
        bytes.append(chunk, static_cast<std::size_t>(in.gcount()));
    return from_image(std::as_bytes(std::span<const char>(bytes)), expected, opt, false);
}

classifier classifier::load_or_train(const content& c, const engine_options& opt, const std::filesystem::path& cache,
                                     std::span<const std::byte> prebuilt)
{
    const std::uint64_t fp = fingerprint(c, opt);
    if (!prebuilt.empty())
        if (auto m = from_image(prebuilt, fp, opt, true))
            return std::move(*m);
    if (cache.empty())
        return train(c, opt);
    if (auto m = load(cache, fp, opt))
        return std::move(*m);
    classifier m = train(c, opt);
    try {
        std::error_code ec;
        if (cache.has_parent_path())
            std::filesystem::create_directories(cache.parent_path(), ec);
        m.save(cache);
    } catch (const std::exception&) {
        // A read-only data directory only costs the next start another training run.
    }
    return m;
}

classifier classifier::train(const content& c, const engine_options& opt)
{
    const auto t0 = std::chrono::steady_clock::now();
    classifier m;
    m.opt_ = opt;
    m.fingerprint_ = fingerprint(c, opt);
    std::vector<training_example> all = gather(c, opt);

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
    if (out.ambiguous && named_side_of(words) == best)
        out.ambiguous = false; // they said which one they mean

    std::array<float, 2> rp{};
    roles_.probabilities(f, 1.0f, rp);
    out.admin_probability = rp[1];
    out.speaker = rp[1] >= 0.5f ? role::admin : role::user;
    return out;
}

} // namespace ab::knowledge
