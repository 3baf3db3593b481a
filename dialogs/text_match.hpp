#pragma once
// Matching a message against short phrase lists from the UI strings ("just chat, only chat" or
// "status of my request, my tickets"): folded words, each phrase's words in order.

#include <string>
#include <string_view>
#include <vector>

namespace ab::dialogs {

/// The folded words of `text` (knowledge::split_folded).
std::vector<std::string> words_of(std::string_view text);

/// A comma-separated phrase list, each phrase as its folded words (made once, matched often).
using phrase_list = std::vector<std::vector<std::string>>;
phrase_list phrases_of(std::string_view list);

/// True if `words` contain every word of one phrase, in order.
bool mentions_any(const std::vector<std::string>& words, const phrase_list& phrases);
/// The same for a comma-separated list given as text.
bool mentions_any(const std::vector<std::string>& words, const std::string& list);

} // namespace ab::dialogs
