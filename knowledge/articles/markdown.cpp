#include "knowledge/articles/markdown.hpp"

#include "knowledge/text.hpp"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

namespace ab::knowledge::articles {

namespace {

std::string lower_ascii(std::string s)
{
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

void collect_scalars(const YAML::Node& n, std::vector<std::string>& out)
{
    if (!n)
        return;
    if (n.IsScalar()) {
        const auto v = n.as<std::string>();
        if (!v.empty())
            out.push_back(v);
    } else if (n.IsSequence()) {
        for (const auto& x : n)
            if (x.IsScalar() && !x.as<std::string>().empty())
                out.push_back(x.as<std::string>());
    }
}

std::string scalar(const YAML::Node& root, const char* key)
{
    const auto n = root[key];
    if (n && n.IsScalar())
        return n.as<std::string>();
    return {};
}

bool starts_with_ci(std::string_view s, std::string_view prefix)
{
    if (s.size() < prefix.size())
        return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i])))
            return false;
    return true;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

} // namespace

std::string clean_source(std::string_view raw)
{
    if (raw.find('\0') != std::string_view::npos)
        throw article_error("[kb.binary] contains NUL bytes; not a text file");
    std::string_view s = raw;
    if (s.size() >= 3 && s.substr(0, 3) == "\xEF\xBB\xBF")
        s.remove_prefix(3);
    if (!valid_utf8(s))
        throw article_error("[kb.not_utf8] not valid UTF-8");
    std::string out = repair_mojibake(s);
    out.erase(std::remove(out.begin(), out.end(), '\r'), out.end());
    return out;
}

front_matter parse_front_matter(std::string_view text, std::string_view& body)
{
    front_matter fm;
    body = text;
    if (text.substr(0, 4) != "---\n")
        return fm;
    // The block ends at the next line that is exactly "---" (trailing spaces tolerated).
    std::size_t pos = 4;
    std::size_t end = std::string_view::npos;
    std::size_t after = 0;
    while (pos <= text.size()) {
        const auto nl = text.find('\n', pos);
        const auto line = trim(text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
        if (line == "---") {
            end = pos;
            after = nl == std::string_view::npos ? text.size() : nl + 1;
            break;
        }
        if (nl == std::string_view::npos)
            break;
        pos = nl + 1;
    }
    if (end == std::string_view::npos)
        throw article_error("[kb.front_matter_unterminated] front matter starts with '---' but never ends");
    const std::string yaml(text.substr(4, end - 4));
    YAML::Node root;
    try {
        root = YAML::Load(yaml);
    } catch (const YAML::Exception& e) {
        throw article_error(std::string("[kb.front_matter_yaml] ") + e.what());
    }
    fm.present = true;
    body = text.substr(after);
    if (!root || root.IsNull())
        return fm;
    if (!root.IsMap())
        throw article_error("[kb.front_matter_yaml] front matter is not a key: value map");
    try {
        fm.title = scalar(root, "title");
        fm.description = scalar(root, "description");
        fm.locale = lower_ascii(scalar(root, "ms.contentlocale"));
        fm.date = scalar(root, "ms.date");
        collect_scalars(root["ms.custom"], fm.ids);
        collect_scalars(root["ms.assetid"], fm.ids);
    } catch (const YAML::Exception& e) {
        throw article_error(std::string("[kb.front_matter_yaml] ") + e.what());
    }
    return fm;
}

sxs_result split_sxs(std::string_view md)
{
    sxs_result r;
    static constexpr std::string_view open_ttu = "<span data-ttu-id=\"";
    static constexpr std::string_view close = "</span>";
    static constexpr std::string_view lookup = "<span class=\"sxs-lookup\"><span data-stu-id=\"";
    std::size_t pos = 0;
    while (true) {
        const auto start = md.find(open_ttu, pos);
        if (start == std::string_view::npos)
            break;
        const auto id_begin = start + open_ttu.size();
        const auto id_end = md.find("\">", id_begin);
        if (id_end == std::string_view::npos)
            break;
        const auto id = md.substr(id_begin, id_end - id_begin);
        const auto t_begin = id_end + 2;
        const auto t_end = md.find(close, t_begin);
        if (t_end == std::string_view::npos)
            break;
        const auto l_begin = t_end + close.size();
        // Expect the English half right after; otherwise keep the span's text for both.
        std::string_view english;
        std::size_t next = l_begin;
        if (md.substr(l_begin, lookup.size()) == lookup) {
            const auto sid_begin = l_begin + lookup.size();
            const auto sid_end = md.find("\">", sid_begin);
            if (sid_end != std::string_view::npos && md.substr(sid_begin, sid_end - sid_begin) == id) {
                const auto e_begin = sid_end + 2;
                const auto e_end = md.find("</span></span>", e_begin);
                if (e_end != std::string_view::npos) {
                    english = md.substr(e_begin, e_end - e_begin);
                    next = e_end + 14;
                    r.bilingual = true;
                }
            }
        }
        const auto before = md.substr(pos, start - pos);
        const auto target = md.substr(t_begin, t_end - t_begin);
        r.localized.append(before).append(target);
        r.english.append(before).append(next == l_begin ? target : english);
        pos = next;
    }
    r.localized.append(md.substr(pos));
    r.english.append(md.substr(pos));
    if (!r.bilingual)
        r.english.clear();
    return r;
}

std::string expand_includes(std::string_view md, const include_reader& read, int max_depth)
{
    std::string out;
    std::size_t pos = 0;
    while (true) {
        auto start = md.find("[!INCLUDE", pos);
        const auto start_lc = md.find("[!include", pos);
        if (start_lc != std::string_view::npos && (start == std::string_view::npos || start_lc < start))
            start = start_lc;
        if (start == std::string_view::npos)
            break;
        // [!INCLUDE [label](path)]  or  [!INCLUDE[label](path)]
        const auto paren = md.find("](", start);
        const auto close = paren == std::string_view::npos ? paren : md.find(')', paren + 2);
        const auto end = close == std::string_view::npos ? close : md.find(']', close);
        const auto line_end = md.find('\n', start);
        if (end == std::string_view::npos || (line_end != std::string_view::npos && end > line_end)) {
            out.append(md.substr(pos, start + 9 - pos));
            pos = start + 9;
            continue;
        }
        out.append(md.substr(pos, start - pos));
        const std::string target(trim(md.substr(paren + 2, close - paren - 2)));
        if (max_depth > 0) {
            if (auto text = read(target, max_depth)) {
                std::string_view body;
                const std::string cleaned = *text;
                parse_front_matter(cleaned, body); // includes normally have none; drop it if present
                out.append(expand_includes(body, read, max_depth - 1));
            }
        }
        pos = end + 1;
    }
    out.append(md.substr(pos));
    return out;
}

std::string strip_docfx(std::string_view md)
{
    std::string out;
    out.reserve(md.size());
    std::size_t pos = 0;
    bool in_fence = false;
    while (pos < md.size()) {
        const auto nl = md.find('\n', pos);
        std::string_view line = md.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? md.size() : nl + 1;
        const std::string_view t = trim(line);
        if (t.substr(0, 3) == "```" || t.substr(0, 3) == "~~~")
            in_fence = !in_fence;
        if (!in_fence) {
            // Alert markers and embeds inside block quotes: "> [!NOTE]", "> [!VIDEO url]", "> [!div ...]".
            std::string_view q = t;
            while (!q.empty() && (q.front() == '>' || q.front() == ' '))
                q.remove_prefix(1);
            if (starts_with_ci(q, "[!NOTE]") || starts_with_ci(q, "[!TIP]") || starts_with_ci(q, "[!IMPORTANT]") ||
                starts_with_ci(q, "[!CAUTION]") || starts_with_ci(q, "[!WARNING]") || starts_with_ci(q, "[!VIDEO") ||
                starts_with_ci(q, "[!div")) {
                // Keep the quote marker so the alert text stays one block.
                out.append(line.substr(0, line.size() - t.size() + (t.size() - q.size()))).push_back('\n');
                continue;
            }
            if (starts_with_ci(t, ":::image") || starts_with_ci(t, ":::column") || starts_with_ci(t, ":::row") ||
                starts_with_ci(t, ":::moniker")) {
                out.push_back('\n');
                continue;
            }
            std::string l(line);
            for (std::string_view br : {"<br><br>", "<br/>", "<br />", "<br>", "</br>"}) {
                std::size_t p = 0;
                while ((p = l.find(br, p)) != std::string::npos)
                    l.replace(p, br.size(), " ");
            }
            out.append(l).push_back('\n');
            continue;
        }
        out.append(line).push_back('\n');
    }
    return out;
}

std::string slugify(std::string_view heading)
{
    const std::string folded = fold(heading);
    std::string out;
    for (char c : folded) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || u >= 0x80 || c == '-' || c == '_')
            out.push_back(c);
        else if (c == ' ')
            out.push_back('-');
    }
    return out;
}

namespace {

void ensure_extensions()
{
    static std::once_flag once;
    std::call_once(once, [] { cmark_gfm_core_extensions_ensure_registered(); });
}

struct parser_deleter {
    void operator()(cmark_parser* p) const { cmark_parser_free(p); }
};
struct node_deleter {
    void operator()(cmark_node* n) const { cmark_node_free(n); }
};
struct iter_deleter {
    void operator()(cmark_iter* i) const { cmark_iter_free(i); }
};

void append_space(std::string& s)
{
    if (!s.empty() && s.back() != ' ' && s.back() != '\n')
        s.push_back(' ');
}

std::string anchor_from_html(std::string_view html)
{
    // <a name="english-slug"></a>  or  <a id="...">
    for (std::string_view key : {"name=\"", "id=\""}) {
        const auto p = html.find(key);
        if (p != std::string_view::npos) {
            const auto e = html.find('"', p + key.size());
            if (e != std::string_view::npos)
                return std::string(html.substr(p + key.size(), e - p - key.size()));
        }
    }
    return {};
}

std::string tidy(std::string s)
{
    // Collapse blank runs; trim.
    std::string out;
    out.reserve(s.size());
    int newlines = 0;
    bool space = false;
    for (char c : s) {
        if (c == '\n') {
            ++newlines;
            space = false;
            continue;
        }
        if (c == ' ' || c == '\t') {
            space = true;
            continue;
        }
        if (!out.empty()) {
            if (newlines > 0)
                out.push_back('\n');
            else if (space)
                out.push_back(' ');
        }
        newlines = 0;
        space = false;
        out.push_back(c);
    }
    return out;
}

} // namespace

document parse_markdown(std::string_view md)
{
    ensure_extensions();
    std::unique_ptr<cmark_parser, parser_deleter> parser(cmark_parser_new(CMARK_OPT_DEFAULT));
    if (cmark_syntax_extension* table = cmark_find_syntax_extension("table"))
        cmark_parser_attach_syntax_extension(parser.get(), table);
    if (cmark_syntax_extension* strike = cmark_find_syntax_extension("strikethrough"))
        cmark_parser_attach_syntax_extension(parser.get(), strike);
    cmark_parser_feed(parser.get(), md.data(), md.size());
    std::unique_ptr<cmark_node, node_deleter> doc(cmark_parser_finish(parser.get()));
    std::unique_ptr<cmark_iter, iter_deleter> it(cmark_iter_new(doc.get()));

    document d;
    d.sections.push_back(section{});
    bool in_heading = false;
    int heading_level = 0;
    std::string heading_text, heading_anchor;
    std::string* link_text = nullptr;
    std::string link_buffer;
    std::string link_url;

    auto sink = [&]() -> std::string& { return in_heading ? heading_text : d.sections.back().text; };

    cmark_event_type ev;
    while ((ev = cmark_iter_next(it.get())) != CMARK_EVENT_DONE) {
        cmark_node* node = cmark_iter_get_node(it.get());
        const cmark_node_type type = cmark_node_get_type(node);
        const char* tname = cmark_node_get_type_string(node);
        const std::string_view type_name = tname ? tname : "";
        const bool enter = ev == CMARK_EVENT_ENTER;

        if (type == CMARK_NODE_HEADING) {
            const int level = cmark_node_get_heading_level(node);
            if (enter) {
                in_heading = true;
                heading_level = level;
                heading_text.clear();
                heading_anchor.clear();
            } else {
                in_heading = false;
                std::string h = tidy(heading_text);
                if (heading_level <= 3) {
                    if (heading_level == 1 && d.title.empty())
                        d.title = h;
                    section s;
                    s.heading = h;
                    s.level = heading_level;
                    s.anchor = heading_anchor.empty() ? slugify(h) : heading_anchor;
                    if (d.sections.back().text.find_first_not_of(" \n") == std::string::npos && d.sections.back().heading.empty())
                        d.sections.back() = std::move(s);
                    else
                        d.sections.push_back(std::move(s));
                } else {
                    // H4+ stay inside the current section as a line of text.
                    d.sections.back().text.append("\n").append(h).append("\n");
                }
            }
            continue;
        }
        switch (type) {
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE: {
            const char* lit = cmark_node_get_literal(node);
            if (lit) {
                sink().append(lit);
                if (link_text)
                    link_text->append(lit);
            }
            break;
        }
        case CMARK_NODE_CODE_BLOCK: {
            const char* lit = cmark_node_get_literal(node);
            if (lit)
                sink().append("\n").append(lit).append("\n");
            break;
        }
        case CMARK_NODE_SOFTBREAK:
        case CMARK_NODE_LINEBREAK:
            append_space(sink());
            break;
        case CMARK_NODE_HTML_INLINE: {
            const char* lit = cmark_node_get_literal(node);
            if (lit && in_heading && heading_anchor.empty())
                heading_anchor = anchor_from_html(lit);
            break;
        }
        case CMARK_NODE_LINK:
            if (enter) {
                const char* url = cmark_node_get_url(node);
                link_url = url ? url : "";
                link_buffer.clear();
                link_text = &link_buffer;
            } else {
                if (!link_url.empty())
                    d.links.push_back(link{tidy(link_buffer), link_url});
                link_text = nullptr;
            }
            break;
        case CMARK_NODE_PARAGRAPH:
        case CMARK_NODE_ITEM:
        case CMARK_NODE_BLOCK_QUOTE:
            if (!enter)
                sink().append("\n");
            break;
        default:
            if (type_name == "table_cell" && !enter)
                sink().append(" | ");
            else if ((type_name == "table_row" || type_name == "table_header") && !enter)
                sink().append("\n");
            break;
        }
    }
    for (auto& s : d.sections)
        s.text = tidy(std::move(s.text));
    // Drop sections that ended up empty (a heading followed directly by a sub-heading).
    std::erase_if(d.sections, [](const section& s) { return s.heading.empty() && s.text.empty(); });
    return d;
}

} // namespace ab::knowledge::articles
