#pragma once
// Microsoft Docs markdown → sections. Handles what ../shared/reference/corpus-notes.md lists:
// YAML front matter (key drift, scalar-or-list values), the bilingual sxs-lookup span format,
// [!INCLUDE] expansion, DocFX alerts (> [!NOTE]) and embeds, pipe tables, <a name> heading
// anchors, relative and site-relative links, mojibake, BOMs and CRLF. Parsing uses cmark-gfm.

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ab::knowledge::articles {

/// One file could not be read as an article; the message is the per-file error shown to the user.
class article_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct front_matter {
    bool present = false;
    std::string title;
    std::string description;
    std::string locale;            ///< ms.contentlocale, lower-cased ("nl-nl"); empty when absent
    std::string date;              ///< ms.date as written (MM/DD/YYYY)
    std::vector<std::string> ids;  ///< ms.custom + ms.assetid values
};

/// Splits "---\n<yaml>\n---\n<body>". Throws article_error on an unterminated block or bad YAML.
front_matter parse_front_matter(std::string_view text, std::string_view& body);

struct sxs_result {
    bool bilingual = false;
    std::string localized;
    std::string english;
};
/// Splits `<span data-ttu-id>TARGET</span><span class="sxs-lookup"><span data-stu-id>EN</span></span>`
/// pairs into the localized and the English markdown.
sxs_result split_sxs(std::string_view md);

/// Resolves an include target (path as written, relative to the including file) to its text, or
/// nullopt when it cannot or may not be read.
using include_reader = std::function<std::optional<std::string>(const std::string& target, int depth)>;
/// Expands `[!INCLUDE [label](path)]` (also without the space) up to `max_depth` levels.
std::string expand_includes(std::string_view md, const include_reader& read, int max_depth = 3);

/// Removes DocFX-only syntax: alert markers (the alert text stays), [!VIDEO], [!div], :::image:::,
/// <br> tags. The text is otherwise unchanged.
std::string strip_docfx(std::string_view md);

struct link {
    std::string text;
    std::string url; ///< as written
};

struct section {
    std::string heading;
    std::string anchor;
    int level = 1;
    std::string text;
};

struct document {
    std::string title; ///< first H1 when present
    std::vector<section> sections;
    std::vector<link> links;
};

/// Parses markdown (already preprocessed) into sections split at H1–H3.
document parse_markdown(std::string_view md);

/// GitHub/DocFX heading slug: lower case, punctuation dropped, spaces to '-'.
std::string slugify(std::string_view heading);

/// Repairs encoding damage and normalizes line ends; throws article_error for binary or
/// non-UTF-8 input.
std::string clean_source(std::string_view raw);

} // namespace ab::knowledge::articles
