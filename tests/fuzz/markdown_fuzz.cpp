// Fuzz target: one file through the whole article pipeline (repair, front matter, bilingual
// spans, includes, DocFX syntax, cmark-gfm). Bad input must end in article_error, never a crash.
#include "knowledge/articles/markdown.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace ab::knowledge::articles;
    const std::string raw(reinterpret_cast<const char*>(data), size);
    try {
        const std::string clean = clean_source(raw);
        std::string_view body;
        (void)parse_front_matter(clean, body);
        // Includes resolve to the input itself: exercises recursion and the depth limit.
        const include_reader reader = [&](const std::string& target, int) -> std::optional<std::string> {
            if (target.size() % 3 == 0)
                return std::nullopt;
            return std::string(body.substr(0, std::min<std::size_t>(body.size(), 4096)));
        };
        const std::string expanded = expand_includes(body, reader, 2);
        const auto sxs = split_sxs(expanded);
        (void)parse_markdown(strip_docfx(sxs.localized));
        if (sxs.bilingual)
            (void)parse_markdown(strip_docfx(sxs.english));
        (void)slugify(std::string_view(clean).substr(0, 200));
    } catch (const article_error&) {
        // expected for bad input
    }
    return 0;
}
