#pragma once
// The entry point of bot/auth: is this POST /api/messages from the Bot Connector, for us, about
// this activity? Call it before the body is parsed any further than channelId and serviceUrl
// (house style 7.2 item 8) and answer 401 with no detail on any error.
//
//   auth::signing_key_cache keys;                     // filled by the key fetcher
//   auth::channel_validator validator({.app_id = app_id}, keys);
//   auto who = validator.validate(req[http::field::authorization], activity_channel_id,
//                                 activity_service_url, clock.now());
//   if (!who) -> log error_id, 401; if who.error() == errc::unknown_kid, the fetcher may refresh
//               (keys.may_refresh_for_unknown_kid) and the request be validated once more.

#include "bot/auth/errors.hpp"
#include "bot/auth/rules.hpp"
#include "bot/auth/signing_key_cache.hpp"
#include "bot/auth/verified_token_cache.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace ab::bot::auth {

/// Who sent the request, from a validated channel token.
struct identity {
    std::string app_id;      ///< the aud claim, equal to validation_options::app_id
    std::string issuer;      ///< the iss claim
    std::string service_url; ///< the serviceurl claim, equal to activity.serviceUrl
    std::chrono::system_clock::time_point expires_at; ///< exp
};

class channel_validator {
public:
    /// `keys` must outlive the validator; it is read, never updated, from here.
    channel_validator(validation_options options, const signing_key_cache& keys);

    /// Applies every rule of protocol notes §2.3 (see rules.hpp for the order and the error of
    /// each) to the Authorization header value and the activity's channelId and serviceUrl, at
    /// `now`. A token verified before is taken from the cache, but the lifetime, endorsement and
    /// serviceUrl rules run on every call. Errors are errc values only.
    /// Thread safety: may be called from any thread, concurrently.
    result<identity> validate(std::string_view authorization_header, std::string_view channel_id,
                              std::string_view service_url, std::chrono::system_clock::time_point now) const;

    /// validate() in two steps, so the endpoint can authenticate before it parses the body
    /// (house style 7.2 item 8): authenticate() runs the token's own rules (header, signature,
    /// issuer, audience, exp, lifetime at `now`); bind() then checks the parsed activity's
    /// channelId (key endorsement) and serviceUrl against the token, and the lifetime again.
    /// authenticate + bind = validate, error for error.
    result<std::shared_ptr<const verified_claims>> authenticate(std::string_view authorization_header,
                                                                std::chrono::system_clock::time_point now) const;
    result<identity> bind(const verified_claims& claims, std::string_view channel_id, std::string_view service_url,
                          std::chrono::system_clock::time_point now) const;

    const validation_options& options() const noexcept { return options_; }
    const verified_token_cache& token_cache() const noexcept { return tokens_; }

private:
    const validation_options options_;
    const signing_key_cache& keys_;
    mutable verified_token_cache tokens_; // internally synchronized
};

} // namespace ab::bot::auth
