#pragma once
// The Bot Connector's inbound token rules (protocol notes §2.3), one function per rule, so each
// can be tested alone. channel_validator strings them together; read it first.
//
// A token is checked in two stages:
//   verify_token()  - what belongs to the token alone: well-formed, alg allowed, issuer, the
//                     key named by kid, the signature, exp present, audience. The result
//                     (verified_claims) may be cached for the token's lifetime.
//   check_binding() - what belongs to this request: lifetime at `now`, the key's endorsement
//                     of the activity's channelId, serviceurl == activity.serviceUrl. Runs on
//                     every request, cached or not.

#include "bot/auth/errors.hpp"
#include "bot/auth/signing_key_cache.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ab::bot::auth {

/// iss of channel tokens (protocol notes §2.3 item 3; bench TOKEN_ISSUER).
inline constexpr std::string_view channel_issuer = "https://api.botframework.com";

/// "industry standard" skew of the Bot Framework docs; JS clockTolerance 300, .NET ClockSkew.
inline constexpr std::chrono::seconds default_clock_skew{300};

struct validation_options {
    /// Our Microsoft App ID; a token's aud must equal it exactly. Empty matches nothing (there
    /// is deliberately no "auth disabled" mode here).
    std::string app_id;
    /// Accepted iss values, compared exactly. Add the Entra issuers of §2.5 here for the
    /// emulator path; note that those tokens carry no serviceurl claim (see README.md).
    std::vector<std::string> issuers{std::string(channel_issuer)};
    std::chrono::seconds clock_skew = default_clock_skew;
    /// Endorsements every signing key must carry in addition to the activity's channelId
    /// (the SDKs' "required endorsements", e.g. for sovereign clouds).
    std::vector<std::string> required_endorsements;
    /// false (default): a key without endorsements signs for no channel. true: such a key passes
    /// the endorsement rule, as botbuilder does (Entra keys of the §2.5 path carry none).
    bool allow_unendorsed_keys = false;
    /// Capacity of the verified-token cache; 0 disables it.
    std::size_t token_cache_capacity = 10000;
};

/// What a verified token says, independent of the request it came with.
struct verified_claims {
    std::string issuer;
    std::string audience;
    std::string service_url;               ///< the serviceurl (or serviceUrl) claim; empty if absent
    std::string key_id;
    std::vector<std::string> endorsements; ///< of the signing key, when it was verified
    std::uint64_t key_generation = 0;      ///< key_snapshot::generation it was verified against
    std::optional<double> not_before;      ///< nbf, seconds since the epoch
    double expires = 0;                    ///< exp, seconds since the epoch
};

/// Rule 1: the token of "Bearer <token>". errc::missing_header if the header is empty;
/// errc::bad_scheme unless it splits on ' ' into exactly two parts and the first is exactly
/// "Bearer" (as both SDKs do: "bearer x", "Bearer  x" and "Bearer x y" are refused);
/// errc::malformed if the token part is empty. The view points into `authorization_header`.
result<std::string_view> bearer_token(std::string_view authorization_header);

/// Rule 3: iss is a string in options.issuers, else errc::bad_issuer.
boost::system::error_code check_issuer(const nlohmann::json& claims, const validation_options& options);

/// Rule 4: aud is a string equal to options.app_id (non-empty), else errc::bad_audience. An
/// array aud is refused: Bot Framework sends one string, and multi-audience tokens are not ours.
boost::system::error_code check_audience(const nlohmann::json& claims, const validation_options& options);

/// Rule 5, at `now` (whole seconds, as jsonwebtoken): errc::expired if now >= exp + skew,
/// errc::not_yet_valid if nbf > now + skew.
boost::system::error_code check_lifetime(std::optional<double> not_before, double expires,
                                         std::chrono::system_clock::time_point now, std::chrono::seconds skew);

/// Rule 8: the signing key's endorsements contain `channel_id` (which must be non-empty) and
/// every options.required_endorsements; a key without endorsements passes only with
/// options.allow_unendorsed_keys. Else errc::endorsement_missing.
boost::system::error_code check_endorsements(const std::vector<std::string>& key_endorsements, std::string_view channel_id,
                                             const validation_options& options);

/// Rule 7: the claim equals activity.serviceUrl byte for byte (botbuilder-js; no case folding,
/// no trailing-slash normalisation); both must be non-empty. Else errc::serviceurl_mismatch.
boost::system::error_code check_service_url(std::string_view claim, std::string_view activity_service_url);

/// Stage 1 for `token` (already taken out of the header) against `keys`. Order: decode
/// (malformed), alg allow-list (unsupported_alg), issuer (bad_issuer, before any RSA work, as
/// the SDKs do), key by kid (no_keys, unknown_kid; unsupported_alg if the key names another
/// alg), signature (bad_signature), exp (missing_exp; malformed if exp/nbf not numbers),
/// audience (bad_audience), serviceurl claims disagreeing with each other (serviceurl_mismatch).
/// `keys` may be null (no keys loaded yet).
result<verified_claims> verify_token(std::string_view token, const key_snapshot* keys, const validation_options& options);

/// Stage 2: lifetime, endorsement, serviceurl, in that order.
boost::system::error_code check_binding(const verified_claims& claims, std::string_view channel_id,
                                        std::string_view service_url, const validation_options& options,
                                        std::chrono::system_clock::time_point now);

/// exp (+ offset) as a time_point, clamped to what system_clock can represent.
std::chrono::system_clock::time_point to_time_point(double seconds_since_epoch);

} // namespace ab::bot::auth
