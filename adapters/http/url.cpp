#include "adapters/http/url.hpp"

#include "adapters/http/errc.hpp"

#include <algorithm>
#include <cctype>

namespace ab::adapters::http {

namespace {

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool iequals(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

bool is_host_char(unsigned char c)
{
    return std::isalnum(c) || c == '-' || c == '.' || c == '_';
}

} // namespace

std::string url::host_header() const
{
    const bool v6 = host.find(':') != std::string::npos;
    std::string h = v6 ? "[" + host + "]" : host;
    if (port != (tls() ? 443 : 80))
        h += ":" + std::to_string(port);
    return h;
}

std::string url::origin() const
{
    return scheme + "://" + host + ":" + std::to_string(port);
}

std::string_view url::path() const
{
    const std::string_view t = target;
    return t.substr(0, t.find('?'));
}

boost::system::result<url> parse_url(std::string_view text)
{
    const auto bad = make_error_code(errc::bad_url);
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c == 0x7f)
            return bad;
    }

    url u;
    const auto sep = text.find("://");
    if (sep == std::string_view::npos)
        return bad;
    const auto scheme = text.substr(0, sep);
    if (iequals(scheme, "http"))
        u.scheme = "http";
    else if (iequals(scheme, "https"))
        u.scheme = "https";
    else
        return bad;

    std::string_view rest = text.substr(sep + 3);
    if (const auto hash = rest.find('#'); hash != std::string_view::npos)
        rest = rest.substr(0, hash);
    const auto auth_end = rest.find_first_of("/?");
    const std::string_view authority = rest.substr(0, auth_end);
    const std::string_view target = auth_end == std::string_view::npos ? std::string_view{} : rest.substr(auth_end);
    if (authority.find('@') != std::string_view::npos)
        return bad;

    std::string_view host;
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos)
            return bad;
        host = authority.substr(1, close - 1);
        const auto after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':')
                return bad;
            port = after.substr(1);
        }
        if (host.empty() || !std::all_of(host.begin(), host.end(), [](unsigned char c) { return std::isxdigit(c) || c == ':' || c == '.'; }))
            return bad;
    } else {
        const auto colon = authority.find(':');
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos)
            port = authority.substr(colon + 1);
        if (host.empty() || !std::all_of(host.begin(), host.end(), is_host_char))
            return bad;
    }
    u.host = lower(host);

    if (port.empty()) {
        if (authority.back() == ':')
            return bad;
        u.port = u.tls() ? 443 : 80;
    } else {
        if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }))
            return bad;
        const int p = std::stoi(std::string(port));
        if (p < 1 || p > 65535)
            return bad;
        u.port = static_cast<std::uint16_t>(p);
    }

    if (target.empty())
        u.target = "/";
    else if (target.front() == '?')
        u.target = "/" + std::string(target);
    else
        u.target = std::string(target);
    return u;
}

} // namespace ab::adapters::http
