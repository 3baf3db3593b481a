#pragma once
// Shared pieces of the client tests: a coroutine that sends requests in order on one client, and
// options with short delays so retry tests stay fast.

#include "adapters/http/client.hpp"
#include "tests/support/run_sync.hpp"

#include <boost/asio/this_coro.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace ab::test::http {

namespace client_http = ab::adapters::http;
using namespace std::chrono_literals;
using ab::test::run_sync;

struct session_result {
    std::vector<boost::system::result<client_http::response>> results;
    client_http::client::statistics stats;
};

/// One client on the running executor; sends `requests` one after another.
inline task<session_result> send_all(client_http::client::options opts, std::vector<client_http::request> requests)
{
    auto executor = co_await net::this_coro::executor;
    client_http::client c{executor, std::move(opts)};
    session_result out;
    for (auto& req : requests) {
        auto r = co_await c.send(std::move(req));
        out.results.push_back(std::move(r));
    }
    out.stats = c.stats();
    co_return out;
}

inline client_http::client::options fast_options()
{
    client_http::client::options o;
    o.base_delay = 10ms;
    o.max_delay = 200ms;
    return o;
}

inline client_http::request make_request(std::string method, std::string url, std::string body = {},
                                         std::chrono::milliseconds timeout = 5s)
{
    client_http::request r;
    r.method = std::move(method);
    r.url = std::move(url);
    r.body = std::move(body);
    r.timeout = timeout;
    return r;
}

/// For assertion messages.
inline std::string describe(const boost::system::result<client_http::response>& r)
{
    return r ? "status " + std::to_string(r->status) : r.error().message();
}

} // namespace ab::test::http
