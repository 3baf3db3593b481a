#pragma once
// The channel's signing keys: a JWK Set (RFC 7517) in which each key may carry the Bot Framework
// extension "endorsements", the channel ids the key may sign for (protocol notes §2.2).

#include "bot/auth/errors.hpp"
#include "bot/auth/jwt.hpp"
#include "bot/auth/rsa_key.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ab::bot::auth {

struct signing_key {
    std::string kid;
    rsa_public_key key;
    std::vector<std::string> endorsements;  ///< channel ids, e.g. "msteams"; may be empty
    std::optional<jwt_alg> alg;             ///< the JWK "alg", if it names one: tokens must use it
    std::optional<std::string> x5t;         ///< informational, not used for lookup
    std::vector<std::string> x5c;           ///< informational (standard base64 DER), not verified

    bool endorses(std::string_view channel_id) const;
};

struct key_set {
    std::vector<signing_key> keys;

    /// The key with this kid, or nullptr.
    const signing_key* find(std::string_view kid) const;
};

/// Parses a JWKS document. Keys that cannot be used are skipped, not fatal, as botbuilder does:
/// kty other than "RSA", "use" present and not "sig", "alg" present and not RS256/RS384/RS512,
/// missing or empty kid, a kid seen before (the first wins), n/e missing or not base64url
/// (trailing '=' tolerated here), a modulus outside [min_rsa_bits, max_rsa_bits], or an
/// "endorsements" that is not an array of strings.
/// Errors: errc::malformed if the text is not a JSON object with a "keys" array;
/// errc::no_keys if no key is usable.
result<key_set> parse_jwks(std::string_view jwks_json);

} // namespace ab::bot::auth
