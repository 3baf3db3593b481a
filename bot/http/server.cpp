#include "bot/http/server.hpp"

#include "bot/log.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <exception>
#include <limits>
#include <list>
#include <optional>
#include <stdexcept>

namespace ab::bot::http {

namespace beast = boost::beast;
namespace bh = boost::beast::http;
using tcp = net::ip::tcp;
using std::chrono::milliseconds;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr std::size_t read_chunk = 4096;               // first read of a request, and each drain read
constexpr std::size_t max_reply_field = 8 * 1024;      // a longer reply header name/value is a handler bug
constexpr std::size_t max_drain_bytes = 1024 * 1024;   // lingering close: read at most this much...
constexpr milliseconds max_drain_time{1000};           // ...for at most this long (or io_timeout)
constexpr milliseconds hard_cancel_grace{1000};        // shutdown: wait after cancelling the rest
constexpr milliseconds accept_backoff{50};             // after a failed accept (EMFILE, ...)

char ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b)
{
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

// RFC 9110 §5.6.2 token.
bool is_token(std::string_view s)
{
    if (s.empty())
        return false;
    for (const char c : s) {
        const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos)
            return false;
    }
    return true;
}

// RFC 9110 §5.5: no control characters except HTAB. CR/LF here would let a reply split the response.
bool is_field_value(std::string_view s)
{
    if (s.size() > max_reply_field)
        return false;
    return std::none_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u < 0x20 && u != '\t') || u == 0x7f;
    });
}

/// The path of a request-target without its query (queries may carry secrets; never logged).
std::string path_of(std::string_view target)
{
    return std::string(target.substr(0, target.find('?')));
}

bh::response<bh::string_body> error_response(bh::status status, std::string_view code, unsigned version, bool keep_alive)
{
    bh::response<bh::string_body> res{status, version};
    res.set(bh::field::content_type, "application/json");
    res.body() = std::string(R"({"error":")") + std::string(code) + "\"}";
    res.keep_alive(keep_alive);
    res.prepare_payload();
    return res;
}

reply internal_error_reply()
{
    return reply{500, "application/json", R"({"error":"internal_error"})", {}};
}

/// The wire form of `r`, or nullopt with `problem` set if it cannot be sent as is.
std::optional<bh::response<bh::string_body>> to_response(reply r, unsigned version, bool head, std::string& problem)
{
    if (r.status < 200 || r.status > 999) {
        problem = "status " + std::to_string(r.status);
        return std::nullopt;
    }
    bh::response<bh::string_body> res;
    res.version(version);
    res.result(r.status);
    for (const auto& [name, value] : r.headers) {
        if (name.size() > max_reply_field || !is_token(name) || !is_field_value(value)) {
            problem = "header " + (is_token(name) ? name : std::string("(invalid name)"));
            return std::nullopt;
        }
        // Framing is ours: the length comes from the body, persistence from the request.
        if (iequals(name, "content-length") || iequals(name, "transfer-encoding") || iequals(name, "connection"))
            continue;
        res.insert(name, value);
    }
    // RFC 9110 §15.3.5, §15.4.5: 204 and 304 have no content and no Content-Length of their own.
    if (r.status == 204 || r.status == 304)
        return res;
    if (!r.body.empty()) {
        if (!is_field_value(r.content_type)) {
            problem = "content type";
            return std::nullopt;
        }
        if (!r.content_type.empty())
            res.set(bh::field::content_type, r.content_type);
        res.body() = std::move(r.body);
    }
    res.prepare_payload();
    // A response to HEAD announces the length but carries no content (RFC 9110 §9.3.2).
    if (head)
        res.body().clear();
    return res;
}

// How a request read ended. The first two are normal endings with nothing to answer:
//   closed  - end_of_stream (peer closed between requests), partial_message (closed mid-request),
//             operation_aborted (shutdown cancelled us), connection_reset/broken_pipe (peer aborted);
//   timeout - beast::error::timeout, io_timeout hit (tcp_stream has closed the socket already).
// The others get an answer, then the connection closes because the rest of the stream cannot be
// framed any more (RFC 9112 §9.6).
enum class read_end { closed, timeout, too_large, header_too_large, malformed };

read_end classify(const beast::error_code& ec)
{
    static const auto& http_category = bh::make_error_code(bh::error::bad_method).category();
    if (ec == beast::error::timeout)
        return read_end::timeout;
    if (ec == bh::error::body_limit)
        return read_end::too_large;
    if (ec == bh::error::header_limit)
        return read_end::header_too_large;
    if (ec == bh::error::end_of_stream || ec == bh::error::partial_message)
        return read_end::closed;
    if (ec.category() == http_category)
        return read_end::malformed;
    return read_end::closed;
}

bool wants_continue(const bh::request<bh::string_body>& req)
{
    return req.version() == 11 && iequals(req[bh::field::expect], "100-continue");
}

/// Reads one request into `parser` (header, then body), re-arming io_timeout before each step.
task<beast::error_code> read_request(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                     bh::request_parser<bh::string_body>& parser, milliseconds io_timeout)
{
    stream.expires_after(io_timeout);
    auto [ec, header_bytes] = co_await bh::async_read_header(stream, buffer, parser, use_nothrow);
    if (ec || parser.is_done())
        co_return ec;
    // The client waits for this before sending the body (curl does for bodies over 1 KiB). Sent
    // only once the declared length passed body_limit, so a too-large body is never invited.
    if (wants_continue(parser.get())) {
        bh::response<bh::empty_body> go_on{bh::status::continue_, 11};
        stream.expires_after(io_timeout);
        auto [wec, written] = co_await bh::async_write(stream, go_on, use_nothrow);
        if (wec)
            co_return wec;
    }
    stream.expires_after(io_timeout);
    auto [bec, body_bytes] = co_await bh::async_read(stream, buffer, parser, use_nothrow);
    co_return bec;
}

/// Ends a connection we chose to close after answering: FIN first, then read and discard what
/// the client already sent, for a short while. Closing with unread input makes the kernel send
/// RST, and a RST can destroy our last response in the client's receive buffer before it is read
/// (RFC 9112 §9.6, "lingering close").
task<void> linger_close(beast::tcp_stream& stream, beast::flat_buffer& buffer, milliseconds io_timeout)
{
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.expires_after(std::min(io_timeout, max_drain_time));
    std::size_t drained = 0;
    while (drained < max_drain_bytes) {
        buffer.consume(buffer.size());
        auto [ec, n] = co_await stream.async_read_some(buffer.prepare(read_chunk), use_nothrow);
        // Every error ends the drain: eof is the goal (the client closed), timeout/aborted/reset end it too.
        if (ec)
            break;
        drained += n;
    }
    stream.socket().close(ignored);
}

/// Writes a protocol-error answer, then closes. Returns the write's error.
task<beast::error_code> answer_and_close(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                         bh::response<bh::string_body> res, milliseconds io_timeout)
{
    stream.expires_after(io_timeout);
    auto [ec, n] = co_await bh::async_write(stream, res, use_nothrow);
    if (!ec)
        co_await linger_close(stream, buffer, io_timeout);
    co_return ec;
}

request_view to_view(bh::request<bh::string_body> req, std::string remote)
{
    request_view v;
    v.method = std::string(req.method_string());
    v.target = std::string(req.target());
    v.headers.reserve(static_cast<std::size_t>(std::distance(req.begin(), req.end())));
    for (const auto& f : req)
        v.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    v.body = std::move(req.body());
    v.remote_address = std::move(remote);
    return v;
}

std::string remote_address_of(const tcp::socket& socket)
{
    beast::error_code ec;
    const auto ep = socket.remote_endpoint(ec);
    return ec ? std::string() : ep.address().to_string();
}

/// Over max_connections: answer without a coroutine or a timer, since overload is exactly when a
/// connection must cost nothing more. The send buffer of a fresh socket is empty, so a
/// non-blocking write of this short answer goes through at once, or the peer is already gone.
void reject_over_cap(tcp::socket socket)
{
    static const std::string text = [] {
        const std::string body = R"({"error":"overloaded"})";
        return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\nConnection: close\r\nRetry-After: 1\r\n\r\n" + body;
    }();
    beast::error_code ignored;
    socket.non_blocking(true, ignored);
    socket.write_some(net::buffer(text), ignored);
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
}

} // namespace

std::string request_view::header(std::string_view name) const
{
    std::string out;
    bool found = false;
    for (const auto& [n, v] : headers) {
        if (!iequals(n, name))
            continue;
        if (found)
            out += ", ";
        out += v;
        found = true;
    }
    return out;
}

struct server::impl {
    // One connection as the server tracks it. Lives in `connections` until its coroutine ends.
    struct connection {
        net::cancellation_signal cancel;
        bool idle = true;       ///< waiting for the first byte of a request (shutdown closes these at once)
        bool cancelled = false; ///< terminal cancellation emitted: stop at the next step, answer nothing
    };

    impl(net::io_context& ioc, options o, handler h)
        : opts(std::move(o)), on_request(std::move(h)), acceptor(ioc), drained(ioc)
    {
    }

    options opts;
    handler on_request;
    tcp::acceptor acceptor;
    net::steady_timer drained; ///< shutdown() waits on it; cancelled when the last connection ends
    std::list<connection> connections;
    bool started = false;
    bool stopping = false;
    counters count;

    void cancel(connection& c)
    {
        if (c.cancelled)
            return;
        c.cancelled = true;
        c.cancel.emit(net::cancellation_type::terminal);
    }

    /// Cancels the connections that `pick` selects; returns how many.
    template <class Pick>
    std::size_t cancel_where(Pick pick)
    {
        std::size_t n = 0;
        // Take `next` first: should a cancellation ever complete inline, only the current entry can go.
        for (auto it = connections.begin(); it != connections.end();) {
            auto next = std::next(it);
            if (!it->cancelled && pick(*it)) {
                ++n;
                cancel(*it);
            }
            it = next;
        }
        return n;
    }

    void session_ended(std::list<connection>::iterator it, std::exception_ptr e)
    {
        if (e) {
            // The connection boundary (house style rule 18): a bug below us. Log it; the socket is
            // closed already because the coroutine frame that owned it is gone.
            log::error("http.session_failed", {{"error_id", "http.session_failed"}, {"what", log::describe(e)}});
        }
        connections.erase(it);
        if (stopping && connections.empty())
            drained.cancel();
    }

    static void spawn_session(const std::shared_ptr<impl>& self, tcp::socket socket)
    {
        const auto it = self->connections.emplace(self->connections.end());
        auto done = [self, it](std::exception_ptr e) { self->session_ended(it, e); };
        net::co_spawn(self->acceptor.get_executor(), run_session(self, *it, std::move(socket)),
                      net::bind_cancellation_slot(it->cancel.slot(), std::move(done)));
    }

    static task<void> accept_loop(std::shared_ptr<impl> self)
    {
        for (;;) {
            auto [ec, socket] = co_await self->acceptor.async_accept(use_nothrow);
            // The normal ending: shutdown() or ~server() closed the acceptor (operation_aborted).
            // A socket accepted in the same instant is closed by its destructor.
            if (self->stopping || !self->acceptor.is_open())
                co_return;
            if (ec) {
                // The listener survives per-connection failures (peer reset before accept, EMFILE,
                // ENOBUFS); pausing keeps a full descriptor table from spinning this loop.
                log::warn("http.accept_failed", {{"error_id", "http.accept_failed"}, {"error", ec.message()}});
                net::steady_timer pause(self->acceptor.get_executor(), accept_backoff);
                co_await pause.async_wait(use_nothrow);
                continue;
            }
            ++self->count.accepted;
            if (self->connections.size() >= self->opts.max_connections) {
                ++self->count.rejected_over_cap;
                reject_over_cap(std::move(socket));
                continue;
            }
            spawn_session(self, std::move(socket));
        }
    }

    static task<void> run_session(std::shared_ptr<impl> self, connection& conn, tcp::socket socket)
    {
        // Shutdown cancellation must arrive as operation_aborted values from the operation it
        // interrupts, not as an exception from whatever co_await comes next (Asio's default).
        // That includes the epilogue of co_spawn itself, which would otherwise throw after a cancel.
        co_await net::this_coro::throw_if_cancelled(false);
        const options& opts = self->opts;
        const std::string remote = remote_address_of(socket);
        beast::tcp_stream stream(std::move(socket));
        beast::flat_buffer buffer;
        bool first = true;
        for (;;) {
            conn.idle = true;
            if (self->stopping || conn.cancelled)
                break;
            if (buffer.size() == 0) {
                // A new connection gets io_timeout to start its request, a kept-alive one idle_timeout.
                stream.expires_after(first ? opts.io_timeout : opts.idle_timeout);
                auto [ec, n] = co_await stream.async_read_some(buffer.prepare(read_chunk), use_nothrow);
                buffer.commit(n);
                // Normal endings while waiting: eof (client closed), timeout (idle; counted only
                // for a new connection that never sent a byte), operation_aborted (shutdown), reset.
                if (ec) {
                    if (first && ec == beast::error::timeout)
                        ++self->count.timeouts;
                    break;
                }
                if (conn.cancelled)
                    break;
            }
            conn.idle = false;
            first = false;

            bh::request_parser<bh::string_body> parser;
            parser.header_limit(static_cast<std::uint32_t>(
                std::min<std::size_t>(opts.header_limit, std::numeric_limits<std::uint32_t>::max())));
            parser.body_limit(static_cast<std::uint64_t>(opts.body_limit));
            const beast::error_code read_ec = co_await read_request(stream, buffer, parser, opts.io_timeout);
            if (conn.cancelled)
                break;
            if (read_ec) {
                const read_end end = classify(read_ec);
                if (end == read_end::timeout)
                    ++self->count.timeouts;
                if (end == read_end::closed || end == read_end::timeout)
                    break;
                ++self->count.bad_requests;
                const auto status = end == read_end::too_large          ? bh::status::payload_too_large
                                    : end == read_end::header_too_large ? bh::status::request_header_fields_too_large
                                                                        : bh::status::bad_request;
                const std::string_view code = end == read_end::too_large          ? "payload_too_large"
                                              : end == read_end::header_too_large ? "header_fields_too_large"
                                                                                  : "bad_request";
                if (log::min_level() <= log::level::debug)
                    log::debug("http.bad_request", {{"status", static_cast<unsigned>(status)}, {"error", read_ec.message()},
                                                    {"remote", remote}});
                auto answer = error_response(status, code, 11, false);
                const beast::error_code wec = co_await answer_and_close(stream, buffer, std::move(answer), opts.io_timeout);
                if (wec == beast::error::timeout)
                    ++self->count.timeouts;
                co_return;
            }

            bh::request<bh::string_body> req = parser.release();
            const bool head = req.method() == bh::verb::head;
            const unsigned version = req.version();
            const bool client_keep_alive = req.keep_alive();
            request_view view = to_view(std::move(req), remote);
            const std::string method = view.method;
            const std::string path = path_of(view.target);
            const auto t0 = clock_type::now();
            ++self->count.requests;

            reply out;
            bool failed = false;
            std::string what;
            try {
                reply r = co_await self->on_request(std::move(view));
                out = std::move(r);
            } catch (const std::exception& e) {
                failed = true;
                what = e.what();
            }
            // Past the shutdown deadline: whatever the handler produced (often the
            // operation_aborted it was cancelled with) is moot; close without answering.
            if (conn.cancelled)
                break;
            if (failed) {
                ++self->count.handler_errors;
                log::error("http.handler_failed",
                           {{"error_id", "http.handler_failed"}, {"method", method}, {"path", path}, {"what", what}});
                out = internal_error_reply();
            }
            std::string problem;
            auto res = to_response(std::move(out), version, head, problem);
            if (!res) {
                ++self->count.handler_errors;
                log::error("http.bad_reply", {{"error_id", "http.bad_reply"}, {"method", method}, {"path", path}, {"problem", problem}});
                res = to_response(internal_error_reply(), version, head, problem);
            }
            const bool keep_alive = client_keep_alive && !self->stopping;
            res->keep_alive(keep_alive);

            stream.expires_after(opts.io_timeout);
            auto [wec, written] = co_await bh::async_write(stream, *res, use_nothrow);
            if (log::min_level() <= log::level::debug)
                log::debug("http.request", {{"method", method},
                                            {"path", path},
                                            {"status", res->result_int()},
                                            {"ms", std::chrono::duration<double, std::milli>(clock_type::now() - t0).count()},
                                            {"remote", remote}});
            // Normal endings of a write: timeout (counted), operation_aborted (shutdown), reset/broken pipe.
            if (wec) {
                if (wec == beast::error::timeout)
                    ++self->count.timeouts;
                break;
            }
            if (!keep_alive) {
                co_await linger_close(stream, buffer, opts.io_timeout);
                co_return;
            }
        }
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream.socket().close(ignored);
    }

    enum class drain { done, deadline, cancelled };

    /// Waits until every connection has ended, `deadline` passed, or the caller of shutdown()
    /// cancelled it.
    static task<drain> wait_drained(std::shared_ptr<impl> self, clock_type::time_point deadline)
    {
        while (!self->connections.empty()) {
            if (clock_type::now() >= deadline)
                co_return drain::deadline;
            self->drained.expires_at(deadline);
            co_await self->drained.async_wait(use_nothrow);
            const auto state = co_await net::this_coro::cancellation_state;
            if (state.cancelled() != net::cancellation_type::none)
                co_return drain::cancelled;
        }
        co_return drain::done;
    }
};

server::server(net::io_context& ioc, options opts, handler on_request)
{
    if (!on_request)
        throw std::invalid_argument("[http.no_handler] http::server needs a handler");
    impl_ = std::make_shared<impl>(ioc, std::move(opts), std::move(on_request));
}

server::~server()
{
    if (!impl_)
        return;
    impl_->stopping = true;
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    impl_->cancel_where([](const impl::connection&) { return true; });
}

std::uint16_t server::start()
{
    impl& s = *impl_;
    if (s.started)
        throw std::logic_error("[http.already_started] http::server::start called twice");
    const std::string where = s.opts.address + ":" + std::to_string(s.opts.port);
    beast::error_code ec;
    const auto address = net::ip::make_address(s.opts.address, ec);
    if (ec)
        throw std::runtime_error("[http.bind_failed] bad listen address '" + s.opts.address + "': " + ec.message());
    const tcp::endpoint endpoint{address, s.opts.port};
    s.acceptor.open(endpoint.protocol(), ec);
    if (!ec)
        s.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec)
        s.acceptor.bind(endpoint, ec);
    if (!ec)
        s.acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        beast::error_code ignored;
        s.acceptor.close(ignored);
        throw std::runtime_error("[http.bind_failed] cannot listen on " + where + ": " + ec.message());
    }
    const std::uint16_t port = s.acceptor.local_endpoint().port();
    s.started = true;
    net::co_spawn(s.acceptor.get_executor(), impl::accept_loop(impl_), [](std::exception_ptr e) {
        if (!e)
            return;
        // The accept loop handles every error_code itself; an exception here is a bug.
        log::error("http.accept_loop_failed", {{"error_id", "http.accept_loop_failed"}, {"what", log::describe(e)}});
    });
    log::info("http.listen", {{"address", s.opts.address},
                              {"port", port},
                              {"body_limit", s.opts.body_limit},
                              {"header_limit", s.opts.header_limit},
                              {"max_connections", s.opts.max_connections}});
    return port;
}

task<void> server::shutdown()
{
    const std::shared_ptr<impl> self = impl_;
    if (self->stopping)
        co_return;
    self->stopping = true;
    const auto t0 = clock_type::now();
    beast::error_code ignored;
    self->acceptor.close(ignored); // new connections are refused from here on
    const std::size_t active = self->connections.size();
    const std::size_t idle = self->cancel_where([](const impl::connection& c) { return c.idle; });
    log::info("http.shutdown", {{"active", active}, {"idle_closed", idle}, {"deadline_ms", self->opts.shutdown_deadline.count()}});

    const impl::drain first = co_await impl::wait_drained(self, t0 + self->opts.shutdown_deadline);
    std::size_t cancelled = 0;
    if (first != impl::drain::done) {
        cancelled = self->cancel_where([](const impl::connection&) { return true; });
        if (first == impl::drain::deadline) {
            const impl::drain second = co_await impl::wait_drained(self, clock_type::now() + hard_cancel_grace);
            (void)second;
        }
    }
    log::info("http.shutdown_done",
              {{"ms", std::chrono::duration<double, std::milli>(clock_type::now() - t0).count()},
               {"cancelled_in_flight", cancelled},
               {"remaining", self->connections.size()}});
}

server::counters server::stats() const
{
    counters c = impl_->count;
    c.active = impl_->connections.size();
    return c;
}

} // namespace ab::bot::http
