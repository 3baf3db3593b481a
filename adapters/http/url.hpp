#pragma once
// Absolute http:// and https:// URLs, split into what a client needs to connect and send.

#include <boost/system/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace ab::adapters::http {

struct url {
    std::string scheme; ///< "http" or "https" (lower case)
    std::string host;   ///< lower case; an IPv6 literal without its brackets
    std::uint16_t port = 0;
    std::string target; ///< path + query, at least "/"; the fragment is dropped

    bool tls() const { return scheme == "https"; }
    /// `host` or `host:port` when the port is not the scheme's default ([v6] bracketed).
    std::string host_header() const;
    /// `scheme://host:port`: the key of the connection pool.
    std::string origin() const;
    /// `target` without its query (what may be logged).
    std::string_view path() const;
};

/// Parses `scheme://host[:port][/path][?query][#fragment]`. Scheme and host are case-insensitive.
/// errc::bad_url for another scheme, userinfo (`user@`), an empty host, a port outside 1..65535,
/// or spaces/control characters anywhere.
boost::system::result<url> parse_url(std::string_view text);

} // namespace ab::adapters::http
