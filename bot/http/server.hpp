#pragma once
// The inbound HTTP/1.1 server of the Bot Framework endpoint (protocol notes §4.3): accepts
// connections, reads requests within limits and deadlines, hands each complete request to one
// caller-supplied handler and writes its reply. It routes nothing; the router is the handler.
//
// Thread model (house style 7.5): everything runs on the single I/O thread of the io_context
// given to the constructor. Each connection is one coroutine with its own cancellation_signal;
// shutdown() stops accepting, closes idle connections, lets requests in flight finish until
// options::shutdown_deadline and then cancels the rest.
//
// What the peer sees when a request breaks the rules (the connection is closed afterwards):
//   400 malformed request, 413 body over body_limit (a declared Content-Length is refused before
//   the body is read; a chunked body when it grows past the limit), 431 header over header_limit,
//   503 over max_connections, 500 when the handler throws (the connection stays open then).
// Stable error ids in logs: http.handler_failed, http.bad_reply, http.session_failed,
// http.accept_failed; start() throws "[http.bind_failed] ...".

#include "bot/async.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace ab::bot::http {

/// One complete request as the handler sees it. Owns its strings.
struct request_view {
    std::string method; ///< as sent, e.g. "POST"
    std::string target; ///< request-target as sent, e.g. "/api/messages?x=1"
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers; ///< in arrival order, names as sent
    std::string remote_address;                               ///< peer IP address, e.g. "127.0.0.1"

    /// The value of header `name` (ASCII case-insensitive); repeated fields are joined with ", "
    /// (RFC 9110 §5.3). Empty if absent.
    std::string header(std::string_view name) const;
};

/// What the handler answers. Content-Length, Transfer-Encoding and Connection belong to the
/// server: such entries in `headers` are ignored. `content_type` is sent only with a non-empty
/// body. A reply the server cannot send as is (status outside 200..999, a header name that is not
/// a token, CR/LF/NUL in a value) is logged as http.bad_reply and answered with 500.
struct reply {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

/// Called once per complete request, on the I/O thread. An exception (std::exception) is logged as
/// http.handler_failed and answered with 500; the connection stays usable.
using handler = std::function<task<reply>(request_view)>;

class server {
public:
    struct options {
        std::string address = "127.0.0.1";
        std::uint16_t port = 0; ///< 0: any free port, see start()
        std::size_t body_limit = 256 * 1024;
        std::size_t header_limit = 16 * 1024; ///< request line + header fields
        /// Deadline of each single read or write (re-armed before every one), also the wait for
        /// the first byte of a new connection: a client trickling bytes is cut off.
        std::chrono::milliseconds io_timeout{15000};
        std::chrono::milliseconds idle_timeout{60000}; ///< keep-alive wait between requests
        std::size_t max_connections = 2048;            ///< beyond: 503 and close
        std::chrono::milliseconds shutdown_deadline{10000};
    };

    /// Monotonic counters since construction (active is a gauge).
    struct counters {
        std::uint64_t accepted = 0;          ///< TCP connections accepted, including rejected ones
        std::uint64_t active = 0;            ///< connections being served now
        std::uint64_t requests = 0;          ///< complete requests handed to the handler
        std::uint64_t rejected_over_cap = 0; ///< connections answered 503 (max_connections)
        std::uint64_t timeouts = 0;          ///< reads/writes that hit io_timeout (not idle closes)
        std::uint64_t bad_requests = 0;      ///< answered 400, 413 or 431
        std::uint64_t handler_errors = 0;    ///< handler threw or gave a bad reply (answered 500)
    };

    /// `on_request` must not be empty. The server must not outlive `ioc`.
    server(boost::asio::io_context& ioc, options opts, handler on_request);
    /// Closes the listener and cancels every connection (no grace: call shutdown() first).
    /// Call on the I/O thread or while the io_context is not running.
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// Binds and listens, then starts accepting on the I/O thread. Returns the bound port.
    /// Throws std::runtime_error "[http.bind_failed] ..." if the address is invalid or the
    /// bind/listen fails, std::logic_error if called twice.
    std::uint16_t start();

    /// Graceful stop (house style rule 29): stop accepting (new connections are refused), close
    /// idle keep-alive connections, let requests in flight finish (their replies carry
    /// Connection: close) until shutdown_deadline, then cancel the rest and wait briefly for them.
    /// Completes when every connection has ended (or after that brief wait). Call once, on the I/O
    /// thread; the server must outlive the returned task.
    task<void> shutdown();

    /// A snapshot of the counters. Call on the I/O thread.
    counters stats() const;

private:
    struct impl;
    std::shared_ptr<impl> impl_; // shared with the connection coroutines, so their frames never dangle
};

} // namespace ab::bot::http
