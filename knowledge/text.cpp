#include "knowledge/text.hpp"

#include <libstemmer.h>
#include <unicode/brkiter.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <memory>
#include <stdexcept>
#include <unordered_map>

namespace ab::knowledge {

namespace {

constexpr std::array<std::string_view, 8> codes = {"en", "nl", "sv", "de", "fr", "es", "ja", "other"};

// Decodes one code point; returns false on malformed input (and advances by one byte).
bool next_cp(std::string_view s, std::size_t& i, char32_t& cp)
{
    const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
    const std::size_t n = s.size();
    const std::uint8_t c = p[i];
    if (c < 0x80) {
        cp = c;
        ++i;
        return true;
    }
    int len = 0;
    char32_t v = 0;
    if ((c & 0xE0) == 0xC0 && c >= 0xC2) {
        len = 2;
        v = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        v = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07u;
    } else {
        ++i;
        return false;
    }
    if (i + static_cast<std::size_t>(len) > n) {
        ++i;
        return false;
    }
    for (int k = 1; k < len; ++k) {
        const std::uint8_t cc = p[i + static_cast<std::size_t>(k)];
        if ((cc & 0xC0) != 0x80) {
            ++i;
            return false;
        }
        v = (v << 6) | (cc & 0x3Fu);
    }
    // Reject overlong encodings, surrogates and out-of-range values.
    if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)) || (v >= 0xD800 && v <= 0xDFFF)) {
        ++i;
        return false;
    }
    cp = v;
    i += static_cast<std::size_t>(len);
    return true;
}

void append_utf8(std::string& out, char32_t cp)
{
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

// Windows-1252 byte for a code point, or -1 when the code point has none. The five bytes
// cp1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) come back through Latin-1.
int cp1252_byte(char32_t cp)
{
    if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF) || (cp >= 0x80 && cp <= 0x9F))
        return static_cast<int>(cp);
    switch (cp) {
    case 0x20AC: return 0x80;
    case 0x201A: return 0x82;
    case 0x0192: return 0x83;
    case 0x201E: return 0x84;
    case 0x2026: return 0x85;
    case 0x2020: return 0x86;
    case 0x2021: return 0x87;
    case 0x02C6: return 0x88;
    case 0x2030: return 0x89;
    case 0x0160: return 0x8A;
    case 0x2039: return 0x8B;
    case 0x0152: return 0x8C;
    case 0x017D: return 0x8E;
    case 0x2018: return 0x91;
    case 0x2019: return 0x92;
    case 0x201C: return 0x93;
    case 0x201D: return 0x94;
    case 0x2022: return 0x95;
    case 0x2013: return 0x96;
    case 0x2014: return 0x97;
    case 0x02DC: return 0x98;
    case 0x2122: return 0x99;
    case 0x0161: return 0x9A;
    case 0x203A: return 0x9B;
    case 0x0153: return 0x9C;
    case 0x017E: return 0x9E;
    case 0x0178: return 0x9F;
    default: return -1;
    }
}

const icu::Normalizer2& nfkc_cf()
{
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFKCCasefoldInstance(status);
    if (U_FAILURE(status) || n == nullptr)
        throw std::runtime_error("[text.icu_normalizer] cannot load NFKC_Casefold data");
    return *n;
}

icu::BreakIterator& word_breaker()
{
    thread_local std::unique_ptr<icu::BreakIterator> it = [] {
        UErrorCode status = U_ZERO_ERROR;
        std::unique_ptr<icu::BreakIterator> b(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
        if (U_FAILURE(status) || !b)
            throw std::runtime_error("[text.icu_breakiterator] cannot create word break iterator");
        return b;
    }();
    return *it;
}

// Folds punctuation variants and Unicode spaces that NFKC_Casefold keeps apart.
UChar fold_punct(UChar c)
{
    switch (c) {
    case 0x2018: case 0x2019: case 0x201B: case 0x2032: case 0x00B4: case 0x0060: case 0x02BC:
        return u'\'';
    case 0x201C: case 0x201D: case 0x201E: case 0x00AB: case 0x00BB:
        return u'"';
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2212:
        return u'-';
    case 0x00A0: case 0x202F: case 0x2007: case 0x200B: case 0x2009: case 0x200A: case 0x3000: case 0x0009:
    case 0x000D: case 0x000A: case 0xFEFF:
        return u' ';
    default:
        return c;
    }
}

std::string fold_unicode(icu::UnicodeString u)
{
    const int32_t n = u.length();
    for (int32_t i = 0; i < n; ++i) {
        const UChar c = u.charAt(i);
        const UChar f = fold_punct(c);
        if (f != c)
            u.setCharAt(i, f);
    }
    UErrorCode status = U_ZERO_ERROR;
    icu::UnicodeString out = nfkc_cf().normalize(u, status);
    if (U_FAILURE(status))
        return {};
    std::string s;
    out.toUTF8String(s);
    // Collapse runs of spaces and trim.
    std::string r;
    r.reserve(s.size());
    bool space = true;
    for (char c : s) {
        if (c == ' ') {
            if (!space)
                r.push_back(' ');
            space = true;
        } else {
            r.push_back(c);
            space = false;
        }
    }
    while (!r.empty() && r.back() == ' ')
        r.pop_back();
    return r;
}

struct stemmer_deleter {
    void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
};

sb_stemmer* stemmer_for(lang l)
{
    thread_local std::array<std::unique_ptr<sb_stemmer, stemmer_deleter>, 6> pool;
    const auto idx = static_cast<std::size_t>(l);
    if (idx >= pool.size())
        return nullptr;
    if (!pool[idx]) {
        static constexpr std::array<const char*, 6> names = {"english", "dutch", "swedish", "german", "french", "spanish"};
        pool[idx].reset(sb_stemmer_new(names[idx], "UTF_8"));
    }
    return pool[idx].get();
}

} // namespace

std::string_view lang_code(lang l)
{
    return codes[static_cast<std::size_t>(l)];
}

lang lang_from_code(std::string_view code)
{
    if (code.size() < 2)
        return lang::other;
    const char a = static_cast<char>(code[0] | 0x20);
    const char b = static_cast<char>(code[1] | 0x20);
    if (code.size() > 2 && code[2] != '-' && code[2] != '_')
        return lang::other;
    for (std::size_t i = 0; i + 1 < codes.size(); ++i)
        if (codes[i][0] == a && codes[i][1] == b)
            return static_cast<lang>(i);
    return lang::other;
}

bool valid_utf8(std::string_view s)
{
    std::size_t i = 0;
    char32_t cp = 0;
    while (i < s.size())
        if (!next_cp(s, i, cp))
            return false;
    return true;
}

std::string sanitize_utf8(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        const std::size_t start = i;
        char32_t cp = 0;
        if (next_cp(s, i, cp))
            out.append(s.substr(start, i - start));
        else
            out.append("\xEF\xBF\xBD");
    }
    return out;
}

std::string repair_mojibake(std::string_view s)
{
    // Fast path: a UTF-8 lead byte read as Windows-1252 is one of U+00C2..U+00F4, which UTF-8
    // encodes with the byte 0xC3; text without it has no mojibake.
    if (s.find('\xC3') == std::string_view::npos)
        return std::string(s);
    std::string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        const std::size_t start = i;
        char32_t cp = 0;
        if (!next_cp(s, i, cp)) {
            out.append("\xEF\xBF\xBD");
            continue;
        }
        if (cp < 0x80 || cp1252_byte(cp) < 0) {
            out.append(s.substr(start, i - start));
            continue;
        }
        // Collect a run of non-ASCII characters that all have a cp1252 byte.
        std::string bytes;
        std::size_t run_end = i;
        bytes.push_back(static_cast<char>(cp1252_byte(cp)));
        std::vector<std::size_t> ends{i};
        while (run_end < s.size()) {
            std::size_t j = run_end;
            char32_t c2 = 0;
            if (!next_cp(s, j, c2) || c2 < 0x80)
                break;
            const int b = cp1252_byte(c2);
            if (b < 0)
                break;
            bytes.push_back(static_cast<char>(b));
            run_end = j;
            ends.push_back(j);
        }
        // Decode greedily: each valid multi-byte sequence in `bytes` replaces the characters it
        // came from; anything else is kept as it was. Character k of the run is byte k.
        std::size_t bi = 0;
        while (bi < bytes.size()) {
            const std::size_t char_start = bi == 0 ? start : ends[bi - 1];
            std::size_t bj = bi;
            char32_t dec = 0;
            if (next_cp(bytes, bj, dec) && bj - bi >= 2) {
                append_utf8(out, dec);
                bi = bj;
            } else {
                out.append(s.substr(char_start, ends[bi] - char_start));
                ++bi;
            }
        }
        i = run_end;
    }
    return out;
}

std::string fold(std::string_view s)
{
    const std::string clean = valid_utf8(s) ? std::string(s) : sanitize_utf8(s);
    return fold_unicode(icu::UnicodeString::fromUTF8(icu::StringPiece(clean.data(), static_cast<int32_t>(clean.size()))));
}

script dominant_script(std::string_view s)
{
    std::array<int, 4> counts{};
    std::size_t i = 0;
    while (i < s.size()) {
        char32_t cp = 0;
        if (!next_cp(s, i, cp) || cp < 0x41)
            continue;
        if (cp < 0x80) {
            if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
                ++counts[0];
            continue;
        }
        if (!u_isalpha(static_cast<UChar32>(cp)))
            continue;
        UErrorCode err = U_ZERO_ERROR;
        const UScriptCode sc = uscript_getScript(static_cast<UChar32>(cp), &err);
        switch (sc) {
        case USCRIPT_LATIN: ++counts[0]; break;
        case USCRIPT_HAN: case USCRIPT_HIRAGANA: case USCRIPT_KATAKANA: case USCRIPT_HANGUL: ++counts[1]; break;
        case USCRIPT_CYRILLIC: ++counts[2]; break;
        default: ++counts[3]; break;
        }
    }
    const auto best = std::max_element(counts.begin(), counts.end());
    if (*best == 0)
        return script::none;
    return static_cast<script>(best - counts.begin());
}

std::vector<std::size_t> code_point_offsets(std::string_view s)
{
    std::vector<std::size_t> offs;
    offs.reserve(s.size() + 1);
    std::size_t i = 0;
    while (i < s.size()) {
        offs.push_back(i);
        char32_t cp = 0;
        next_cp(s, i, cp);
    }
    offs.push_back(s.size());
    return offs;
}

std::vector<word> split_words(std::string_view input)
{
    std::vector<word> words;
    const std::string clean = valid_utf8(input) ? std::string(input) : sanitize_utf8(input);
    const std::string_view s = clean;
    // UTF-16 copy with a map from UTF-16 index to byte offset.
    icu::UnicodeString u;
    std::vector<std::size_t> byte_at;
    byte_at.reserve(s.size() + 1);
    std::size_t i = 0;
    while (i < s.size()) {
        const std::size_t start = i;
        char32_t cp = 0;
        next_cp(s, i, cp);
        const UChar32 c = static_cast<UChar32>(cp);
        u.append(c);
        byte_at.push_back(start);
        if (c > 0xFFFF)
            byte_at.push_back(start);
    }
    byte_at.push_back(s.size());

    icu::BreakIterator& bi = word_breaker();
    bi.setText(u);
    int32_t prev = bi.first();
    for (int32_t next = bi.next(); next != icu::BreakIterator::DONE; prev = next, next = bi.next()) {
        const int32_t status = bi.getRuleStatus();
        if (status < UBRK_WORD_NONE_LIMIT)
            continue; // spaces and punctuation
        word w;
        w.begin = byte_at[static_cast<std::size_t>(prev)];
        w.end = byte_at[static_cast<std::size_t>(next)];
        w.has_letter = status >= UBRK_WORD_LETTER;
        w.is_cjk = status >= UBRK_WORD_KANA;
        w.text = fold_unicode(icu::UnicodeString(u, prev, next - prev));
        if (w.text.empty())
            continue;
        // The breaker keeps "fabrikam.com" and "l'accès" together; trailing apostrophes and dots
        // are noise ("guests'").
        while (!w.text.empty() && (w.text.back() == '\'' || w.text.back() == '.'))
            w.text.pop_back();
        if (!w.text.empty())
            words.push_back(std::move(w));
    }
    return words;
}

std::vector<word> split_folded(std::string_view input)
{
    std::vector<word> words;
    std::string sanitized;
    std::string_view clean = input;
    if (!valid_utf8(input)) {
        sanitized = sanitize_utf8(input);
        clean = sanitized;
    }
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(clean.data(), static_cast<int32_t>(clean.size())));
    {
        const int32_t n = u.length();
        UChar* buf = u.getBuffer(n);
        if (buf != nullptr) {
            for (int32_t i = 0; i < n; ++i)
                buf[i] = fold_punct(buf[i]);
            u.releaseBuffer(n);
        }
    }
    UErrorCode status = U_ZERO_ERROR;
    const icu::UnicodeString folded = nfkc_cf().normalize(u, status);
    if (U_FAILURE(status))
        return words;
    icu::BreakIterator& bi = word_breaker();
    bi.setText(folded);
    int32_t prev = bi.first();
    for (int32_t next = bi.next(); next != icu::BreakIterator::DONE; prev = next, next = bi.next()) {
        const int32_t rule = bi.getRuleStatus();
        if (rule < UBRK_WORD_NONE_LIMIT)
            continue;
        word w;
        w.has_letter = rule >= UBRK_WORD_LETTER;
        w.is_cjk = rule >= UBRK_WORD_KANA;
        folded.tempSubString(prev, next - prev).toUTF8String(w.text);
        while (!w.text.empty() && (w.text.back() == '\'' || w.text.back() == '.'))
            w.text.pop_back();
        if (!w.text.empty())
            words.push_back(std::move(w));
    }
    return words;
}

std::string_view strip_elision(lang l, std::string_view w)
{
    if (l != lang::fr && l != lang::other && l != lang::en)
        return w;
    const auto apos = w.find('\'');
    if (apos == std::string_view::npos || apos == 0 || apos > 3 || apos + 1 >= w.size())
        return w;
    const std::string_view head = w.substr(0, apos);
    static constexpr std::array<std::string_view, 10> elided = {"l", "d", "j", "qu", "n", "s", "c", "m", "t", "jusqu"};
    if (l == lang::en)
        return w; // English contractions (can't, don't) are words of their own
    for (auto e : elided)
        if (head == e)
            return w.substr(apos + 1);
    return w;
}

std::string stem(lang l, std::string_view folded_word)
{
    sb_stemmer* st = stemmer_for(l);
    if (st == nullptr || folded_word.size() > 64)
        return std::string(folded_word);
    // Per-thread memo: the same few thousand words come back all the time. Bounded: cleared
    // when it grows past the limit.
    struct memo_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return static_cast<std::size_t>(fnv1a(s)); }
    };
    thread_local std::array<std::unordered_map<std::string, std::string, memo_hash, std::equal_to<>>, answer_language_count> memo;
    auto& m = memo[static_cast<std::size_t>(l)];
    if (auto it = m.find(folded_word); it != m.end())
        return it->second;
    if (m.size() > 50000)
        m.clear();
    const sb_symbol* r =
        sb_stemmer_stem(st, reinterpret_cast<const sb_symbol*>(folded_word.data()), static_cast<int>(folded_word.size()));
    if (r == nullptr)
        return std::string(folded_word);
    std::string result(reinterpret_cast<const char*>(r), static_cast<std::size_t>(sb_stemmer_length(st)));
    m.emplace(std::string(folded_word), result);
    return result;
}

bool is_stopword(lang l, std::string_view w)
{
    static constexpr std::string_view en[] = {"a", "an", "the", "and", "or", "to", "of", "in", "on", "for", "with", "is", "are", "i", "we", "my", "our", "it", "be", "do", "can", "how", "what", "this", "that", "me", "you", "at", "so", "but", "if", "from", "by", "as", "have", "has", "was", "they", "them", "there", "their", "its", "am", "not", "any", "all", "some", "just", "get"};
    static constexpr std::string_view nl[] = {"de", "het", "een", "en", "of", "van", "in", "op", "voor", "met", "is", "zijn", "ik", "we", "wij", "mijn", "ons", "onze", "het", "dat", "die", "dit", "te", "aan", "hoe", "wat", "kan", "kun", "je", "u", "er", "om", "maar", "als", "niet", "bij", "naar", "ze", "hij", "zij", "wel", "ook", "nog"};
    static constexpr std::string_view sv[] = {"en", "ett", "och", "eller", "att", "av", "i", "på", "för", "med", "är", "jag", "vi", "min", "mitt", "vår", "vårt", "det", "den", "som", "till", "hur", "vad", "kan", "du", "man", "om", "men", "inte", "de", "dem", "har", "så", "från", "hon", "han", "sig"};
    static constexpr std::string_view de[] = {"der", "die", "das", "ein", "eine", "einen", "und", "oder", "zu", "von", "in", "im", "auf", "für", "mit", "ist", "sind", "ich", "wir", "mein", "meine", "unser", "unsere", "es", "dass", "wie", "was", "kann", "können", "sie", "man", "den", "dem", "des", "nicht", "aber", "wenn", "bei", "an", "auch", "noch", "so", "mich", "mir"};
    static constexpr std::string_view fr[] = {"le", "la", "les", "un", "une", "des", "et", "ou", "de", "du", "à", "au", "aux", "en", "dans", "sur", "pour", "avec", "est", "sont", "je", "nous", "mon", "ma", "mes", "notre", "nos", "il", "elle", "ce", "cette", "que", "qui", "comment", "quoi", "peut", "peux", "on", "vous", "ne", "pas", "se", "sa", "son", "leur", "mais", "si", "par", "y"};
    static constexpr std::string_view es[] = {"el", "la", "los", "las", "un", "una", "y", "o", "de", "del", "a", "al", "en", "para", "con", "es", "son", "yo", "nosotros", "mi", "mis", "nuestro", "nuestra", "lo", "que", "cómo", "como", "qué", "puedo", "puede", "se", "su", "sus", "no", "por", "pero", "si", "me", "le", "les"};
    auto in = [w](const auto& list) { return std::find(std::begin(list), std::end(list), w) != std::end(list); };
    switch (l) {
    case lang::en: return in(en);
    case lang::nl: return in(nl);
    case lang::sv: return in(sv);
    case lang::de: return in(de);
    case lang::fr: return in(fr);
    case lang::es: return in(es);
    default: return false;
    }
}

} // namespace ab::knowledge
