#include "adapters/connector/connector_client.hpp"

#include "adapters/connector/errc.hpp"
#include "bot/log.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <nlohmann/json.hpp>

namespace ab::adapters::connector {

std::string percent_encode(std::string_view s)
{
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size() * 3);
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0xF]);
        }
    }
    return out;
}

std::string activities_url(std::string_view service_url, std::string_view conversation_id, std::string_view activity_id)
{
    std::string url(service_url);
    if (url.empty() || url.back() != '/')
        url.push_back('/'); // serviceUrl normally ends with '/'; never produce "//v3"
    url += "v3/conversations/" + percent_encode(conversation_id) + "/activities";
    if (!activity_id.empty())
        url += "/" + percent_encode(activity_id);
    return url;
}

connector_client::connector_client(http::client& client, token_provider* tokens, connector_options opt)
    : http_(client), tokens_(tokens), opt_(opt)
{
}

task<void> connector_client::pace(const std::string& conversation_id)
{
    if (opt_.sends_per_second <= 0)
        co_return; // pacing off
    const auto now = std::chrono::steady_clock::now();
    if (buckets_.size() > 10000) // forget idle conversations
        std::erase_if(buckets_, [&](const auto& kv) { return now - kv.second.at > std::chrono::seconds(10); });
    auto [it, fresh] = buckets_.try_emplace(conversation_id, bucket{opt_.burst, now});
    bucket& b = it->second;
    const double elapsed = std::chrono::duration<double>(now - b.at).count();
    b.tokens = std::min(opt_.burst, b.tokens + elapsed * opt_.sends_per_second);
    b.at = now;
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        co_return;
    }
    const double wait_s = (1.0 - b.tokens) / opt_.sends_per_second;
    b.tokens -= 1.0; // reserve our slot; later senders queue behind us
    net::steady_timer timer(co_await net::this_coro::executor,
                            std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(wait_s)));
    auto [ec] = co_await timer.async_wait(use_nothrow);
    (void)ec;
}

task<boost::system::result<std::string>> connector_client::call(std::string method, std::string url, std::string conversation_id,
                                                                std::string body)
{
    co_await pace(conversation_id);
    http::request req;
    req.method = std::move(method);
    req.url = std::move(url);
    req.timeout = opt_.timeout;
    req.headers = {{"Content-Type", "application/json; charset=utf-8"}};
    if (tokens_ != nullptr) {
        auto token = co_await tokens_->token();
        if (!token)
            co_return token.error();
        req.headers.emplace_back("Authorization", "Bearer " + *token);
    }
    req.body = std::move(body);
    auto res = co_await http_.send(std::move(req));
    if (!res)
        co_return make_error_code(errc::upstream_unavailable);
    const unsigned s = res->status;
    if (s == 401 || s == 403)
        co_return make_error_code(errc::unauthorized);
    if (s == 404)
        co_return make_error_code(errc::not_found);
    if (s == 429)
        co_return make_error_code(errc::rate_limited);
    if (s == 400)
        co_return make_error_code(errc::bad_request);
    if (s >= 500)
        co_return make_error_code(errc::upstream_unavailable);
    if (s < 200 || s >= 300)
        co_return make_error_code(errc::bad_response);
    // 200/201 {"id": "..."}; some operations answer with an empty body.
    const auto j = nlohmann::json::parse(res->body, nullptr, false);
    if (j.is_object())
        if (auto id = j.find("id"); id != j.end() && id->is_string())
            co_return id->get<std::string>();
    co_return std::string();
}

task<boost::system::result<std::string>> connector_client::reply(const bot::schema::activity& incoming, bot::schema::activity r)
{
    std::string url = activities_url(incoming.service_url, incoming.conversation.id, incoming.id);
    std::string body = bot::schema::to_json_string(r);
    auto res = co_await call("POST", std::move(url), incoming.conversation.id, std::move(body));
    co_return res;
}

task<boost::system::result<std::string>> connector_client::send(const bot::schema::conversation_reference& to,
                                                                bot::schema::activity message)
{
    std::string url = activities_url(to.service_url, to.conversation.id);
    std::string body = bot::schema::to_json_string(message);
    auto res = co_await call("POST", std::move(url), to.conversation.id, std::move(body));
    co_return res;
}

task<boost::system::result<void>> connector_client::update(const bot::schema::conversation_reference& where, std::string activity_id,
                                                           bot::schema::activity message)
{
    message.id = activity_id;
    std::string url = activities_url(where.service_url, where.conversation.id, activity_id);
    std::string body = bot::schema::to_json_string(message);
    auto res = co_await call("PUT", std::move(url), where.conversation.id, std::move(body));
    if (!res)
        co_return res.error();
    co_return boost::system::result<void>{};
}

} // namespace ab::adapters::connector

namespace ab::adapters::connector {

task<boost::system::result<std::string>> connector_client::create_conversation(std::string service_url, nlohmann::json parameters)
{
    if (service_url.empty() || service_url.back() != '/')
        service_url.push_back('/');
    std::string url = service_url + "v3/conversations";
    std::string body = parameters.dump();
    auto res = co_await call("POST", std::move(url), "create:" + service_url, std::move(body));
    co_return res;
}

} // namespace ab::adapters::connector
