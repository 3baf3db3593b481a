#pragma once
// HTTP/1.1 client for the outbound REST adapters (Bot Connector, Graph, helpdesk): http:// and
// https://, keep-alive connection reuse, TLS with SNI and hostname verification, one deadline per
// request, bounded retries with jittered backoff and Retry-After. Beast and OpenSSL stay in
// client.cpp; this header only needs the coroutine vocabulary.
//
// Thread model (house style 7.5, rule 25): a client lives on one executor, driven by the single
// I/O thread. Construct it, call send() and stats(), and destroy it on that thread; there are no
// strands or mutexes inside. Several send() coroutines may be in flight at once (they interleave on
// that thread; each uses its own connection). The client must outlive every send() it started.

#include "adapters/http/errc.hpp"
#include "bot/async.hpp"

#include <boost/system/result.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ab::adapters::http {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct request {
    std::string method = "GET"; ///< a standard method (GET, POST, PUT, PATCH, DELETE, HEAD, ...)
    std::string url;            ///< absolute http:// or https:// URL
    header_list headers;        ///< Host, User-Agent and Content-Length are added when absent
    std::string body;
    std::chrono::milliseconds timeout{30'000}; ///< bounds the whole send(), retries and waits included;
                                               ///< zero or negative means the default 30 s
};

struct response {
    unsigned status = 0;
    header_list headers; ///< in wire order, names as received
    std::string body;

    /// The first header named `name` (case-insensitive), or "" if there is none.
    std::string header(std::string_view name) const;
};

class client {
public:
    struct options {
        std::string ca_file;                      ///< PEM trust anchors; empty = the system trust store
        bool verify_peer = true;                  ///< false only for local development
        std::size_t max_idle_per_host = 8;        ///< idle keep-alive connections kept per origin
        int max_attempts = 4;                     ///< attempts per request, the first one included
        std::chrono::milliseconds base_delay{200}; ///< first backoff; doubles per retry, ±20 % jitter
        std::chrono::milliseconds max_delay{8000}; ///< cap of any wait, Retry-After included
        std::size_t max_body = 4u << 20;           ///< larger response bodies fail with errc::too_large
    };

    struct statistics {
        std::uint64_t connects = 0; ///< TCP connections opened
        std::uint64_t reuses = 0;   ///< exchanges sent on an idle keep-alive connection
        std::uint64_t retries = 0;  ///< attempts after the first (stale-connection replays excluded)
    };

    /// Throws boost::system::system_error ([http.tls_failed]) when `ca_file` cannot be loaded: a
    /// configuration error, caught at the main boundary.
    client(net::any_io_executor executor, options opts);
    ~client();
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    /// Sends `req`, retrying 412, 429, 502, 503, 504 and connection-level failures up to
    /// max_attempts times within req.timeout. Waits honour Retry-After (delta-seconds or HTTP-date)
    /// capped by max_delay, else back off exponentially with jitter. Any status is a response,
    /// including the last retryable one when attempts or time run out. Errors: errc (bad_url,
    /// connect_failed, tls_failed, timeout, too_large, protocol, connection_lost,
    /// retries_exhausted), or net::error::operation_aborted when the caller cancels. Failures
    /// after the request was written are retried only for idempotent methods; a reused idle
    /// connection that fails before any response byte is replayed once on a fresh connection
    /// without counting as an attempt (the server closed it while idle). Logs one line per call:
    /// http.request (status, attempts, ms) or http.request.failed (error id); never headers or
    /// bodies.
    task<boost::system::result<response>> send(request req);

    statistics stats() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace ab::adapters::http
