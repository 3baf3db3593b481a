#pragma once
// The "teams-user" sink: tells the user, in their own conversation and language, what happened to
// their request (picked up, a reply, resolved, a ticket number). Proactive messages through the
// Connector port, delivered by the outbox worker like every other sink (retried when the Connector
// is down; the delivery id keeps it once).

#include "bot/ports/connector.hpp"
#include "bot/ports/helpdesk.hpp"
#include "dialogs/escalations/service.hpp"
#include "knowledge/content.hpp"

namespace ab::dialogs::escalations {

class user_sink final : public bot::ports::escalation_sink {
public:
    user_sink(const knowledge::content& content, escalation_service& service, bot::ports::connector& connector)
        : content_(content), service_(service), connector_(connector)
    {
    }
    std::string_view name() const override { return user_sink_name; }
    task<bot::ports::delivery_result> deliver(const bot::ports::escalation_event& e) override;

    /// The message for `e` in `l` ("" for events the user is not told about).
    std::string text_of(const bot::ports::escalation_event& e, knowledge::lang l) const;

private:
    const knowledge::content& content_;
    escalation_service& service_;
    bot::ports::connector& connector_;
};

} // namespace ab::dialogs::escalations
