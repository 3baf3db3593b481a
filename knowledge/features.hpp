#pragma once
// Feature extraction for the intent and role classifiers: hashed word stems, stem bigrams and
// character n-grams (so compounds such as gasttoegang / Gastzugriff share features with their
// parts), plus a few structural cues (a domain, an e-mail address, a PowerShell cmdlet).

#include "knowledge/text.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ab::knowledge {

struct sparse_vector {
    std::vector<std::uint32_t> index; ///< may repeat (values of a repeated index add up)
    std::vector<float> value;
};

inline constexpr std::uint32_t feature_bits = 16;
inline constexpr std::uint32_t feature_dim = 1u << feature_bits;

/// Longest input (in bytes) the classifiers look at; the rest of a very long message is ignored.
inline constexpr std::size_t max_classified_bytes = 4000;

/// Extracts the hashed, L2-normalized feature vector of `text` written in language `l`.
sparse_vector extract_features(std::string_view text, lang l);
/// Same, with the words of `text` already split (split_folded).
sparse_vector extract_features(std::string_view text, const std::vector<word>& words, lang l);

/// True when `text` names a PowerShell cmdlet of the Teams/Entra/Graph modules.
bool mentions_cmdlet(std::string_view text);

} // namespace ab::knowledge
