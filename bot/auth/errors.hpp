#pragma once
// Error vocabulary of bot/auth: one enum value per way an inbound channel token can be refused
// (Bot Framework protocol notes §2.3), a Boost.System category whose messages carry the stable
// error ids ("[auth.bad_audience]"), and the `result<T>` every fallible function here returns.
// The HTTP layer answers 401 for every value; the id is for logs and tests, never for the peer.

#include <boost/system/error_category.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <string_view>
#include <type_traits>

namespace ab::bot::auth {

enum class errc {
    missing_header = 1,  ///< no Authorization header, or an empty one
    bad_scheme,          ///< not exactly "Bearer <token>" (one space, case-sensitive scheme)
    malformed,           ///< not a compact JWS: parts, base64url, JSON objects, size, crit; bad JWKS JSON
    unsupported_alg,     ///< alg not RS256/RS384/RS512 (none, HS*, ES*, PS*, ...), or not the key's alg
    unknown_kid,         ///< no kid, or no key with that kid: refresh the keys (rate-limited) and retry
    bad_signature,       ///< signature does not verify with the key named by kid
    expired,             ///< now >= exp + clock skew
    not_yet_valid,       ///< nbf > now + clock skew
    missing_exp,         ///< the token has no exp claim (hardening: lifetime must be bounded)
    bad_issuer,          ///< iss missing or not in the configured set
    bad_audience,        ///< aud missing, not a string, or not our app id
    serviceurl_mismatch, ///< serviceurl claim missing or not equal to activity.serviceUrl
    endorsement_missing, ///< the signing key does not endorse the activity's channelId
    no_keys,             ///< no signing keys loaded yet, or a JWKS without any usable key
};

/// The category of errc; name "ab.bot.auth".
const boost::system::error_category& auth_category() noexcept;

/// The stable id of `e` without brackets, e.g. "auth.bad_audience".
std::string_view error_id(errc e) noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept
{
    return {static_cast<int>(e), auth_category()};
}

/// A value or an error_code of auth_category().
template <class T>
using result = boost::system::result<T>;

} // namespace ab::bot::auth

template <>
struct boost::system::is_error_code_enum<ab::bot::auth::errc> : std::true_type {};
