#include "adapters/http/client.hpp"

#include "adapters/http/retry.hpp"
#include "adapters/http/url.hpp"
#include "bot/log.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/system/system_error.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <random>

namespace ab::adapters::http {

namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;
using boost::system::error_code;
using wire_request = bhttp::request<bhttp::string_body>;

constexpr std::uint32_t max_header_bytes = 64 * 1024;

struct connection {
    std::unique_ptr<beast::tcp_stream> plain;
    std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
    beast::flat_buffer buffer;

    beast::tcp_stream& tcp() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};
using connection_ptr = std::unique_ptr<connection>;

/// What one exchange on one connection produced: a response, or an error (errc) with its cause.
struct outcome {
    std::optional<response> resp;
    error_code ec;         ///< errc, or operation_aborted when cancelled
    error_code cause;      ///< the transport/TLS/parser code behind ec (for the log line)
    bool written = false;  ///< the whole request was written before the failure
    bool stale = false;    ///< a reused connection failed before any response byte
    bool reusable = false; ///< the connection may go back to the idle pool
};

outcome failure(errc e, error_code cause, bool written = false)
{
    outcome o;
    o.ec = make_error_code(e);
    o.cause = cause;
    o.written = written;
    return o;
}

steady::duration remaining(steady::time_point deadline)
{
    return std::max(deadline - steady::now(), steady::duration::zero());
}

bool iequals(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

bool idempotent(bhttp::verb v)
{
    using bhttp::verb;
    return v == verb::get || v == verb::head || v == verb::put || v == verb::delete_ || v == verb::options ||
           v == verb::trace;
}

bool is_http_parse_error(const error_code& ec)
{
    return ec.category() == make_error_code(bhttp::error::bad_version).category();
}

/// Maps a write/read failure to our errc. The stream's expiry is the request deadline, so
/// beast::error::timeout (and any failure once the deadline passed) means errc::timeout.
error_code classify_io(const error_code& ec, steady::time_point deadline)
{
    if (ec == beast::error::timeout || steady::now() >= deadline)
        return make_error_code(errc::timeout);
    if (ec == net::error::operation_aborted)
        return ec; // cancelled by the caller: passed through as is
    if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow)
        return make_error_code(errc::too_large);
    // Peer closed or reset: end_of_stream (EOF before a message), partial_message (EOF inside
    // one), eof/reset/broken pipe from the socket, stream_truncated (TLS EOF without close_notify).
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message || !is_http_parse_error(ec))
        return make_error_code(errc::connection_lost);
    return make_error_code(errc::protocol);
}

/// A failure that means "the server closed this idle connection", not "the server failed".
bool closed_by_peer(const error_code& ec)
{
    return ec == bhttp::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset ||
           ec == net::error::broken_pipe || ec == ssl::error::stream_truncated;
}

bool valid_header_text(std::string_view s)
{
    return std::none_of(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

boost::system::result<wire_request> build_request(const request& in, const url& u)
{
    const auto verb = bhttp::string_to_verb(in.method);
    if (verb == bhttp::verb::unknown)
        return make_error_code(errc::protocol);
    wire_request m{verb, u.target, 11};
    for (const auto& [name, value] : in.headers) {
        if (name.empty() || !valid_header_text(name) || name.find_first_of(" :\t") != std::string::npos ||
            !valid_header_text(value))
            return make_error_code(errc::protocol);
        m.insert(name, value);
    }
    if (m.find(bhttp::field::host) == m.end())
        m.set(bhttp::field::host, u.host_header());
    if (m.find(bhttp::field::user_agent) == m.end())
        m.set(bhttp::field::user_agent, "access-bot");
    m.body() = in.body;
    m.prepare_payload();
    return m;
}

// SSL_set_tlsext_host_name is a macro with a C cast inside (OpenSSL's ssl.h).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
bool set_server_name(SSL* ssl, const std::string& host)
{
    return SSL_set_tlsext_host_name(ssl, host.c_str()) == 1;
}
#pragma GCC diagnostic pop

response to_response(bhttp::response<bhttp::string_body>&& msg)
{
    response r;
    r.status = msg.result_int();
    for (const auto& f : msg)
        r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    r.body = std::move(msg.body());
    return r;
}

/// Writes `req` and reads the response on `stream` (plain or TLS), re-arming the expiry before
/// each step. Awaited on the spot by the owner of every argument.
template <class Stream>
task<outcome> round_trip(Stream& stream, connection& c, const wire_request& req, steady::time_point deadline,
                         std::size_t max_body, bool reused)
{
    c.tcp().expires_after(remaining(deadline));
    auto [wec, written] = co_await bhttp::async_write(stream, req, use_nothrow);
    if (wec) {
        auto o = failure(errc::connection_lost, wec);
        o.ec = classify_io(wec, deadline);
        o.stale = reused && closed_by_peer(wec) && o.ec == errc::connection_lost;
        co_return o;
    }

    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(std::uint64_t{max_body});
    parser.header_limit(max_header_bytes);
    if (req.method() == bhttp::verb::head)
        parser.skip(true);
    c.tcp().expires_after(remaining(deadline));
    auto [rec, read] = co_await bhttp::async_read(stream, c.buffer, parser, use_nothrow);
    if (rec) {
        auto o = failure(errc::connection_lost, rec, true);
        o.ec = classify_io(rec, deadline);
        o.stale = reused && !parser.got_some() && c.buffer.size() == 0 && closed_by_peer(rec) &&
                  o.ec == errc::connection_lost;
        co_return o;
    }
    c.tcp().expires_never();

    outcome o;
    o.written = true;
    auto msg = parser.release();
    // Leftover bytes after a complete response would desynchronise the next exchange.
    o.reusable = msg.keep_alive() && !req.need_eof() && c.buffer.size() == 0;
    o.resp = to_response(std::move(msg));
    co_return o;
}

} // namespace

std::string response::header(std::string_view name) const
{
    for (const auto& [n, v] : headers)
        if (iequals(n, name))
            return v;
    return {};
}

struct client::impl {
    impl(net::any_io_executor executor, options o) : ex(std::move(executor)), opts(std::move(o))
    {
        opts.max_attempts = std::max(1, opts.max_attempts);
        SSL_CTX_set_min_proto_version(tls_ctx.native_handle(), TLS1_2_VERSION);
        error_code ec;
        if (opts.ca_file.empty())
            tls_ctx.set_default_verify_paths(ec);
        else
            tls_ctx.load_verify_file(opts.ca_file, ec);
        if (ec)
            throw boost::system::system_error(make_error_code(errc::tls_failed),
                                              "cannot load trust anchors '" + opts.ca_file + "': " + ec.message());
    }

    net::any_io_executor ex;
    options opts;
    ssl::context tls_ctx{ssl::context::tls_client}; // outlives every stream (declared before idle)
    std::map<std::string, std::vector<connection_ptr>> idle;
    statistics counters;
    std::minstd_rand rng{std::random_device{}()};

    connection_ptr take_idle(const std::string& origin)
    {
        const auto it = idle.find(origin);
        if (it == idle.end() || it->second.empty())
            return nullptr;
        auto c = std::move(it->second.back()); // most recently used: least likely to be stale
        it->second.pop_back();
        return c;
    }

    void put_idle(const std::string& origin, connection_ptr c)
    {
        auto& list = idle[origin];
        if (list.size() < opts.max_idle_per_host)
            list.push_back(std::move(c));
    }

    /// Resolves, connects and (https) handshakes, all before `deadline`.
    task<outcome> open(const url& u, steady::time_point deadline, connection_ptr& out)
    {
        std::vector<tcp::endpoint> endpoints;
        error_code addr_ec;
        const auto address = net::ip::make_address(u.host, addr_ec);
        if (!addr_ec) {
            endpoints.emplace_back(address, u.port);
        } else {
            // getaddrinfo cannot be interrupted: resolution is bounded by the system resolver's
            // own timeouts, and the deadline is checked right after.
            tcp::resolver resolver{ex};
            auto [rec, results] = co_await resolver.async_resolve(u.host, std::to_string(u.port), use_nothrow);
            if (steady::now() >= deadline)
                co_return failure(errc::timeout, rec);
            if (rec)
                co_return failure(errc::connect_failed, rec);
            for (const auto& entry : results)
                endpoints.push_back(entry.endpoint());
        }

        auto c = std::make_unique<connection>();
        if (u.tls())
            c->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ex, tls_ctx);
        else
            c->plain = std::make_unique<beast::tcp_stream>(ex);

        c->tcp().expires_after(remaining(deadline));
        auto [cec, endpoint] = co_await c->tcp().async_connect(endpoints, use_nothrow);
        if (cec) {
            if (cec == net::error::operation_aborted && steady::now() < deadline)
                co_return outcome{std::nullopt, cec, cec};
            co_return failure(cec == beast::error::timeout || steady::now() >= deadline ? errc::timeout : errc::connect_failed,
                              cec);
        }
        ++counters.connects;

        if (c->tls) {
            // SNI carries names only (RFC 6066 §3); hostname verification covers IP literals too.
            if (addr_ec && !set_server_name(c->tls->native_handle(), u.host))
                co_return failure(errc::tls_failed, error_code(static_cast<int>(::ERR_get_error()), net::error::get_ssl_category()));
            if (opts.verify_peer) {
                c->tls->set_verify_mode(ssl::verify_peer);
                c->tls->set_verify_callback(ssl::host_name_verification(u.host));
            } else {
                c->tls->set_verify_mode(ssl::verify_none);
            }
            c->tcp().expires_after(remaining(deadline));
            auto [hec] = co_await c->tls->async_handshake(ssl::stream_base::client, use_nothrow);
            if (hec) {
                if (hec == net::error::operation_aborted && steady::now() < deadline)
                    co_return outcome{std::nullopt, hec, hec};
                co_return failure(hec == beast::error::timeout || steady::now() >= deadline ? errc::timeout : errc::tls_failed,
                                  hec);
            }
        }
        c->tcp().expires_never();
        out = std::move(c);
        co_return outcome{};
    }

    /// One attempt: an idle connection if there is one, else a new one. A reused connection the
    /// server closed while idle is replayed once on a fresh connection (not an attempt).
    task<outcome> exchange(const url& u, const wire_request& req, steady::time_point deadline)
    {
        const std::string origin = u.origin();
        bool fresh_only = false;
        for (;;) {
            connection_ptr c = fresh_only ? nullptr : take_idle(origin);
            const bool reused = c != nullptr;
            if (reused) {
                ++counters.reuses;
            } else {
                auto opened = co_await open(u, deadline, c);
                if (!c)
                    co_return opened;
            }

            outcome o;
            if (c->tls) {
                auto r = co_await round_trip(*c->tls, *c, req, deadline, opts.max_body, reused);
                o = std::move(r);
            } else {
                auto r = co_await round_trip(*c->plain, *c, req, deadline, opts.max_body, reused);
                o = std::move(r);
            }
            if (o.stale) {
                fresh_only = true;
                continue;
            }
            if (o.resp && o.reusable)
                put_idle(origin, std::move(c));
            co_return o;
        }
    }

    std::chrono::milliseconds next_delay(int retry, const outcome& o)
    {
        if (o.resp) {
            const auto header = o.resp->header("Retry-After");
            if (!header.empty())
                if (const auto wait = parse_retry_after(header, std::chrono::system_clock::now()))
                    return std::min(*wait, opts.max_delay);
        }
        std::uniform_real_distribution<double> jitter{0.8, 1.2};
        return backoff_delay(retry, opts.base_delay, opts.max_delay, jitter(rng));
    }

    task<boost::system::result<response>> send(request req)
    {
        const auto started = steady::now();
        const auto deadline = started + (req.timeout > std::chrono::milliseconds{0} ? req.timeout : request{}.timeout);
        const auto elapsed_ms = [started] {
            return std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - started).count();
        };
        const auto log_failure = [&](const url* u, int attempts, const error_code& ec, const error_code& cause) {
            log::fields f{{"method", req.method}, {"attempts", attempts}, {"ms", elapsed_ms()}};
            if (u) {
                f["host"] = u->host;
                f["path"] = std::string(u->path());
            }
            f["error"] = ec.category() == http_category() ? std::string(error_id(static_cast<errc>(ec.value()))) : ec.message();
            if (cause)
                f["cause"] = cause.message();
            log::warn("http.request.failed", f);
        };

        const auto parsed = parse_url(req.url);
        if (!parsed) {
            log_failure(nullptr, 0, parsed.error(), {});
            co_return parsed.error();
        }
        const url& u = *parsed;
        const auto built = build_request(req, u);
        if (!built) {
            log_failure(&u, 0, built.error(), {});
            co_return built.error();
        }
        const wire_request& wire = *built;

        for (int attempt = 1;; ++attempt) {
            auto o = co_await exchange(u, wire, deadline);

            bool retry = false;
            if (o.resp)
                retry = retryable_status(o.resp->status);
            else if (o.ec == errc::connect_failed)
                retry = true;
            else if (o.ec == errc::connection_lost)
                retry = !o.written || idempotent(wire.method());
            const bool final_attempt = attempt >= opts.max_attempts;

            std::chrono::milliseconds delay{0};
            if (retry && !final_attempt)
                delay = next_delay(attempt, o);
            // No time left for the wait plus another try: stop as if attempts ran out.
            const bool out_of_time = retry && !final_attempt && steady::now() + delay >= deadline;

            if (!retry || final_attempt || out_of_time) {
                if (o.resp) {
                    // Successful calls are counted (stats()) and logged at debug level only: at
                    // thousands of turns per second a line per call would cost more than the call.
                    const auto lvl = o.resp->status >= 400 ? log::level::warn : log::level::debug;
                    if (lvl >= log::min_level())
                        log::write(lvl, "http.request", {{"method", req.method},
                                                         {"host", u.host},
                                                         {"path", std::string(u.path())},
                                                         {"status", o.resp->status},
                                                         {"attempts", attempt},
                                                         {"ms", elapsed_ms()}});
                    co_return std::move(*o.resp);
                }
                const error_code ec = retry ? make_error_code(errc::retries_exhausted) : o.ec;
                log_failure(&u, attempt, ec, o.cause);
                co_return ec;
            }

            net::steady_timer timer{ex, delay};
            auto [tec] = co_await timer.async_wait(use_nothrow);
            if (tec) { // cancelled by the caller
                log_failure(&u, attempt, tec, {});
                co_return tec;
            }
            ++counters.retries;
        }
    }
};

client::client(net::any_io_executor executor, options opts) : impl_(std::make_unique<impl>(std::move(executor), std::move(opts))) {}

client::~client() = default;

task<boost::system::result<response>> client::send(request req)
{
    return impl_->send(std::move(req));
}

client::statistics client::stats() const
{
    return impl_->counters;
}

} // namespace ab::adapters::http
