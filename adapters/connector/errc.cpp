#include "adapters/connector/errc.hpp"

namespace ab::adapters::connector {

namespace {
// error_category's destructor is protected and non-virtual by design (categories are never
// deleted through the base); GCC warns anyway.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "connector"; }
    std::string message(int ev) const override
    {
        switch (static_cast<errc>(ev)) {
        case errc::unauthorized: return "[connector.unauthorized] the Connector refused our credentials";
        case errc::not_found: return "[connector.not_found] conversation or activity not found";
        case errc::rate_limited: return "[connector.http_429] throttled by the Connector";
        case errc::upstream_unavailable: return "[connector.upstream] the Connector is unavailable";
        case errc::bad_response: return "[connector.bad_response] unexpected response";
        case errc::token_failed: return "[connector.token_failed] could not obtain an access token";
        case errc::bad_request: return "[connector.bad_request] the Connector rejected the activity";
        }
        return "[connector.unknown]";
    }
};
#pragma GCC diagnostic pop
} // namespace

const boost::system::error_category& category()
{
    static const category_impl c;
    return c;
}

} // namespace ab::adapters::connector
