#pragma once
// A scripted loopback HTTP/1.1 server for the client tests: plain or TLS, on 127.0.0.1:0, run on
// its own thread with its own io_context (cpp-httplib's fixture shape). Each test scripts the
// reply per request (status sequences, Retry-After, delays, hanging, closing connections) and
// reads back what arrived (requests, arrival times, TLS server name, accepted TCP connections).
// Beast stays in test_server.cpp.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ab::test::http {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct received {
    std::string method;
    std::string target;
    header_list headers;
    std::string body;
    std::size_t connection = 0; ///< 1-based index of the TCP connection it arrived on
    std::chrono::steady_clock::time_point at; ///< when the request was fully read
    std::string server_name;    ///< TLS SNI sent by the client ("" for none or plain HTTP)

    /// The first header named `name` (case-insensitive), or "".
    std::string header(std::string_view name) const;
};

struct reply {
    enum class action {
        respond, ///< send the reply
        hang,    ///< read the request, never answer (the connection stays open)
        drop,    ///< read the request, close the connection without answering
    };
    unsigned status = 200;
    header_list headers;
    std::string body;
    std::chrono::milliseconds delay{0}; ///< wait before answering
    bool close = false;         ///< answer with Connection: close, then close
    bool close_silently = false; ///< answer as keep-alive, then close anyway (a stale idle connection)
    action act = action::respond;
};

/// Decides the reply to each request; runs on the server thread only.
using script = std::function<reply(const received&)>;

/// Replies in order; the last one repeats.
script in_order(std::vector<reply> replies);

struct tls_files {
    std::string cert_chain; ///< PEM: the server certificate (and intermediates)
    std::string key;        ///< PEM private key
};

class server {
public:
    explicit server(script s);    ///< plain HTTP
    server(script s, tls_files tls); ///< HTTPS
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    std::uint16_t port() const;
    /// `http(s)://127.0.0.1:<port><path>`
    std::string url(std::string_view path = "/") const;
    /// TCP connections accepted so far.
    std::size_t connections() const;
    /// Requests read so far, in arrival order.
    std::vector<received> requests() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace ab::test::http
