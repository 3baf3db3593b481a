#include "adapters/http/errc.hpp"

#include <string>

namespace ab::adapters::http {

namespace {

std::string_view description(errc e) noexcept
{
    switch (e) {
    case errc::timeout: return "the request timed out";
    case errc::connect_failed: return "could not connect to the server";
    case errc::tls_failed: return "the TLS handshake or certificate verification failed";
    case errc::bad_url: return "the URL is not an absolute http(s) URL";
    case errc::too_large: return "the response exceeds the size limit";
    case errc::protocol: return "the HTTP exchange was malformed";
    case errc::connection_lost: return "the connection was lost after the request was sent";
    case errc::retries_exhausted: return "all attempts failed";
    }
    return "unknown http error";
}

// error_category's destructor is protected and non-virtual by design (categories are never
// deleted through the base); Boost silences the same warning in its own header.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class http_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "http"; }

    std::string message(int ev) const override
    {
        const auto e = static_cast<errc>(ev);
        return "[" + std::string(error_id(e)) + "] " + std::string(description(e));
    }
};
#pragma GCC diagnostic pop

} // namespace

const boost::system::error_category& http_category() noexcept
{
    static const http_category_impl instance;
    return instance;
}

boost::system::error_code make_error_code(errc e) noexcept
{
    return {static_cast<int>(e), http_category()};
}

std::string_view error_id(errc e) noexcept
{
    switch (e) {
    case errc::timeout: return "http.timeout";
    case errc::connect_failed: return "http.connect_failed";
    case errc::tls_failed: return "http.tls_failed";
    case errc::bad_url: return "http.bad_url";
    case errc::too_large: return "http.too_large";
    case errc::protocol: return "http.protocol";
    case errc::connection_lost: return "http.connection_lost";
    case errc::retries_exhausted: return "http.retries_exhausted";
    }
    return "http.unknown";
}

} // namespace ab::adapters::http
