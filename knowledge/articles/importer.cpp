#include "knowledge/articles/importer.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <fstream>
#include <sstream>

namespace ab::knowledge::articles {

namespace fs = std::filesystem;

namespace {

// Bump when parsing changes, so that the next import re-reads every file.
constexpr std::string_view importer_version = "ab-kb-4";

std::string lower(std::string s)
{
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool is_locale_name(std::string_view s)
{
    return s.size() == 5 && s[2] == '-' && std::isalpha(static_cast<unsigned char>(s[0])) &&
           std::isalpha(static_cast<unsigned char>(s[1])) && std::isalpha(static_cast<unsigned char>(s[3])) &&
           std::isalpha(static_cast<unsigned char>(s[4]));
}

std::string read_file(const fs::path& p, std::uintmax_t limit)
{
    std::error_code ec;
    const auto size = fs::file_size(p, ec);
    if (ec)
        throw article_error("[kb.unreadable] " + ec.message());
    if (size > limit)
        throw article_error("[kb.too_large] " + std::to_string(size) + " bytes; the limit is " + std::to_string(limit));
    std::ifstream in(p, std::ios::binary);
    if (!in)
        throw article_error("[kb.unreadable] cannot open");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Docset of a repository folder name, and where the published path starts.
struct docset_match {
    std::string docset;
    std::size_t first = 0; // index of the first path component after the marker
};

std::optional<docset_match> find_docset(const std::vector<std::string>& parts)
{
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        const std::string p = lower(parts[i]);
        if (p == "teams")
            return docset_match{"microsoftteams", i + 1};
        if (p == "alchemyinsights")
            return docset_match{"alchemyinsights", i + 1};
        if (p == "microsoft-365")
            return docset_match{"microsoft-365", i + 1};
        if (p == "skype")
            return docset_match{"skypeforbusiness", i + 1};
    }
    return std::nullopt;
}

std::vector<std::string> components(const fs::path& p)
{
    std::vector<std::string> out;
    for (const auto& c : p)
        if (!c.empty() && c != "." && c != "/")
            out.push_back(c.string());
    return out;
}

std::string strip_md(std::string s)
{
    if (s.size() > 3 && lower(s.substr(s.size() - 3)) == ".md")
        s.resize(s.size() - 3);
    return s;
}

std::string locale_for_url(std::string_view locale)
{
    return locale.empty() ? std::string("en-us") : lower(std::string(locale));
}

bool within(const fs::path& root, const fs::path& p)
{
    auto r = root.begin();
    auto q = p.begin();
    for (; r != root.end(); ++r, ++q) {
        if (q == p.end() || *r != *q)
            return false;
    }
    return true;
}

std::string date_key(const std::string& d)
{
    // ms.date is MM/DD/YYYY, M/DD/YYYY or MM/D/YYYY.
    int m = 0, day = 0, y = 0;
    char a = 0, b = 0;
    std::istringstream in(d);
    if (!(in >> m >> a >> day >> b >> y) || a != '/' || b != '/' || m < 1 || m > 12 || day < 1 || day > 31 || y < 1990)
        return {};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d%02d%02d", y, m, day);
    return buf;
}

std::string locale_from_path(const fs::path& relative)
{
    for (const auto& c : components(relative)) {
        if (is_locale_name(c))
            return lower(c);
        // Repository names carry the locale too: OfficeDocs-SkypeForBusiness.de-DE, ...-pr.fr-FR
        if (c.size() > 6) {
            const std::string tail = c.substr(c.size() - 5);
            const char sep = c[c.size() - 6];
            if ((sep == '.' || sep == '-') && is_locale_name(tail) && c.find('@') == std::string::npos)
                return lower(tail);
        }
    }
    return {};
}

std::string classify_text(const std::string& title, const std::string& heading, const std::string& body)
{
    std::string t = title;
    if (!heading.empty() && heading != title)
        t += ". " + heading;
    t += ". ";
    t += body.substr(0, std::min<std::size_t>(body.size(), 500));
    return t;
}

constexpr float min_link_confidence = 0.6f;

// "Related topics", "Next steps" and the like: link lists, no answer to cite.
bool navigational_heading(const std::string& heading)
{
    const std::string h = fold(heading);
    for (std::string_view n : {"related", "see also", "next step", "learn more", "more information", "verwandte", "nächste schritte",
                               "weitere informationen", "gerelateerd", "volgende stap", "meer informatie", "relaterad",
                               "nästa steg", "mer information", "connexe", "étapes suivantes", "voir aussi", "plus d'informations",
                               "relacionad", "pasos siguientes", "siguientes pasos", "más información", "vea también", "関連"})
        if (h.find(n) != std::string::npos)
            return true;
    return false;
}

bool mentions_teams(const stored_article& a)
{
    auto has = [](const std::string& text) {
        for (const auto& w : split_folded(text))
            if (w.text == "teams" || w.text == "skype" || w.text == "msteams")
                return true;
        return false;
    };
    if (has(a.title))
        return true;
    for (const auto& s : a.sections)
        if (has(s.heading) || has(s.body.substr(0, std::min<std::size_t>(s.body.size(), 2000))))
            return true;
    return false;
}

} // namespace

std::string article_url(const fs::path& relative, std::string_view locale)
{
    const auto parts = components(relative);
    if (auto m = find_docset(parts)) {
        std::string path;
        for (std::size_t i = m->first; i < parts.size(); ++i)
            path += (path.empty() ? "" : "/") + parts[i];
        return "https://learn.microsoft.com/" + locale_for_url(locale) + "/" + m->docset + "/" + lower(strip_md(path));
    }
    return "file:" + relative.generic_string();
}

std::string resolve_link(std::string_view href_in, const fs::path& relative, std::string_view locale)
{
    std::string href(href_in);
    if (href.empty())
        return article_url(relative, locale);
    if (href[0] == '#')
        return article_url(relative, locale) + href;
    std::string fragment;
    if (auto h = href.find('#'); h != std::string::npos) {
        fragment = href.substr(h);
        href.resize(h);
    }
    const std::string lh = lower(href);
    auto learn = [&](std::string path) {
        if (auto q = path.find('?'); q != std::string::npos)
            path.resize(q);
        while (!path.empty() && path.front() == '/')
            path.erase(0, 1);
        const auto slash = path.find('/');
        const std::string first = path.substr(0, slash);
        std::string loc = locale_for_url(locale);
        if (is_locale_name(first)) {
            loc = lower(first);
            path = slash == std::string::npos ? "" : path.substr(slash + 1);
        }
        // Docset names are case-insensitive (/MicrosoftTeams/ and /microsoftteams/).
        const auto s2 = path.find('/');
        std::string docset = lower(path.substr(0, s2));
        std::string rest = s2 == std::string::npos ? "" : path.substr(s2);
        return "https://learn.microsoft.com/" + loc + "/" + docset + rest + fragment;
    };
    for (std::string_view host : {"https://docs.microsoft.com", "http://docs.microsoft.com", "https://learn.microsoft.com",
                                  "http://learn.microsoft.com"})
        if (lh.rfind(host, 0) == 0)
            return learn(href.substr(host.size()));
    if (lh.find("://") != std::string::npos || lh.rfind("mailto:", 0) == 0)
        return href + fragment;
    if (href[0] == '/')
        return learn(href);
    // Relative to the article's folder.
    const fs::path target = (relative.parent_path() / href).lexically_normal();
    if (lower(target.extension().string()) == ".md")
        return article_url(target, locale) + fragment;
    return href + fragment;
}

std::vector<stored_article> read_article(const fs::path& root, const fs::path& file, const classifier& engine)
{
    const std::string cleaned = clean_source(read_file(file, max_article_bytes));
    std::string_view body;
    const front_matter fm = parse_front_matter(cleaned, body);
    const fs::path relative = file.lexically_relative(root);

    const include_reader reader = [&](const std::string& target, int) -> std::optional<std::string> {
        const fs::path p = (file.parent_path() / target).lexically_normal();
        if (!within(root, p))
            return std::nullopt; // never read outside the imported tree
        try {
            return clean_source(read_file(p, max_article_bytes));
        } catch (const article_error&) {
            return std::nullopt;
        }
    };
    const std::string expanded = expand_includes(body, reader);
    const sxs_result sxs = split_sxs(expanded);

    std::string locale = fm.locale.empty() ? locale_from_path(relative) : fm.locale;
    if (locale.empty())
        locale = "en-us";
    const auto parts = components(relative);
    int priority = 2;
    for (const auto& c : parts) {
        if (lower(c) == "history")
            priority = 0;
        else if (c.find("@live-sxs") != std::string::npos)
            priority = std::min(priority, 1);
    }

    std::vector<stored_article> out;
    auto build = [&](const std::string& md, const std::string& variant, const std::string& loc, int prio) {
        const document doc = parse_markdown(strip_docfx(md));
        stored_article a;
        a.file = file.string();
        a.variant = variant;
        a.locale = loc;
        a.language = lang_from_code(loc);
        if (a.language == lang::other)
            a.language = lang::en;
        a.url = article_url(relative, loc);
        a.title = variant == "english-sxs" && !doc.title.empty() ? doc.title
                  : !fm.title.empty()                           ? fm.title
                  : !doc.title.empty()                          ? doc.title
                                                                : file.stem().string();
        a.title = fold(a.title).empty() ? file.stem().string() : a.title;
        a.doc_key = loc + "|" + a.url;
        for (const auto& l : doc.links)
            if (l.url.rfind("media/", 0) != 0 && l.url.find("/media/") == std::string::npos)
                a.links.push_back(stored_link{l.text, resolve_link(l.url, relative, loc)});
        a.priority = prio;
        a.date = date_key(fm.date);
        std::uint64_t h = fnv1a(loc);
        std::string lead;
        for (const auto& s : doc.sections) {
            if (s.text.empty())
                continue;
            h = fnv1a(s.text, h);
            if (lead.empty())
                lead = s.text;
            stored_section st;
            st.heading = s.heading == a.title ? std::string() : s.heading;
            st.anchor = s.anchor;
            st.level = s.level;
            st.body = s.text;
            const auto c = engine.classify(classify_text(a.title, s.heading, s.text), loc);
            st.label = navigational_heading(s.heading) ? intent::out_of_scope : c.label;
            st.label_p = c.confidence;
            a.sections.push_back(std::move(st));
        }
        if (a.sections.empty())
            return;
        a.content_hash = h;
        const auto c = engine.classify(classify_text(a.title, fm.description, lead), loc);
        a.label = c.label;
        a.label_p = c.confidence;
        // The classifier reads questions, not documentation: an article is linked to a topic only
        // when it is sure and the article is about Teams at all (distractors about mail groups,
        // AD FS federation or OneDrive sharing use the same words).
        if (is_topic(a.label) && (a.label_p < min_link_confidence || !mentions_teams(a))) {
            a.label = intent::out_of_scope;
            for (auto& sec : a.sections)
                sec.label = intent::out_of_scope;
        }
        out.push_back(std::move(a));
    };
    build(sxs.localized, "localized", locale, priority);
    if (sxs.bilingual && lang_from_code(locale) != lang::en)
        build(sxs.english, "english-sxs", "en-us", priority - 10);
    if (out.empty())
        throw article_error("[kb.empty] no text after parsing");
    return out;
}

import_report import_tree(article_index& index, const classifier& engine, const fs::path& root_in,
                          const std::function<void(const import_progress&)>& progress)
{
    const auto t0 = std::chrono::steady_clock::now();
    import_report rep;
    std::error_code ec;
    const fs::path root = fs::weakly_canonical(root_in, ec);
    if (ec || !fs::is_directory(root))
        throw article_error("[kb.not_a_directory] " + root_in.string() + ": not a readable directory");

    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const auto& entry = *it;
        if (entry.is_symlink()) {
            if (entry.is_directory())
                it.disable_recursion_pending();
            continue; // a link may point outside the tree
        }
        if (!entry.is_regular_file() || lower(entry.path().extension().string()) != ".md")
            continue;
        const auto rel = components(entry.path().lexically_relative(root));
        // Include fragments are pulled into the articles that include them.
        if (std::any_of(rel.begin(), rel.end() - 1, [](const std::string& c) { return lower(c) == "includes"; }))
            continue;
        files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    rep.files = files.size();

    const std::string root_key = root.string();
    index.begin();
    try {
        std::size_t done = 0;
        for (const auto& f : files) {
            const std::string rel = f.lexically_relative(root).generic_string();
            if (progress)
                progress(import_progress{done, files.size(), rel});
            ++done;
            // Content hash over the file and everything it includes, plus the importer version.
            std::uint64_t h = fnv1a(importer_version);
            std::string raw;
            try {
                raw = read_file(f, max_article_bytes);
                h = fnv1a(raw, h);
                std::string_view body = raw;
                expand_includes(body, [&](const std::string& target, int) -> std::optional<std::string> {
                    const fs::path p = (f.parent_path() / target).lexically_normal();
                    if (!within(root, p))
                        return std::nullopt;
                    try {
                        const std::string inc = read_file(p, max_article_bytes);
                        h = fnv1a(inc, fnv1a(target, h));
                        return inc;
                    } catch (const article_error&) {
                        return std::nullopt;
                    }
                });
            } catch (const article_error& e) {
                ++rep.failed;
                rep.errors.push_back({rel, e.what()});
                index.record_failure(f.string(), root_key, std::to_string(h), e.what());
                continue;
            }
            const std::string hash = std::to_string(h);
            if (index.file_hash(f.string()) == hash) {
                ++rep.unchanged;
                continue;
            }
            try {
                const auto arts = read_article(root, f, engine);
                index.replace_file(f.string(), root_key, hash, arts);
                ++rep.imported;
                rep.articles += arts.size();
                for (const auto& a : arts)
                    rep.sections += a.sections.size();
            } catch (const article_error& e) {
                ++rep.failed;
                rep.errors.push_back({rel, e.what()});
                index.record_failure(f.string(), root_key, hash, e.what());
            }
        }
        // Files imported from this tree before that are gone now.
        std::vector<std::string> present;
        present.reserve(files.size());
        for (const auto& f : files)
            present.push_back(f.string());
        std::sort(present.begin(), present.end());
        for (const auto& old : index.files_under(root_key))
            if (!std::binary_search(present.begin(), present.end(), old)) {
                index.remove_file(old);
                ++rep.removed;
            }
        index.resolve_duplicates();
        index.commit();
    } catch (...) {
        index.rollback();
        throw;
    }
    if (progress)
        progress(import_progress{files.size(), files.size(), {}});
    rep.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return rep;
}

} // namespace ab::knowledge::articles
