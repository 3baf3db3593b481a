#include "bot/schema/mention.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace ab::bot::schema {

namespace {

bool iequals(std::string_view a, std::string_view b)
{
    return std::ranges::equal(a, b, [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    });
}

/// Length of the blank at the start of `s`: ASCII whitespace, U+00A0 or the "&nbsp;" entity.
std::size_t blank_prefix(std::string_view s)
{
    if (s.empty())
        return 0;
    if (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '\n')
        return 1;
    if (s.starts_with("\xC2\xA0"))
        return 2;
    if (s.starts_with("&nbsp;"))
        return 6;
    return 0;
}

std::size_t blank_suffix(std::string_view s)
{
    if (s.empty())
        return 0;
    const char c = s.back();
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
        return 1;
    if (s.ends_with("\xC2\xA0"))
        return 2;
    if (s.ends_with("&nbsp;"))
        return 6;
    return 0;
}

std::string trim(std::string_view s)
{
    while (const auto n = blank_prefix(s))
        s.remove_prefix(n);
    while (const auto n = blank_suffix(s))
        s.remove_suffix(n);
    return std::string(s);
}

/// "<at>Name</at>" (also "<at id=\"0\">Name</at>") → "Name"; unbalanced markup is left alone.
std::string unwrap_at_tags(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    std::size_t pos = 0;
    while (pos < s.size()) {
        const auto open = s.find("<at", pos);
        if (open == std::string_view::npos)
            break;
        const auto after = open + 3;
        const bool is_tag = after < s.size() && (s[after] == '>' || s[after] == ' ');
        const auto open_end = is_tag ? s.find('>', after) : std::string_view::npos;
        const auto close = open_end == std::string_view::npos ? open_end : s.find("</at>", open_end + 1);
        if (close == std::string_view::npos) {
            out.append(s.substr(pos, after - pos));
            pos = after;
            continue;
        }
        out.append(s.substr(pos, open - pos));
        out.append(s.substr(open_end + 1, close - open_end - 1));
        pos = close + 5;
    }
    if (pos < s.size())
        out.append(s.substr(pos));
    return out;
}

} // namespace

std::optional<mention> as_mention(const entity& e)
{
    if (!iequals(e.type, "mention") || !e.raw.is_object())
        return std::nullopt;
    mention m;
    if (const auto it = e.raw.find("mentioned"); it != e.raw.end())
        from_json(*it, m.mentioned);
    if (const auto it = e.raw.find("text"); it != e.raw.end() && it->is_string())
        m.text = it->get<std::string>();
    return m;
}

bool mentions(const activity& a, std::string_view bot_id)
{
    if (bot_id.empty())
        return false;
    return std::ranges::any_of(a.entities, [&](const entity& e) {
        const auto m = as_mention(e);
        return m && m->mentioned.id == bot_id;
    });
}

std::string strip_mention(const activity& a, std::string_view bot_id)
{
    std::string text = a.text;
    if (!bot_id.empty()) {
        for (const auto& e : a.entities) {
            const auto m = as_mention(e);
            if (!m || m->mentioned.id != bot_id || m->text.empty())
                continue;
            if (const auto pos = text.find(m->text); pos != std::string::npos)
                text.erase(pos, m->text.size());
        }
    }
    return trim(unwrap_at_tags(text));
}

std::string mention_text(const channel_account& who)
{
    return "<at>" + (who.name.empty() ? who.id : who.name) + "</at>";
}

entity make_mention(const channel_account& who)
{
    entity e;
    e.type = "mention";
    channel_account who_typed;
    who_typed.id = who.id;
    who_typed.name = who.name;
    nlohmann::json mentioned;
    to_json(mentioned, who_typed);
    e.raw = {{"type", "mention"}, {"mentioned", std::move(mentioned)}, {"text", mention_text(who)}};
    return e;
}

} // namespace ab::bot::schema
