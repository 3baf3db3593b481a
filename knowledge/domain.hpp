#pragma once
// Organization-domain extraction: "can I chat with anna@fabrikam.com?" → "fabrikam.com".
// Consumer mail domains (gmail.com, outlook.com, ...) and Microsoft's own service hosts are not
// organization domains and are skipped.

#include <optional>
#include <string>
#include <string_view>

namespace ab::knowledge {

/// True when a folded token such as "fabrikam.com" or "kommun.example.se" has the shape of a
/// registrable domain with a known top-level domain (so "readme.md" and "setup.exe" are not).
bool looks_like_domain(std::string_view folded);

/// True for consumer mail providers (gmail.com, hotmail.nl, gmx.net, ...).
bool is_consumer_domain(std::string_view domain);

/// The first organization domain written literally in `text`, lower-cased; e-mail addresses
/// contribute their domain part.
std::optional<std::string> extract_domain(std::string_view text);

} // namespace ab::knowledge
