#include "bot/auth/jwks.hpp"

#include "bot/auth/base64url.hpp"

#include <algorithm>

namespace ab::bot::auth {

bool signing_key::endorses(std::string_view channel_id) const
{
    return std::find(endorsements.begin(), endorsements.end(), channel_id) != endorsements.end();
}

const signing_key* key_set::find(std::string_view kid) const
{
    for (const auto& k : keys)
        if (k.kid == kid)
            return &k;
    return nullptr;
}

namespace {

const std::string* string_member(const nlohmann::json& j, const char* name)
{
    const auto it = j.find(name);
    return it != j.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

// JWK integers are base64url without padding (RFC 7518 §2); a padded one from a lax publisher
// is harmless here, since the JWKS comes from a trusted endpoint.
std::optional<std::string> decode_uint(std::string_view s)
{
    while (!s.empty() && s.back() == '=')
        s.remove_suffix(1);
    return base64url_decode(s);
}

std::optional<std::vector<std::string>> string_array(const nlohmann::json& j)
{
    if (!j.is_array())
        return std::nullopt;
    std::vector<std::string> out;
    out.reserve(j.size());
    for (const auto& v : j) {
        if (!v.is_string())
            return std::nullopt;
        out.push_back(v.get<std::string>());
    }
    return out;
}

std::optional<signing_key> parse_key(const nlohmann::json& jwk)
{
    if (!jwk.is_object())
        return std::nullopt;
    const std::string* kty = string_member(jwk, "kty");
    const std::string* kid = string_member(jwk, "kid");
    if (!kty || *kty != "RSA" || !kid || kid->empty())
        return std::nullopt;
    if (jwk.contains("use")) {
        const std::string* use = string_member(jwk, "use");
        if (!use || *use != "sig")
            return std::nullopt;
    }
    std::optional<jwt_alg> alg;
    if (jwk.contains("alg")) {
        const std::string* a = string_member(jwk, "alg");
        alg = a ? alg_from_name(*a) : std::nullopt;
        if (!alg)
            return std::nullopt;
    }
    const std::string* n = string_member(jwk, "n");
    const std::string* e = string_member(jwk, "e");
    if (!n || !e)
        return std::nullopt;
    const auto n_bytes = decode_uint(*n);
    const auto e_bytes = decode_uint(*e);
    if (!n_bytes || !e_bytes)
        return std::nullopt;
    auto key = rsa_public_key::from_components(*n_bytes, *e_bytes);
    if (!key)
        return std::nullopt;

    std::vector<std::string> endorsements;
    if (const auto it = jwk.find("endorsements"); it != jwk.end()) {
        auto list = string_array(*it);
        if (!list)
            return std::nullopt; // a key whose endorsements cannot be read must not sign for anyone
        endorsements = std::move(*list);
    }
    std::optional<std::string> x5t;
    if (const std::string* t = string_member(jwk, "x5t"))
        x5t = *t;
    std::vector<std::string> x5c;
    if (const auto it = jwk.find("x5c"); it != jwk.end())
        x5c = string_array(*it).value_or(std::vector<std::string>{});
    return signing_key{*kid, std::move(*key), std::move(endorsements), alg, std::move(x5t), std::move(x5c)};
}

} // namespace

result<key_set> parse_jwks(std::string_view jwks_json)
{
    const auto doc = nlohmann::json::parse(jwks_json, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return errc::malformed;
    const auto keys = doc.find("keys");
    if (keys == doc.end() || !keys->is_array())
        return errc::malformed;
    key_set out;
    for (const auto& jwk : *keys) {
        auto k = parse_key(jwk);
        if (k && out.find(k->kid) == nullptr)
            out.keys.push_back(std::move(*k));
    }
    if (out.keys.empty())
        return errc::no_keys;
    return out;
}

} // namespace ab::bot::auth
