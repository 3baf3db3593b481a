#pragma once
// base64url (RFC 4648 §5) as used by JWS compact serialization (RFC 7515 §2): no padding.

#include <optional>
#include <string>
#include <string_view>

namespace ab::bot::auth {

/// Decodes unpadded base64url. Strict: returns nullopt for any character outside [A-Za-z0-9_-]
/// (including '=' and whitespace), for a length of 4k+1, and for non-zero unused trailing bits,
/// so every byte string has exactly one accepted encoding.
std::optional<std::string> base64url_decode(std::string_view in);

/// Encodes `in` as unpadded base64url.
std::string base64url_encode(std::string_view in);

} // namespace ab::bot::auth
