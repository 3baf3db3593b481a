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

phrase_list phrases_of(std::string_view list)
{
    phrase_list out;
    std::size_t start = 0;
    while (start <= list.size()) {
        std::size_t end = list.find(',', start);
        if (end == std::string_view::npos)
            end = list.size();
        if (auto words = words_of(list.substr(start, end - start)); !words.empty())
            out.push_back(std::move(words));
        start = end + 1;
    }
    return out;
}

bool mentions_any(const std::vector<std::string>& words, const phrase_list& phrases)
{
    for (const auto& phrase : phrases) {
        auto at = words.begin();
        bool all = true;
        for (const auto& p : phrase) {
            at = std::find(at, words.end(), p);
            if (at == words.end()) {
                all = false;
                break;
            }
            ++at;
        }
        if (all)
            return true;
    }
    return false;
}

bool mentions_any(const std::vector<std::string>& words, const std::string& list)
{
    return mentions_any(words, phrases_of(list));
}

} // namespace ab::dialogs
