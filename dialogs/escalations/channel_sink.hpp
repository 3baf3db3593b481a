#pragma once
// The "teams-channel" sink: the helpdesk's card in a Teams channel. The first event of an
// escalation starts a thread in the configured channel with the card (Connector: create
// conversation); later events replace that card in place (update activity), so the channel always
// shows the current status and history. The thread's conversation id is kept on the escalation.

#include "bot/ports/connector.hpp"
#include "bot/ports/helpdesk.hpp"
#include "dialogs/cards/cards.hpp"
#include "dialogs/escalations/service.hpp"
#include "knowledge/content.hpp"

#include <functional>

namespace ab::dialogs::escalations {

inline constexpr std::string_view channel_sink_name = "teams-channel";

struct channel_options {
    std::string channel_id;  ///< "19:…@thread.tacv2" (AB_HELPDESK_CHANNEL)
    std::string service_url; ///< the channel's Connector URL (AB_HELPDESK_SERVICE_URL)
    std::string tenant_id;   ///< AB_HELPDESK_TENANT
    std::string bot_id;      ///< "28:<MicrosoftAppId>"
    std::string bot_name = "access-bot";
    knowledge::lang lang = knowledge::lang::en; ///< the helpdesk's language (AB_HELPDESK_LANGUAGE)
};

/// The helpdesk's view of an escalation (card data); `apply_label` from the caller.
cards::helpdesk_view helpdesk_view_of(const escalation& e, const knowledge::content& content, knowledge::lang l);

class channel_sink final : public bot::ports::escalation_sink {
public:
    using apply_label_fn = std::function<std::string(const escalation&, knowledge::lang)>;
    channel_sink(const knowledge::content& content, const cards::card_builder& cards, escalation_service& service,
                 bot::ports::connector& connector, channel_options opt, apply_label_fn apply_label = {});
    std::string_view name() const override { return channel_sink_name; }
    task<bot::ports::delivery_result> deliver(const bot::ports::escalation_event& e) override;

    /// The card for `e` as the channel shows it now.
    nlohmann::json card_of(const escalation& e) const;
    /// Where the card lives: the thread's conversation and the root activity id (";messageid=").
    bot::schema::conversation_reference thread_of(const std::string& thread_id) const;

private:
    const knowledge::content& content_;
    const cards::card_builder& cards_;
    escalation_service& service_;
    bot::ports::connector& connector_;
    channel_options opt_;
    apply_label_fn apply_label_;
};

} // namespace ab::dialogs::escalations
