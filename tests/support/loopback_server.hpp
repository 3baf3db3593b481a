#pragma once
// Loopback stand-ins for the services the adapters call (tests only): a scripted HTTP server on
// 127.0.0.1 with its own thread, a port nobody listens on, and the HMAC signature the receivers
// of our signed requests compute — with OpenSSL directly, not with the code under test.
#include "bot/async.hpp"
#include "bot/http/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <openssl/evp.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace ab::test {

/// "sha256=<lowercase hex HMAC-SHA256(key, message)>", computed with EVP_Q_mac.
inline std::string openssl_signature(const std::string& key, const std::string& message)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    std::size_t len = 0;
    if (!EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                   reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, sizeof out, &len))
        throw std::runtime_error("EVP_Q_mac failed");
    std::string hex = "sha256=";
    char buf[3];
    for (std::size_t i = 0; i < len; ++i) {
        std::snprintf(buf, sizeof buf, "%02x", out[i]);
        hex += buf;
    }
    return hex;
}

/// Records each request and answers as the test's script says, optionally after a delay.
class loopback_server {
public:
    struct answer {
        unsigned status = 200;
        std::string body;
        std::chrono::milliseconds delay{0};
        std::vector<std::pair<std::string, std::string>> headers;
    };
    /// n = 0 for the first request.
    using script = std::function<answer(int n, const bot::http::request_view& r)>;

    /// A script for fakes that answer with whole replies, at once (status, body, headers).
    static script replying(std::function<bot::http::reply(const bot::http::request_view&)> s)
    {
        return [s = std::move(s)](int, const bot::http::request_view& r) {
            bot::http::reply rep = s(r);
            return answer{rep.status, std::move(rep.body), {}, std::move(rep.headers)};
        };
    }

    explicit loopback_server(script s, bot::http::server::options opt = {})
        : script_(std::move(s)), server_(ioc_, std::move(opt), [this](bot::http::request_view r) { return handle(std::move(r)); })
    {
        port_ = server_.start();
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~loopback_server()
    {
        ioc_.stop();
        thread_.join();
    }
    loopback_server(const loopback_server&) = delete;
    loopback_server& operator=(const loopback_server&) = delete;

    std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::vector<bot::http::request_view> requests() const
    {
        std::lock_guard lock(mutex_);
        return seen_;
    }

private:
    task<bot::http::reply> handle(bot::http::request_view r)
    {
        int n = 0;
        {
            std::lock_guard lock(mutex_);
            n = static_cast<int>(seen_.size());
            seen_.push_back(r);
        }
        const answer a = script_(n, r);
        if (a.delay.count() > 0) {
            net::steady_timer timer(co_await net::this_coro::executor, a.delay);
            auto [ec] = co_await timer.async_wait(use_nothrow);
            (void)ec;
        }
        bot::http::reply rep;
        rep.status = a.status;
        rep.body = a.body;
        rep.headers = a.headers;
        co_return rep;
    }

    script script_;
    net::io_context ioc_;
    bot::http::server server_;
    std::uint16_t port_ = 0;
    std::thread thread_;
    mutable std::mutex mutex_;
    std::vector<bot::http::request_view> seen_;
};

/// A port that was free a moment ago and is closed again: connecting to it is refused.
inline std::uint16_t closed_port()
{
    net::io_context tmp;
    bot::http::server s(tmp, {}, [](bot::http::request_view) -> task<bot::http::reply> { co_return bot::http::reply{}; });
    return s.start();
}

} // namespace ab::test
