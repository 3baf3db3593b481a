#include "bot/auth/jwt.hpp"

#include "bot/auth/base64url.hpp"

namespace ab::bot::auth {

std::optional<jwt_alg> alg_from_name(std::string_view name) noexcept
{
    // JOSE names are case-sensitive (RFC 7515 §4.1.1).
    if (name == "RS256")
        return jwt_alg::rs256;
    if (name == "RS384")
        return jwt_alg::rs384;
    if (name == "RS512")
        return jwt_alg::rs512;
    return std::nullopt;
}

std::string_view alg_name(jwt_alg alg) noexcept
{
    switch (alg) {
    case jwt_alg::rs256: return "RS256";
    case jwt_alg::rs384: return "RS384";
    case jwt_alg::rs512: return "RS512";
    }
    return "";
}

namespace {

std::optional<nlohmann::json> decode_object(std::string_view part)
{
    const auto bytes = base64url_decode(part);
    if (!bytes)
        return std::nullopt;
    auto j = nlohmann::json::parse(*bytes, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return std::nullopt;
    return j;
}

// Explicit: decoded_jwt is an aggregate whose first member (a json) is constructible from an
// enum, so the implicit error constructor of result<> is not available.
result<decoded_jwt> malformed()
{
    return {boost::system::in_place_error, errc::malformed};
}

} // namespace

result<decoded_jwt> decode_jwt(std::string_view token)
{
    if (token.empty() || token.size() > max_token_bytes)
        return malformed();
    const auto dot1 = token.find('.');
    if (dot1 == std::string_view::npos)
        return malformed();
    const auto dot2 = token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
        return malformed();

    decoded_jwt out;
    auto header = decode_object(token.substr(0, dot1));
    if (!header || header->contains("crit"))
        return malformed();
    auto claims = decode_object(token.substr(dot1 + 1, dot2 - dot1 - 1));
    if (!claims)
        return malformed();
    auto signature = base64url_decode(token.substr(dot2 + 1));
    if (!signature)
        return malformed();
    out.header = std::move(*header);
    out.claims = std::move(*claims);
    out.signature = std::move(*signature);
    out.signing_input = token.substr(0, dot2);
    return out;
}

} // namespace ab::bot::auth
