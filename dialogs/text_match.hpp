#pragma once
// Matching a message against short phrase lists from the UI strings ("just chat, only chat" or
// "status of my request, my tickets"): folded words, each phrase's words in order.

#include <string>
#include <string_view>
#include <vector>

namespace ab::dialogs {

/// The folded words of `text` (knowledge::split_folded).
std::vector<std::string> words_of(std::string_view text);

/// True if `words` contain every word of one comma-separated phrase of `list`, in order.
bool mentions_any(const std::vector<std::string>& words, const std::string& list);

} // namespace ab::dialogs
