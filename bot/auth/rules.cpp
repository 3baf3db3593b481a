#include "bot/auth/rules.hpp"

#include "bot/auth/jwt.hpp"

#include <algorithm>
#include <cmath>

namespace ab::bot::auth {

namespace {

using boost::system::error_code;

const std::string* string_claim(const nlohmann::json& j, const char* name)
{
    const auto it = j.find(name);
    return it != j.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

enum class numeric { absent, ok, invalid };

// NumericDate (RFC 7519 §2): a JSON number, integer or not.
numeric numeric_claim(const nlohmann::json& j, const char* name, double& out)
{
    const auto it = j.find(name);
    if (it == j.end())
        return numeric::absent;
    if (!it->is_number())
        return numeric::invalid;
    out = it->get<double>();
    return std::isfinite(out) ? numeric::ok : numeric::invalid;
}

} // namespace

result<std::string_view> bearer_token(std::string_view authorization_header)
{
    if (authorization_header.empty())
        return errc::missing_header;
    const auto space = authorization_header.find(' ');
    if (space == std::string_view::npos)
        return errc::bad_scheme;
    const std::string_view scheme = authorization_header.substr(0, space);
    const std::string_view token = authorization_header.substr(space + 1);
    if (scheme != "Bearer" || token.find(' ') != std::string_view::npos)
        return errc::bad_scheme;
    if (token.empty())
        return errc::malformed;
    return token;
}

error_code check_issuer(const nlohmann::json& claims, const validation_options& options)
{
    const std::string* iss = string_claim(claims, "iss");
    if (!iss || std::find(options.issuers.begin(), options.issuers.end(), *iss) == options.issuers.end())
        return errc::bad_issuer;
    return {};
}

error_code check_audience(const nlohmann::json& claims, const validation_options& options)
{
    const std::string* aud = string_claim(claims, "aud");
    if (!aud || options.app_id.empty() || *aud != options.app_id)
        return errc::bad_audience;
    return {};
}

error_code check_lifetime(std::optional<double> not_before, double expires, std::chrono::system_clock::time_point now,
                          std::chrono::seconds skew)
{
    const auto t = static_cast<double>(std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count());
    const auto s = static_cast<double>(skew.count());
    if (t >= expires + s)
        return errc::expired;
    if (not_before && *not_before > t + s)
        return errc::not_yet_valid;
    return {};
}

error_code check_endorsements(const std::vector<std::string>& key_endorsements, std::string_view channel_id,
                              const validation_options& options)
{
    const auto has = [&](std::string_view e) {
        return std::find(key_endorsements.begin(), key_endorsements.end(), e) != key_endorsements.end();
    };
    if (key_endorsements.empty())
        return options.allow_unendorsed_keys && options.required_endorsements.empty() ? error_code{}
                                                                                    : error_code{errc::endorsement_missing};
    // botbuilder lets an activity without channelId pass; the activity schema requires one
    // (A2020), so we do not.
    if (channel_id.empty() || !has(channel_id))
        return errc::endorsement_missing;
    for (const auto& required : options.required_endorsements)
        if (!has(required))
            return errc::endorsement_missing;
    return {};
}

error_code check_service_url(std::string_view claim, std::string_view activity_service_url)
{
    if (claim.empty() || activity_service_url.empty() || claim != activity_service_url)
        return errc::serviceurl_mismatch;
    return {};
}

result<verified_claims> verify_token(std::string_view token, const key_snapshot* keys, const validation_options& options)
{
    auto decoded = decode_jwt(token);
    if (!decoded)
        return decoded.error();
    const nlohmann::json& header = decoded->header;
    const nlohmann::json& claims = decoded->claims;

    const std::string* alg_text = string_claim(header, "alg");
    if (!alg_text)
        return errc::malformed;
    const auto alg = alg_from_name(*alg_text);
    if (!alg)
        return errc::unsupported_alg;

    if (auto ec = check_issuer(claims, options))
        return ec;

    if (!keys || keys->keys.keys.empty())
        return errc::no_keys;
    const auto kid_it = header.find("kid");
    if (kid_it != header.end() && !kid_it->is_string())
        return errc::malformed;
    // No kid: botbuilder looks the key up by kid only, so there is nothing to verify with.
    const signing_key* key = kid_it == header.end() ? nullptr : keys->keys.find(kid_it->get_ref<const std::string&>());
    if (!key)
        return errc::unknown_kid;
    if (key->alg && *key->alg != *alg)
        return errc::unsupported_alg;
    if (!key->key.verify(*alg, decoded->signing_input, decoded->signature))
        return errc::bad_signature;

    // Only claims of an authentic token are looked at from here on.
    verified_claims out;
    double value = 0;
    switch (numeric_claim(claims, "exp", value)) {
    case numeric::absent: return errc::missing_exp;
    case numeric::invalid: return errc::malformed;
    case numeric::ok: out.expires = value; break;
    }
    switch (numeric_claim(claims, "nbf", value)) {
    case numeric::absent: break;
    case numeric::invalid: return errc::malformed;
    case numeric::ok: out.not_before = value; break;
    }
    if (auto ec = check_audience(claims, options))
        return ec;

    // The SDKs read "serviceurl"; the docs call it "serviceUrl". Accept either; if both are
    // present they must agree, or no activity can match the token.
    const std::string* lower = string_claim(claims, "serviceurl");
    const std::string* camel = string_claim(claims, "serviceUrl");
    if ((claims.contains("serviceurl") && !lower) || (claims.contains("serviceUrl") && !camel) ||
        (lower && camel && *lower != *camel))
        return errc::serviceurl_mismatch;
    if (lower)
        out.service_url = *lower;
    else if (camel)
        out.service_url = *camel;

    out.issuer = *string_claim(claims, "iss");  // both checked above
    out.audience = *string_claim(claims, "aud");
    out.key_id = key->kid;
    out.endorsements = key->endorsements;
    out.key_generation = keys->generation;
    return out;
}

error_code check_binding(const verified_claims& claims, std::string_view channel_id, std::string_view service_url,
                         const validation_options& options, std::chrono::system_clock::time_point now)
{
    if (auto ec = check_lifetime(claims.not_before, claims.expires, now, options.clock_skew))
        return ec;
    if (auto ec = check_endorsements(claims.endorsements, channel_id, options))
        return ec;
    return check_service_url(claims.service_url, service_url);
}

std::chrono::system_clock::time_point to_time_point(double seconds_since_epoch)
{
    using clock = std::chrono::system_clock;
    // libstdc++'s system_clock counts int64 nanoseconds: about ±292 years around 1970.
    const double limit =
        static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(clock::duration::max()).count()) * 0.99;
    const double s = std::clamp(seconds_since_epoch, -limit, limit);
    return clock::time_point(std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(s)));
}

} // namespace ab::bot::auth
