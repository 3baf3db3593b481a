#pragma once
// An in-process Teams channel for transcript tests (house style F2, BF TestFlow): builds the
// activities Teams sends (shapes recorded from the Agents Playground, ../shared/realclient/README.md),
// runs them through the real turn adapter and the dialogs runner, and records what the bot sends.
// "Restarting the bot" = a new test_channel over the same storage.

#include "adapters/storage/memory_storage.hpp"
#include "bot/schema/activity.hpp"
#include "bot/turn/adapter.hpp"
#include "dialogs/runner.hpp"
#include "tests/support/card_actions.hpp"
#include "tests/support/recording_connector.hpp"
#include "tests/support/run_sync.hpp"
#include "tests/support/shared_engine.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace ab::test {

inline constexpr std::string_view test_signing_key = "transcript-test-signing-key-0123456789";

enum class conversation_kind { personal, group, channel };

class test_channel {
public:
    test_channel(bot::ports::state_store& states, bot::ports::record_log& records, conversation_kind kind = conversation_kind::personal,
                 dialogs::runner_options options = {}, const knowledge::articles::article_index* articles = nullptr,
                 dialogs::actions::admin_actions* admin = nullptr, dialogs::escalation_seam* escalation = nullptr)
        : signer_(std::string(test_signing_key)),
          runner_(dialogs::runner_parts{builtin_content(), builtin_classifier(), articles, states, records, signer_, escalation, admin},
                  std::move(options)),
          adapter_(connector_, runner_),
          kind_(kind)
    {
    }

    /// A user message as Teams sends it (in group chats and channels with the bot's <at>mention</at>).
    nlohmann::json message(const std::string& text, const std::string& locale = "en-US")
    {
        nlohmann::json a = base("message");
        a["locale"] = locale;
        a["textFormat"] = "plain";
        if (kind_ == conversation_kind::personal) {
            a["text"] = text;
        } else {
            a["text"] = "<at>FedGuest Bot</at> " + text;
            a["entities"] = nlohmann::json::array({{{"type", "mention"},
                                                   {"mentioned", {{"id", bot_id}, {"name", "FedGuest Bot"}}},
                                                   {"text", "<at>FedGuest Bot</at>"}}});
        }
        return a;
    }

    /// The card the bot sent as its n-th activity (0-based); null if that activity has none.
    nlohmann::json card(std::size_t n) const
    {
        const auto& a = connector_.activities.at(n).activity;
        return a.attachments.empty() ? nlohmann::json() : a.attachments.front().content;
    }
    nlohmann::json last_card() const { return card(connector_.activities.size() - 1); }

    /// The n-th button of `card` (body ActionSets first, then top-level actions) whose title is `title`.
    static nlohmann::json button(const nlohmann::json& card, const std::string& title) { return find_button(card, title); }
    /// Titles of every Action.Execute on the card.
    static std::vector<std::string> buttons(const nlohmann::json& card)
    {
        std::vector<std::string> out;
        visit_actions(card, [&](const nlohmann::json& action) {
            if (action.value("type", "") == "Action.Execute")
                out.push_back(action.value("title", ""));
        });
        return out;
    }

    /// A click on `action` (an Action.Execute of a card the bot sent as activity `card_activity_id`):
    /// an adaptiveCard/action invoke, with the card's input values merged into data.
    nlohmann::json invoke(const nlohmann::json& action, const std::string& card_activity_id, nlohmann::json inputs = nlohmann::json::object())
    {
        nlohmann::json a = base("invoke");
        a["name"] = "adaptiveCard/action";
        a["replyToId"] = card_activity_id;
        nlohmann::json data = action.at("data");
        for (auto& [k, v] : inputs.items())
            data[k] = v;
        a["value"] = {{"action", {{"type", "Action.Execute"}, {"verb", action.at("verb")}, {"title", action.value("title", "")}, {"data", data}}},
                      {"trigger", "manual"}};
        return a;
    }

    /// The same click through the Action.Submit fallback (Teams mobile): a message with `value`.
    nlohmann::json submit(const nlohmann::json& action, const std::string& card_activity_id, nlohmann::json inputs = nlohmann::json::object())
    {
        nlohmann::json a = base("message");
        a["replyToId"] = card_activity_id;
        a["channelData"]["source"] = {{"name", "message"}};
        nlohmann::json data = action.at("fallback").at("data");
        for (auto& [k, v] : inputs.items())
            data[k] = v;
        a["value"] = data;
        return a;
    }

    nlohmann::json installed()
    {
        nlohmann::json a = base("installationUpdate");
        a["action"] = "add";
        return a;
    }
    nlohmann::json bot_added()
    {
        nlohmann::json a = base("conversationUpdate");
        a["membersAdded"] = nlohmann::json::array({{{"id", "user-id-0"}}, {{"id", bot_id}}});
        return a;
    }

    /// Delivers `activity` (JSON as on the wire) and runs the turn.
    bot::turn::turn_outcome deliver(const nlohmann::json& activity)
    {
        auto parsed = bot::schema::parse_activity(activity.dump());
        EXPECT_TRUE(parsed) << activity.dump();
        if (io_)
            return run_sync(*io_, adapter_.process(std::move(*parsed)));
        return run_sync(adapter_.process(std::move(*parsed)));
    }

    /// The turn for an already parsed activity, to co_spawn several at once.
    task<bot::turn::turn_outcome> process(bot::schema::activity a) { return adapter_.process(std::move(a)); }

    /// The Connector id the playground would give the bot's n-th activity.
    std::string sent_id(std::size_t n) const { return "reply-" + std::to_string(n + 1); }

    recording_connector& connector() { return connector_; }
    const std::vector<recording_connector::sent>& sent() const { return connector_.activities; }
    dialogs::runner& runner() { return runner_; }
    const dialogs::action_signer& signer() const { return signer_; }
    std::string conversation_id() const
    {
        switch (kind_) {
        case conversation_kind::personal: return "a:1personal-chat";
        case conversation_kind::group: return "19:group-chat@thread.v2";
        case conversation_kind::channel: return "19:general-contoso@thread.tacv2;messageid=1795288274962";
        }
        return {};
    }

    static constexpr const char* bot_id = "28:00000000-0000-0000-0000-00000000b07e";

    /// Runs turns on `io` (for adapters bound to one io_context, e.g. a real HTTP client).
    void run_on(net::io_context& io) { io_ = &io; }

    /// Who sends the next activities (Teams: from.id, from.name, from.aadObjectId).
    void act_as(std::string id, std::string name, std::string aad_object_id)
    {
        user_id_ = std::move(id);
        user_name_ = std::move(name);
        user_aad_ = std::move(aad_object_id);
    }

private:
    nlohmann::json base(const std::string& type)
    {
        nlohmann::json conv = {{"conversationType", kind_ == conversation_kind::personal ? "personal"
                                                     : kind_ == conversation_kind::group ? "groupChat"
                                                                                          : "channel"},
                               {"tenantId", "00000000-0000-0000-0000-0000000000001"},
                               {"id", conversation_id()}};
        if (kind_ != conversation_kind::personal)
            conv["isGroup"] = true;
        nlohmann::json a = {{"type", type},
                            {"id", "act-" + std::to_string(++counter_)},
                            {"timestamp", "2026-11-21T19:10:18.273Z"},
                            {"serviceUrl", "http://127.0.0.1:41859/_connector"},
                            {"channelId", "msteams"},
                            {"from", {{"id", user_id_}, {"name", user_name_}, {"aadObjectId", user_aad_}}},
                            {"recipient", {{"id", bot_id}, {"name", "FedGuest Bot"}}},
                            {"conversation", conv},
                            {"locale", "en-US"},
                            {"channelData", {{"tenant", {{"id", "00000000-0000-0000-0000-0000000000001"}}}}}};
        if (kind_ == conversation_kind::channel)
            a["channelData"]["teamsChannelId"] = "19:general-contoso@thread.tacv2";
        return a;
    }

    recording_connector connector_;
    dialogs::action_signer signer_;
    dialogs::runner runner_;
    bot::turn::adapter adapter_;
    conversation_kind kind_;
    net::io_context* io_ = nullptr;
    std::string user_id_ = "user-id-0";
    std::string user_name_ = "Alex Wilber";
    std::string user_aad_ = "00000000-0000-0000-0000-0000000000020";
    inline static int counter_ = 0;
};

/// The texts of every TextBlock on a card, joined by '\n' (for "the card says …" checks).
inline std::string card_text(const nlohmann::json& j)
{
    std::string out;
    if (j.is_object()) {
        if (j.value("type", "") == "TextBlock")
            out += j.value("text", "") + "\n";
        if (j.value("type", "") == "FactSet")
            for (const auto& f : j.value("facts", nlohmann::json::array()))
                out += f.value("title", "") + ": " + f.value("value", "") + "\n";
        for (const auto& [k, v] : j.items())
            out += card_text(v);
    } else if (j.is_array()) {
        for (const auto& v : j)
            out += card_text(v);
    }
    return out;
}

} // namespace ab::test
