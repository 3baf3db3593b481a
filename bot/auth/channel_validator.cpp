#include "bot/auth/channel_validator.hpp"

namespace ab::bot::auth {

namespace {

identity identity_of(const verified_claims& c)
{
    return identity{c.audience, c.issuer, c.service_url, to_time_point(c.expires)};
}

} // namespace

channel_validator::channel_validator(validation_options options, const signing_key_cache& keys)
    : options_(std::move(options)), keys_(keys), tokens_(options_.token_cache_capacity)
{
}

result<identity> channel_validator::validate(std::string_view authorization_header, std::string_view channel_id,
                                             std::string_view service_url, std::chrono::system_clock::time_point now) const
{
    auto claims = authenticate(authorization_header, now);
    if (!claims)
        return claims.error();
    return bind(**claims, channel_id, service_url, now);
}

result<std::shared_ptr<const verified_claims>> channel_validator::authenticate(std::string_view authorization_header,
                                                                               std::chrono::system_clock::time_point now) const
{
    const auto token = bearer_token(authorization_header);
    if (!token)
        return token.error();
    if (token->size() > max_token_bytes)
        return errc::malformed; // before it is hashed for the cache

    const auto keys = keys_.snapshot();
    // A cached entry counts only for the key set it was verified against: after a refresh the
    // token is verified again, so a key that was withdrawn (or lost an endorsement) stops
    // authenticating at once.
    std::shared_ptr<const verified_claims> claims;
    if (auto cached = tokens_.find(*token, now); cached && keys && cached->key_generation == keys->generation) {
        claims = std::move(cached);
    } else {
        auto verified = verify_token(*token, keys.get(), options_);
        if (!verified)
            return verified.error();
        claims = std::make_shared<const verified_claims>(std::move(*verified));
        // Kept while it could still pass the lifetime rule (checked below on every request).
        tokens_.insert(*token, claims, to_time_point(claims->expires + static_cast<double>(options_.clock_skew.count())));
    }
    if (auto ec = check_lifetime(claims->not_before, claims->expires, now, options_.clock_skew))
        return ec;
    return claims;
}

result<identity> channel_validator::bind(const verified_claims& claims, std::string_view channel_id, std::string_view service_url,
                                         std::chrono::system_clock::time_point now) const
{
    if (auto ec = check_binding(claims, channel_id, service_url, options_, now))
        return ec;
    return identity_of(claims);
}

} // namespace ab::bot::auth
