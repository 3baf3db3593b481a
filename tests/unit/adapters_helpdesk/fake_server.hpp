#pragma once
// A loopback stand-in for a helpdesk endpoint (webhook receiver or ServiceNow instance), run on
// its own thread: records each request and answers as the test's script says, optionally after a
// delay. Also: the HMAC the webhook receiver computes, with OpenSSL (not the code under test), and
// the shared fixtures.
#include "bot/async.hpp"
#include "bot/http/server.hpp"
#include "bot/ports/helpdesk.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <openssl/evp.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
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

inline std::string source_file(const std::string& relative)
{
    std::ifstream in(std::string(AB_SOURCE_DIR) + "/" + relative, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot open " + relative);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// The event of tests/fixtures/helpdesk/webhook-body.json.
inline bot::ports::escalation_event fixture_event()
{
    bot::ports::escalation_event e;
    e.delivery_id = "dlv-esc-3f2a9c41-created-webhook";
    e.escalation_id = "esc-3f2a9c41";
    e.event = "created";
    e.status = "open";
    e.question = "Why can't I chat with Zo\u00eb at fabrikam.com in Teams?";
    e.summary = "Cannot chat with an external user at fabrikam.com";
    e.intent = "external_access";
    e.language = "en";
    e.domain = "fabrikam.com";
    e.user_id = "29:1a2b3c4d5e";
    e.user_aad_object_id = "8c6c2c05-4b7f-4f0e-9d57-1f1d2c0a9b11";
    e.user_name = "Megan Bowen";
    e.tenant_id = "0f7d3b2a-5c1e-4e8f-a9d6-3b2c1d0e9f87";
    e.actor_name = "Megan Bowen";
    e.occurred_at = "2025-11-21T09:20:00Z";
    return e;
}

class fake_server {
public:
    struct answer {
        unsigned status = 200;
        std::string body;
        std::chrono::milliseconds delay{0};
        std::vector<std::pair<std::string, std::string>> headers;
    };
    /// n = 0 for the first request.
    using script = std::function<answer(int n, const bot::http::request_view& r)>;

    explicit fake_server(script s)
        : script_(std::move(s)), server_(ioc_, {}, [this](bot::http::request_view r) { return handle(std::move(r)); })
    {
        port_ = server_.start();
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~fake_server()
    {
        ioc_.stop();
        thread_.join();
    }
    fake_server(const fake_server&) = delete;
    fake_server& operator=(const fake_server&) = delete;

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
