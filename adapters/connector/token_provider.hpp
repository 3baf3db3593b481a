#pragma once
// Entra client-credentials tokens for calling the Bot Connector (protocol reference §3): cached,
// refreshed `refresh_margin` before expiry, one request in flight (concurrent callers wait for
// the same fetch). Runs on the single I/O thread.

#include "adapters/http/client.hpp"
#include "bot/async.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace ab::adapters::connector {

struct token_options {
    std::string endpoint;      ///< TOKEN_ENDPOINT
    std::string client_id;     ///< MicrosoftAppId
    std::string client_secret; ///< MicrosoftAppPassword
    std::string scope;         ///< OAUTH_SCOPE
    std::chrono::seconds refresh_margin{300};
    std::chrono::milliseconds timeout{10000};
};

class token_provider {
public:
    token_provider(http::client& client, token_options opt);

    /// A valid access token (from the cache when it has more than refresh_margin left).
    task<boost::system::result<std::string>> token();

    /// Token requests sent so far.
    std::size_t fetches() const { return fetches_; }

private:
    task<void> fetch();

    http::client& http_;
    token_options opt_;
    std::string token_;
    std::chrono::steady_clock::time_point refresh_at_{};
    boost::system::error_code last_error_;
    bool fetching_ = false;
    std::vector<std::shared_ptr<net::steady_timer>> waiters_;
    std::size_t fetches_ = 0;
};

/// application/x-www-form-urlencoded encoding of one value.
std::string form_encode(std::string_view v);

} // namespace ab::adapters::connector
