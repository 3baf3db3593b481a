#pragma once
// Why an outbound HTTP request failed. Values are stable error ids ("[http.timeout]"), compared
// as `ec == errc::timeout`, never by message text (house style 7.4). An HTTP status, even 4xx/5xx,
// is not an error: it comes back as a response.

#include <boost/system/error_category.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/is_error_code_enum.hpp>

#include <string_view>
#include <type_traits>

namespace ab::adapters::http {

enum class errc {
    timeout = 1,       ///< request.timeout elapsed (resolve, connect, TLS, write, read or backoff)
    connect_failed,    ///< name resolution or TCP connect failed (refused, unreachable, no address)
    tls_failed,        ///< TLS handshake failed: untrusted chain, hostname mismatch, bad peer; or the
                       ///< CA file could not be loaded (thrown by the client constructor)
    bad_url,           ///< not an absolute http:// or https:// URL with a host (or a bad port)
    too_large,         ///< the response body exceeds options.max_body (or its header 64 KiB)
    protocol,          ///< the response is not valid HTTP/1.1, or the request could not be encoded
                       ///< (unknown method, CR/LF in a header)
    connection_lost,   ///< the connection was reset/closed after the request was sent and the
                       ///< method is not idempotent, so it was not retried
    retries_exhausted, ///< every attempt failed at the connection level (max_attempts or the time
                       ///< budget used up); the last cause is in the http.request.failed log line
};

/// The category of errc; its name() is "http".
const boost::system::error_category& http_category() noexcept;

boost::system::error_code make_error_code(errc e) noexcept;

/// The stable id without brackets, e.g. "http.timeout"; "http.unknown" for other values.
std::string_view error_id(errc e) noexcept;

} // namespace ab::adapters::http

template <>
struct boost::system::is_error_code_enum<ab::adapters::http::errc> : std::true_type {};
