#include "dialogs/text_match.hpp"

#include "knowledge/text.hpp"

#include <algorithm>

namespace ab::dialogs {

std::vector<std::string> words_of(std::string_view text)
{
    std::vector<std::string> out;
    for (auto& w : knowledge::split_folded(text))
        out.push_back(std::move(w.text));
    return out;
}

bool mentions_any(const std::vector<std::string>& words, const std::string& list)
{
    std::size_t start = 0;
    while (start <= list.size()) {
        std::size_t end = list.find(',', start);
        if (end == std::string::npos)
            end = list.size();
        const auto parts = words_of(std::string_view(list).substr(start, end - start));
        auto at = words.begin();
        bool all = !parts.empty();
        for (const auto& p : parts) {
            at = std::find(at, words.end(), p);
            if (at == words.end()) {
                all = false;
                break;
            }
            ++at;
        }
        if (all)
            return true;
        start = end + 1;
    }
    return false;
}

} // namespace ab::dialogs
