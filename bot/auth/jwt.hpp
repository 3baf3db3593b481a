#pragma once
// Compact JWS (RFC 7515 §7.1) split and decode: three base64url parts, a JSON-object header and
// a JSON-object claims set, parsed without throwing. Nothing here checks a signature or a claim.

#include "bot/auth/errors.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ab::bot::auth {

/// The only algorithms accepted (protocol notes §2.3 item 6: the SDKs' AllowedSigningAlgorithms).
enum class jwt_alg { rs256, rs384, rs512 };

/// Maps a JOSE "alg" value onto the allow-list; nullopt for anything else ("none", "HS256",
/// "ES256", "PS256", "rs256", ...).
std::optional<jwt_alg> alg_from_name(std::string_view name) noexcept;
std::string_view alg_name(jwt_alg alg) noexcept;

/// Tokens longer than this are refused as malformed before any decoding (channel tokens are
/// about 1-2 KB).
inline constexpr std::size_t max_token_bytes = 16 * 1024;

struct decoded_jwt {
    nlohmann::json header;      ///< always an object
    nlohmann::json claims;      ///< always an object
    std::string signature;      ///< raw bytes, possibly empty
    std::string_view signing_input; ///< "<header>.<payload>" as received; views the token passed in
};

/// Splits and decodes `token`. errc::malformed unless: at most max_token_bytes, exactly two
/// dots, every part strict base64url (base64url.hpp), header and payload JSON objects, and no "crit"
/// header (we implement no extension, RFC 7515 §4.1.11). `signing_input` views `token`, which
/// must outlive the result.
result<decoded_jwt> decode_jwt(std::string_view token);

} // namespace ab::bot::auth
