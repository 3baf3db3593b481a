#include "adapters/connector/token_provider.hpp"

#include "adapters/connector/errc.hpp"
#include "bot/log.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <nlohmann/json.hpp>

namespace ab::adapters::connector {

std::string form_encode(std::string_view v)
{
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(v.size() * 3);
    for (unsigned char c : v) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else if (c == ' ') {
            out.push_back('+');
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0xF]);
        }
    }
    return out;
}

token_provider::token_provider(http::client& client, token_options opt) : http_(client), opt_(std::move(opt)) {}

task<boost::system::result<std::string>> token_provider::token()
{
    if (!token_.empty() && std::chrono::steady_clock::now() < refresh_at_)
        co_return token_;
    if (fetching_) {
        // One request in flight: wait for it (fetch() cancels our timer when done).
        auto timer = std::make_shared<net::steady_timer>(co_await net::this_coro::executor,
                                                         std::chrono::steady_clock::time_point::max());
        waiters_.push_back(timer);
        auto [ec] = co_await timer->async_wait(use_nothrow);
        (void)ec; // cancellation is the wake-up
    } else {
        co_await fetch();
    }
    if (!token_.empty() && std::chrono::steady_clock::now() < refresh_at_ + opt_.refresh_margin)
        co_return token_; // still valid even inside the refresh margin
    co_return last_error_ ? last_error_ : make_error_code(errc::token_failed);
}

task<void> token_provider::fetch()
{
    fetching_ = true;
    ++fetches_;
    http::request req;
    req.method = "POST";
    req.url = opt_.endpoint;
    req.timeout = opt_.timeout;
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    req.body = "grant_type=client_credentials&client_id=" + form_encode(opt_.client_id) +
               "&client_secret=" + form_encode(opt_.client_secret) + "&scope=" + form_encode(opt_.scope);
    const auto t0 = std::chrono::steady_clock::now();
    auto res = co_await http_.send(std::move(req));
    if (!res) {
        last_error_ = make_error_code(errc::token_failed);
        log::error("connector.token.failed", {{"error_id", "connector.token_failed"}, {"error", res.error().message()}});
    } else if (res->status != 200) {
        last_error_ = make_error_code(res->status == 401 || res->status == 400 ? errc::unauthorized : errc::token_failed);
        log::error("connector.token.failed", {{"error_id", "connector.token_failed"}, {"status", res->status}});
    } else {
        const auto j = nlohmann::json::parse(res->body, nullptr, false);
        std::string token;
        long long expires_in = 0;
        if (j.is_object()) {
            if (auto t = j.find("access_token"); t != j.end() && t->is_string())
                token = t->get<std::string>();
            if (auto e = j.find("expires_in"); e != j.end()) {
                if (e->is_number_integer())
                    expires_in = e->get<long long>();
                else if (e->is_string())
                    expires_in = std::atoll(e->get<std::string>().c_str());
            }
        }
        if (token.empty() || expires_in <= 0) {
            last_error_ = make_error_code(errc::bad_response);
            log::error("connector.token.failed", {{"error_id", "connector.bad_response"}});
        } else {
            token_ = std::move(token);
            const auto lifetime = std::chrono::seconds(expires_in);
            const auto margin = std::min<std::chrono::seconds>(opt_.refresh_margin, lifetime / 2);
            refresh_at_ = t0 + lifetime - margin;
            last_error_ = {};
            log::info("connector.token.ok", {{"expires_in", expires_in},
                                             {"ms", std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count()}});
        }
    }
    fetching_ = false;
    auto waiting = std::move(waiters_);
    waiters_.clear();
    for (auto& w : waiting)
        w->cancel();
}

} // namespace ab::adapters::connector
