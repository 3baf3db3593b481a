#include "tests/unit/bot_http/raw_client.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <cctype>

namespace ab::bot::http::test {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

bool iequals(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

} // namespace

std::string raw_response::header(std::string_view name) const
{
    for (const auto& [n, v] : headers)
        if (iequals(n, name))
            return v;
    return {};
}

raw_client::raw_client(std::uint16_t port)
{
    boost::system::error_code ec;
    socket_.connect(tcp::endpoint(net::ip::make_address_v4("127.0.0.1"), port), ec);
    connected_ = !ec;
}

bool raw_client::send(std::string_view bytes)
{
    boost::system::error_code ec;
    net::write(socket_, net::buffer(bytes.data(), bytes.size()), ec);
    return !ec;
}

bool raw_client::fill(std::chrono::steady_clock::time_point deadline)
{
    if (ended_)
        return false;
    std::array<char, 16 * 1024> buf{};
    bool done = false;
    boost::system::error_code result;
    std::size_t got = 0;
    socket_.async_read_some(net::buffer(buf), [&](boost::system::error_code ec, std::size_t n) {
        result = ec;
        got = n;
        done = true;
    });
    ioc_.restart();
    ioc_.run_until(deadline);
    if (!done) {
        socket_.cancel();
        ioc_.restart();
        ioc_.run();
        if (result == net::error::operation_aborted) {
            timed_out_ = true;
            return false;
        }
    }
    in_.append(buf.data(), got);
    if (result) {
        // Like a real client: once the server has closed its side, close ours.
        ended_ = true;
        boost::system::error_code ignored;
        socket_.close(ignored);
        return false;
    }
    return true;
}

std::optional<raw_response> raw_client::read_response(ms limit, bool head)
{
    const auto deadline = std::chrono::steady_clock::now() + limit;
    std::size_t end = 0;
    while ((end = in_.find("\r\n\r\n")) == std::string::npos)
        if (!fill(deadline))
            return std::nullopt;
    raw_response r;
    const std::string head_text = in_.substr(0, end);
    std::size_t line_end = head_text.find("\r\n");
    const std::string status_line = head_text.substr(0, line_end);
    if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12)
        return std::nullopt;
    r.status = static_cast<unsigned>(std::stoul(status_line.substr(9, 3)));
    while (line_end != std::string::npos) {
        const std::size_t start = line_end + 2;
        line_end = head_text.find("\r\n", start);
        const std::string line = head_text.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
        const std::size_t colon = line.find(':');
        if (colon == std::string::npos)
            continue;
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        r.headers.emplace_back(line.substr(0, colon), value);
    }
    std::size_t length = 0;
    const bool has_body = !head && r.status >= 200 && r.status != 204 && r.status != 304;
    if (has_body && !r.header("Content-Length").empty())
        length = std::stoul(r.header("Content-Length"));
    while (in_.size() < end + 4 + length)
        if (!fill(deadline))
            return std::nullopt;
    r.body = in_.substr(end + 4, length);
    in_.erase(0, end + 4 + length);
    return r;
}

bool raw_client::closed_within(ms limit)
{
    const auto deadline = std::chrono::steady_clock::now() + limit;
    timed_out_ = false;
    while (fill(deadline)) {
    }
    return ended_ && !timed_out_;
}

void raw_client::close()
{
    boost::system::error_code ignored;
    socket_.close(ignored);
    ended_ = true;
}

} // namespace ab::bot::http::test
