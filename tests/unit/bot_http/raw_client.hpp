#pragma once
// A raw TCP client for the server tests: writes arbitrary bytes (malformed input included) and
// reads responses with a hand-written parser, every wait bounded by a deadline. Blocking from the
// test thread's point of view; it runs its own private io_context, never the server's.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ab::bot::http::test {

struct raw_response {
    unsigned status = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    /// First value of header `name` (ASCII case-insensitive), empty if absent.
    std::string header(std::string_view name) const;
};

class raw_client {
public:
    using ms = std::chrono::milliseconds;

    /// Connects to 127.0.0.1:`port`; connected() tells whether it worked.
    explicit raw_client(std::uint16_t port);

    bool connected() const { return connected_; }
    /// Writes all of `bytes`; false if the connection failed.
    bool send(std::string_view bytes);
    /// The next response (1xx included); nullopt if the connection ended or `limit` passed first.
    /// `head`: the response answers a HEAD request (a length, but no content follows).
    std::optional<raw_response> read_response(ms limit = ms(5000), bool head = false);
    /// True if the server closes (EOF or reset) within `limit`; data received meanwhile is kept.
    bool closed_within(ms limit);
    /// Bytes received and not yet consumed by read_response.
    const std::string& pending() const { return in_; }
    void close();

private:
    /// One read into in_, waiting at most until `deadline`. False on EOF, error or timeout
    /// (timed_out_ tells which).
    bool fill(std::chrono::steady_clock::time_point deadline);

    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::socket socket_{ioc_};
    std::string in_;
    bool connected_ = false;
    bool ended_ = false;
    bool timed_out_ = false;
};

} // namespace ab::bot::http::test
