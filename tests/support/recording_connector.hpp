#pragma once
// A Connector port that records everything sent; can be told to fail.
#include "bot/ports/connector.hpp"

#include <boost/system/errc.hpp>

#include <vector>

namespace ab::test {

class recording_connector : public bot::ports::connector {
public:
    struct sent {
        std::string kind; ///< "reply", "send", "update"
        std::string conversation_id;
        std::string reply_to_id;
        bot::schema::activity activity;
    };
    std::vector<sent> activities;
    bool fail = false;

    /// Cards rendered as text (attachment.content_json) as the Connector would receive them: parsed.
    /// Text that is not JSON fails the test here.
    static bot::schema::activity as_sent(bot::schema::activity a)
    {
        for (auto& att : a.attachments)
            if (!att.content_json.empty()) {
                att.content = nlohmann::json::parse(att.content_json); // throws on bad JSON
                att.content_json.clear();
            }
        return a;
    }

    task<boost::system::result<std::string>> reply(const bot::schema::activity& incoming, bot::schema::activity r) override
    {
        if (fail)
            co_return boost::system::errc::make_error_code(boost::system::errc::connection_refused);
        activities.push_back({"reply", incoming.conversation.id, incoming.id, as_sent(std::move(r))});
        co_return "reply-" + std::to_string(activities.size());
    }
    task<boost::system::result<std::string>> send(const bot::schema::conversation_reference& to, bot::schema::activity m) override
    {
        if (fail)
            co_return boost::system::errc::make_error_code(boost::system::errc::connection_refused);
        activities.push_back({"send", to.conversation.id, {}, as_sent(std::move(m))});
        co_return "send-" + std::to_string(activities.size());
    }
    task<boost::system::result<std::string>> create_conversation(std::string service_url, nlohmann::json parameters) override
    {
        if (fail)
            co_return boost::system::errc::make_error_code(boost::system::errc::connection_refused);
        bot::schema::activity a;
        a.raw = std::move(parameters);
        activities.push_back({"create", service_url, {}, std::move(a)});
        co_return "conv-" + std::to_string(activities.size());
    }
    task<boost::system::result<void>> update(const bot::schema::conversation_reference& where, std::string id,
                                             bot::schema::activity m) override
    {
        if (fail)
            co_return boost::system::errc::make_error_code(boost::system::errc::connection_refused);
        activities.push_back({"update", where.conversation.id, std::move(id), as_sent(std::move(m))});
        co_return boost::system::result<void>{};
    }
};

} // namespace ab::test
