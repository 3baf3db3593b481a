// Fuzz target: arbitrary bytes as the client side of one connection to the real bot/http server
// (one loopback listener per process; its io_context is driven on this thread, so the server
// keeps its single I/O thread). The client sends the input, half-closes and reads until EOF.
// Properties, beyond "no crash, no sanitizer report":
//   - the server always ends the exchange (it sees our EOF; nothing may wait for io_timeout);
//   - everything it sends is a sequence of complete HTTP/1.x responses with a status we expect,
//     framed by Content-Length (1xx: none), and nothing follows a "Connection: close" response;
//   - it never resets the connection on us (lingering close keeps the last answer readable).
#include "bot/http/server.hpp"

#include "bot/log.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>

namespace {

using namespace ab;
namespace http = ab::bot::http;
using tcp = net::ip::tcp;

// /throw exercises the 500 path; everything else echoes the body back.
task<http::reply> echo(http::request_view req)
{
    if (req.target == "/throw")
        throw std::runtime_error("fuzz");
    co_return http::reply{200, "application/octet-stream", std::move(req.body), {{"X-Method", req.method}}};
}

struct harness {
    harness()
    {
        ab::log::set_sink([](const std::string&) {}); // the 500 path logs on purpose
        port = srv.start();
    }

    static http::server::options options()
    {
        http::server::options o;
        o.body_limit = 4096;  // small, so that mutations reach the limits
        o.header_limit = 2048;
        o.io_timeout = std::chrono::milliseconds(2000);
        o.idle_timeout = std::chrono::milliseconds(2000);
        return o;
    }

    net::io_context ioc;
    http::server srv{ioc, options(), &echo};
    std::uint16_t port = 0;
};

struct exchange_result {
    std::string received;
    bool clean = false; ///< all input written and the server ended with EOF (not a reset)
};

task<exchange_result> exchange(std::uint16_t port, std::string input)
{
    exchange_result out;
    const auto ex = co_await net::this_coro::executor;
    tcp::socket socket(ex);
    const tcp::endpoint server_endpoint(net::ip::make_address_v4("127.0.0.1"), port);
    auto [cec] = co_await socket.async_connect(server_endpoint, use_nothrow);
    if (cec)
        throw std::runtime_error("connect: " + cec.message());
    auto [wec, written] = co_await net::async_write(socket, net::buffer(input), use_nothrow);
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    std::array<char, 8192> buf{};
    for (;;) {
        auto [rec, n] = co_await socket.async_read_some(net::buffer(buf), use_nothrow);
        out.received.append(buf.data(), n);
        if (rec) {
            out.clean = !wec && rec == net::error::eof;
            break;
        }
    }
    co_return out;
}

char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

/// The value of `name` in a response head ("name: value" lines), lower-cased; npos-safe.
std::string field(std::string_view head, std::string_view name)
{
    std::size_t pos = head.find("\r\n");
    while (pos != std::string_view::npos) {
        const std::size_t start = pos + 2;
        pos = head.find("\r\n", start);
        const std::string_view line = head.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start);
        const std::size_t colon = line.find(':');
        if (colon != name.size())
            continue;
        if (!std::equal(name.begin(), name.end(), line.begin(), [](char a, char b) { return lower(a) == lower(b); }))
            continue;
        std::string v(line.substr(colon + 1));
        v.erase(0, v.find_first_not_of(' '));
        std::transform(v.begin(), v.end(), v.begin(), lower);
        return v;
    }
    return {};
}

void check_responses(std::string_view wire)
{
    while (!wire.empty()) {
        const std::size_t end = wire.find("\r\n\r\n");
        if (end == std::string_view::npos)
            __builtin_trap(); // an incomplete response head
        const std::string_view head = wire.substr(0, end);
        if (head.size() < 12 || (head.substr(0, 9) != "HTTP/1.1 " && head.substr(0, 9) != "HTTP/1.0 "))
            __builtin_trap();
        const std::string_view code = head.substr(9, 3);
        if (code != "100" && code != "200" && code != "400" && code != "413" && code != "431" && code != "500")
            __builtin_trap();
        wire.remove_prefix(end + 4);
        if (code == "100")
            continue;
        const std::string length = field(head, "content-length");
        if (length.empty() || length.size() > 9 || length.find_first_not_of("0123456789") != std::string::npos)
            __builtin_trap();
        const std::size_t n = std::stoul(length);
        if (n > wire.size())
            __builtin_trap(); // a truncated body
        wire.remove_prefix(n);
        if (field(head, "connection") == "close" && !wire.empty())
            __builtin_trap(); // bytes after the last response
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static harness h;
    bool done = false;
    exchange_result result;
    net::co_spawn(h.ioc, exchange(h.port, std::string(reinterpret_cast<const char*>(data), size)),
                  [&](std::exception_ptr e, exchange_result r) {
                      if (e)
                          __builtin_trap(); // the client could not even connect
                      result = std::move(r);
                      done = true;
                  });
    // The server sees our EOF and ends at once; one that waited for io_timeout instead would show
    // as a slow replay, a hang as this trap.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done) {
        if (std::chrono::steady_clock::now() > deadline)
            __builtin_trap();
        h.ioc.run_one_for(std::chrono::milliseconds(100));
    }
    if (!result.clean)
        __builtin_trap(); // a reset, or the server stopped reading our input
    check_responses(result.received);
    return 0;
}
