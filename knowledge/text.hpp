#pragma once
// Text analysis shared by language identification, the intent classifier and the article index:
// mojibake repair, Unicode normalization (NFKC + case folding, via ICU), word breaking (ICU
// dictionary-based, so Japanese works), script detection, Snowball stemming per language and
// character n-grams. All functions are thread-safe; ICU and Snowball objects are cached per thread.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ab::knowledge {

/// The six languages the bot answers in, plus Japanese (indexed articles only) and "other".
enum class lang : std::uint8_t { en, nl, sv, de, fr, es, ja, other };
inline constexpr std::size_t answer_language_count = 6;

std::string_view lang_code(lang l);
/// "nl", "nl-NL", "NL_nl" → lang::nl; anything unknown → lang::other.
lang lang_from_code(std::string_view code);

/// True when `s` is well-formed UTF-8.
bool valid_utf8(std::string_view s);
/// Replaces invalid UTF-8 sequences with U+FFFD.
std::string sanitize_utf8(std::string_view s);

/// Repairs UTF-8 text that was decoded as Windows-1252 and re-encoded ("youâ€™d" → "you’d",
/// "Ã©" → "é"). Only runs of non-ASCII characters whose Windows-1252 bytes form valid
/// multi-byte UTF-8 are rewritten, so correct Latin-1 text is left alone.
std::string repair_mojibake(std::string_view s);

/// NFKC + Unicode case folding, typographic quotes/dashes folded to ASCII, Unicode white space
/// (NBSP, narrow NBSP, zero-width space) folded to one ASCII space. Input must be valid UTF-8.
std::string fold(std::string_view s);

enum class script : std::uint8_t { latin, cjk, cyrillic, other, none };
/// Dominant script of the letters in `s`.
script dominant_script(std::string_view s);

struct word {
    std::string text;        ///< folded form
    std::size_t begin = 0;   ///< byte offset in the input
    std::size_t end = 0;
    bool has_letter = false;
    bool is_cjk = false;
};

/// ICU word segmentation of `s` (valid UTF-8); returns words and numbers, not spaces or
/// punctuation. Offsets refer to `s`. Words are folded.
std::vector<word> split_words(std::string_view s);

/// Faster variant for classification: folds the whole text once, then segments the folded
/// text. Same words as split_words, without offsets.
std::vector<word> split_folded(std::string_view s);

/// Snowball stem of a folded word in language `l` (identity for ja/other).
std::string stem(lang l, std::string_view folded_word);

/// Removes French/Italian-style elisions (l', d', qu') from a folded word.
std::string_view strip_elision(lang l, std::string_view w);

/// True for short function words that carry no intent signal in language `l`.
bool is_stopword(lang l, std::string_view folded_word);

/// 64-bit FNV-1a.
constexpr std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 0xcbf29ce484222325ull)
{
    for (unsigned char c : s) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    return h;
}

/// Scrambles all bits of a hash (the splitmix64 finalizer). FNV-1a alone leaves the top bits
/// almost unchanged for short inputs (one-character strings share them), so bucket indexes are
/// always taken from mixed hashes.
constexpr std::uint64_t mix64(std::uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

/// Bucket of `s` (hashed after the prefix `seed`) in a table of 2^bits entries.
constexpr std::uint32_t bucket(std::uint64_t h, unsigned bits)
{
    return static_cast<std::uint32_t>(mix64(h) >> (64 - bits));
}

/// Calls f(std::string_view) for each character n-gram (n in [min_n, max_n], counted in code
/// points) of `text`. `text` must be valid UTF-8.
template <class F>
void for_each_char_ngram(std::string_view text, int min_n, int max_n, F&& f);

/// Byte offsets of the code points of a valid UTF-8 string (plus the end offset).
std::vector<std::size_t> code_point_offsets(std::string_view s);

template <class F>
void for_each_char_ngram(std::string_view text, int min_n, int max_n, F&& f)
{
    // Code point boundaries; a stack buffer covers the words we n-gram (≤ 64 bytes).
    std::size_t offs[66];
    int count = 0;
    for (std::size_t i = 0; i < text.size() && count < 65; ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80)
            offs[count++] = i;
    offs[count] = count < 65 ? text.size() : offs[count - 1];
    for (int i = 0; i < count; ++i)
        for (int n = min_n; n <= max_n && i + n <= count; ++n)
            f(text.substr(offs[i], offs[i + n] - offs[i]));
}

} // namespace ab::knowledge
