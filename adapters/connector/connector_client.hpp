#pragma once
// The Bot Connector REST client (protocol reference §4): reply, send to a conversation, update
// an activity, with the bearer token from the token provider (none in local mode) and a
// per-conversation send limit (Teams allows about 7 messages per second per conversation).
// Runs on the single I/O thread.

#include "adapters/connector/token_provider.hpp"
#include "adapters/http/client.hpp"
#include "bot/ports/connector.hpp"

#include <chrono>
#include <string>
#include <unordered_map>

namespace ab::adapters::connector {

struct connector_options {
    double sends_per_second = 7.0; ///< per conversation; 0 = no pacing
    double burst = 7.0;
    std::chrono::milliseconds timeout{15000};
};

class connector_client : public bot::ports::connector {
public:
    /// `tokens` may be null: local mode (Agents Playground) sends no Authorization header.
    connector_client(http::client& client, token_provider* tokens, connector_options opt = {});

    task<boost::system::result<std::string>> reply(const bot::schema::activity& incoming, bot::schema::activity reply) override;
    task<boost::system::result<std::string>> send(const bot::schema::conversation_reference& to, bot::schema::activity message) override;
    task<boost::system::result<void>> update(const bot::schema::conversation_reference& where, std::string activity_id,
                                             bot::schema::activity message) override;
    task<boost::system::result<std::string>> create_conversation(std::string service_url, nlohmann::json parameters) override;

private:
    task<boost::system::result<std::string>> call(std::string method, std::string url, std::string conversation_id,
                                                  std::string body);
    task<void> pace(const std::string& conversation_id);

    http::client& http_;
    token_provider* tokens_;
    connector_options opt_;
    struct bucket {
        double tokens;
        std::chrono::steady_clock::time_point at;
    };
    std::unordered_map<std::string, bucket> buckets_;
};

/// {service_url}v3/conversations/{id}/activities[/{activity_id}] with the ids percent-encoded.
std::string activities_url(std::string_view service_url, std::string_view conversation_id, std::string_view activity_id = {});
std::string percent_encode(std::string_view s);

} // namespace ab::adapters::connector
