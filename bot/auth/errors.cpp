#include "bot/auth/errors.hpp"

#include <string>

namespace ab::bot::auth {

namespace {

// boost::system::error_category has a protected non-virtual destructor by design (categories
// are never deleted through a base pointer); GCC's -Wnon-virtual-dtor still flags the base.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class category final : public boost::system::error_category {
public:
    // A fixed id keeps the category distinct even if the library is linked twice.
    constexpr category() noexcept : boost::system::error_category(0x61622e6175746831ULL) {}

    const char* name() const noexcept override { return "ab.bot.auth"; }

    std::string message(int ev) const override
    {
        const std::string_view id = error_id(static_cast<errc>(ev));
        return "[" + std::string(id) + "]";
    }
};
#pragma GCC diagnostic pop

} // namespace

const boost::system::error_category& auth_category() noexcept
{
    static const category instance;
    return instance;
}

std::string_view error_id(errc e) noexcept
{
    switch (e) {
    case errc::missing_header: return "auth.missing_header";
    case errc::bad_scheme: return "auth.bad_scheme";
    case errc::malformed: return "auth.malformed";
    case errc::unsupported_alg: return "auth.unsupported_alg";
    case errc::unknown_kid: return "auth.unknown_kid";
    case errc::bad_signature: return "auth.bad_signature";
    case errc::expired: return "auth.expired";
    case errc::not_yet_valid: return "auth.not_yet_valid";
    case errc::missing_exp: return "auth.missing_exp";
    case errc::bad_issuer: return "auth.bad_issuer";
    case errc::bad_audience: return "auth.bad_audience";
    case errc::serviceurl_mismatch: return "auth.serviceurl_mismatch";
    case errc::endorsement_missing: return "auth.endorsement_missing";
    case errc::no_keys: return "auth.no_keys";
    }
    return "auth.unknown";
}

} // namespace ab::bot::auth
