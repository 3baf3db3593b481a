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
    const auto token = bearer_token(authorization_header);
    if (!token)
        return token.error();
    if (token->size() > max_token_bytes)
        return errc::malformed; // before it is hashed for the cache

    const auto keys = keys_.snapshot();
    // A cached entry counts only for the key set it was verified against: after a refresh the
    // token is verified again, so a key that was withdrawn (or lost an endorsement) stops
    // authenticating at once.
    if (auto cached = tokens_.find(*token, now); cached && keys && cached->key_generation == keys->generation) {
        if (auto ec = check_binding(*cached, channel_id, service_url, options_, now))
            return ec;
        return identity_of(*cached);
    }

    auto verified = verify_token(*token, keys.get(), options_);
    if (!verified)
        return verified.error();
    if (auto ec = check_binding(*verified, channel_id, service_url, options_, now))
        return ec;
    auto claims = std::make_shared<const verified_claims>(std::move(*verified));
    // Kept while it could still pass the lifetime rule.
    tokens_.insert(*token, claims, to_time_point(claims->expires + static_cast<double>(options_.clock_skew.count())));
    return identity_of(*claims);
}

} // namespace ab::bot::auth
