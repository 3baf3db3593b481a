#pragma once
// Port: sending activities back through the Bot Connector (implemented by adapters/connector,
// faked by tests). Expected failures are values (throttling, auth, upstream down).

#include "bot/async.hpp"
#include "bot/schema/activity.hpp"

#include <boost/system/result.hpp>

#include <string>

namespace ab::bot::ports {

class connector {
public:
    virtual ~connector() = default;

    /// Replies to `incoming` (POST .../conversations/{id}/activities/{incoming.id}); returns the
    /// new activity's id.
    virtual task<boost::system::result<std::string>> reply(const schema::activity& incoming, schema::activity reply) = 0;

    /// Sends into a conversation proactively (POST .../conversations/{id}/activities).
    virtual task<boost::system::result<std::string>> send(const schema::conversation_reference& to, schema::activity message) = 0;

    /// Creates a conversation (proactive 1:1 in Teams: POST {service_url}v3/conversations with
    /// `parameters` = {bot, members, channelData.tenant, isGroup}); returns its id.
    virtual task<boost::system::result<std::string>> create_conversation(std::string service_url, nlohmann::json parameters) = 0;

    /// Replaces an activity the bot sent (PUT .../conversations/{id}/activities/{activity id}).
    virtual task<boost::system::result<void>> update(const schema::conversation_reference& where, std::string activity_id,
                                                     schema::activity message) = 0;
};

} // namespace ab::bot::ports
