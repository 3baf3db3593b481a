#pragma once
// Expected failures of the Connector and the token endpoint, as values (house style 7.4).
#include <boost/system/error_code.hpp>

namespace ab::adapters::connector {

enum class errc {
    unauthorized = 1,       ///< [connector.unauthorized] 401/403 from the Connector or bad credentials
    not_found,              ///< [connector.not_found] 404: conversation or activity unknown
    rate_limited,           ///< [connector.http_429] still throttled after the client's retries
    upstream_unavailable,   ///< [connector.upstream] 5xx or no connection
    bad_response,           ///< [connector.bad_response] not the JSON we expect
    token_failed,           ///< [connector.token_failed] the token endpoint refused or failed
    bad_request,            ///< [connector.bad_request] 400: we sent something the Connector rejects
};

const boost::system::error_category& category();
inline boost::system::error_code make_error_code(errc e) { return {static_cast<int>(e), category()}; }

} // namespace ab::adapters::connector

template <>
struct boost::system::is_error_code_enum<ab::adapters::connector::errc> : std::true_type {};
