#include "tests/unit/adapters_http/test_server.hpp"

#include "bot/async.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

namespace ab::test::http {

namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

bool iequals(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

// Longer than any client timeout in the tests: a client that never gives up fails its assertion.
constexpr std::chrono::seconds hang_time{10};

} // namespace

std::string received::header(std::string_view name) const
{
    for (const auto& [n, v] : headers)
        if (iequals(n, name))
            return v;
    return {};
}

script in_order(std::vector<reply> replies)
{
    if (replies.empty())
        throw std::invalid_argument("in_order: no replies");
    auto next = std::make_shared<std::size_t>(0);
    return [replies = std::move(replies), next](const received&) {
        const auto i = std::min(*next, replies.size() - 1);
        ++*next;
        return replies[i];
    };
}

namespace {

// Declaration order matters for destruction: the io_context (and with it the session frames)
// goes before the TLS context and the script, the acceptor and thread before the io_context.
struct server_state {
    std::optional<ssl::context> tls;
    script handler;
    std::atomic<std::size_t> accepted{0};
    mutable std::mutex mutex;
    std::vector<received> log;
    std::exception_ptr failure;
    net::io_context ioc;
    tcp::acceptor acceptor{ioc};
    std::uint16_t port = 0;
    std::thread thread;

    void record_failure(std::exception_ptr e)
    {
        if (!e)
            return;
        std::lock_guard lock(mutex);
        if (!failure)
            failure = e;
    }
};

template <class Stream>
task<void> serve(server_state& s, Stream& stream, std::size_t index, std::string server_name)
{
    auto executor = co_await net::this_coro::executor;
    beast::flat_buffer buffer;
    for (;;) {
        bhttp::request<bhttp::string_body> req;
        auto [ec, n] = co_await bhttp::async_read(stream, buffer, req, use_nothrow);
        if (ec) // the client closed or reset the connection: the normal end of a session here
            co_return;

        received r;
        r.method = std::string(req.method_string());
        r.target = std::string(req.target());
        for (const auto& f : req)
            r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
        r.body = req.body();
        r.connection = index;
        r.at = std::chrono::steady_clock::now();
        r.server_name = server_name;
        {
            std::lock_guard lock(s.mutex);
            s.log.push_back(r);
        }
        const reply rp = s.handler(r);

        if (rp.act == reply::action::hang) {
            net::steady_timer timer{executor, hang_time};
            co_await timer.async_wait(use_nothrow); // ends early only when the server stops
            co_return;
        }
        if (rp.delay.count() > 0) {
            net::steady_timer timer{executor, rp.delay};
            co_await timer.async_wait(use_nothrow);
        }
        if (rp.act == reply::action::drop)
            co_return; // the stream closes with the frame

        bhttp::response<bhttp::string_body> res;
        res.version(11);
        res.result(rp.status);
        for (const auto& [name, value] : rp.headers)
            res.insert(name, value);
        res.body() = rp.body;
        res.keep_alive(!rp.close && req.keep_alive());
        res.prepare_payload();
        auto [wec, written] = co_await bhttp::async_write(stream, res, use_nothrow);
        if (wec || rp.close || rp.close_silently)
            co_return;
    }
}

task<void> session(server_state& s, tcp::socket socket, std::size_t index)
{
    beast::tcp_stream stream{std::move(socket)};
    if (!s.tls) {
        co_await serve(s, stream, index, "");
        co_return;
    }
    beast::ssl_stream<beast::tcp_stream> tls_stream{std::move(stream), *s.tls};
    auto [ec] = co_await tls_stream.async_handshake(ssl::stream_base::server, use_nothrow);
    if (ec) // the client rejected our certificate: what the TLS failure tests provoke
        co_return;
    const char* name = SSL_get_servername(tls_stream.native_handle(), TLSEXT_NAMETYPE_host_name);
    co_await serve(s, tls_stream, index, name ? name : "");
}

task<void> accept_loop(server_state& s)
{
    for (;;) {
        auto [ec, socket] = co_await s.acceptor.async_accept(use_nothrow);
        if (ec) // acceptor closed at shutdown
            co_return;
        const std::size_t index = ++s.accepted;
        net::co_spawn(s.ioc, session(s, std::move(socket), index), [&s](std::exception_ptr e) { s.record_failure(e); });
    }
}

void start(server_state& s)
{
    const tcp::endpoint loopback{net::ip::make_address_v4("127.0.0.1"), 0};
    s.acceptor.open(loopback.protocol());
    s.acceptor.bind(loopback);
    s.acceptor.listen();
    s.port = s.acceptor.local_endpoint().port();
    net::co_spawn(s.ioc, accept_loop(s), [&s](std::exception_ptr e) { s.record_failure(e); });
    s.thread = std::thread([&s] { s.ioc.run(); });
}

} // namespace

struct server::impl : server_state {};

server::server(script s) : impl_(std::make_unique<impl>())
{
    impl_->handler = std::move(s);
    start(*impl_);
}

server::server(script s, tls_files tls) : impl_(std::make_unique<impl>())
{
    impl_->handler = std::move(s);
    impl_->tls.emplace(ssl::context::tls_server);
    impl_->tls->use_certificate_chain_file(tls.cert_chain);
    impl_->tls->use_private_key_file(tls.key, ssl::context::pem);
    start(*impl_);
}

server::~server()
{
    impl_->ioc.stop();
    impl_->thread.join();
    if (impl_->failure) {
        try {
            std::rethrow_exception(impl_->failure);
        } catch (const std::exception& e) {
            ADD_FAILURE() << "test server coroutine threw: " << e.what();
        } catch (...) {
            ADD_FAILURE() << "test server coroutine threw a non-std exception";
        }
    }
}

std::uint16_t server::port() const
{
    return impl_->port;
}

std::string server::url(std::string_view path) const
{
    return std::string(impl_->tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(impl_->port) + std::string(path);
}

std::size_t server::connections() const
{
    return impl_->accepted.load();
}

std::vector<received> server::requests() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->log;
}

} // namespace ab::test::http
