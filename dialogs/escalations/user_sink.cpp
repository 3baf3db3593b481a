#include "dialogs/escalations/user_sink.hpp"

#include "bot/schema/reply.hpp"
#include "dialogs/cards/cards.hpp"

namespace ab::dialogs::escalations {

namespace ports = bot::ports;

std::string user_sink::text_of(const ports::escalation_event& e, knowledge::lang l) const
{
    std::string key;
    if (e.event == "acknowledged")
        key = "esc_notify_acknowledged";
    else if (e.event == "replied")
        key = "esc_notify_replied";
    else if (e.event == "resolved")
        key = "esc_notify_resolved";
    else if (e.event == "ticket")
        key = "esc_notify_ticket";
    else
        return {};
    std::string text = content_.ui(key, l);
    text = cards::fill(std::move(text), "id", e.escalation_id);
    text = cards::fill(std::move(text), "actor", e.actor_name);
    text = cards::fill(std::move(text), "number", e.message);
    text = cards::fill(std::move(text), "text", e.message);
    while (!text.empty() && text.back() == ' ')
        text.pop_back();
    return text;
}

task<ports::delivery_result> user_sink::deliver(const ports::escalation_event& e)
{
    ports::delivery_result r;
    auto loaded = co_await service_.load(e.escalation_id);
    if (!loaded) {
        r.outcome = ports::delivery_outcome::retry;
        r.error_id = "escalation.storage";
        co_return r;
    }
    if (!*loaded) {
        r.outcome = ports::delivery_outcome::rejected;
        r.error_id = "escalation.unknown";
        co_return r;
    }
    const escalation& esc = **loaded;
    const knowledge::lang l = knowledge::lang_from_code(esc.lang);
    const std::string text = text_of(e, static_cast<std::size_t>(l) < knowledge::answer_language_count ? l : knowledge::lang::en);
    if (text.empty()) {
        r.outcome = ports::delivery_outcome::delivered; // nothing to tell
        co_return r;
    }
    auto sent = co_await connector_.send(esc.reference, bot::schema::make_message(esc.reference, text));
    if (!sent) {
        r.outcome = ports::delivery_outcome::retry;
        r.error_id = "escalation.connector";
        r.detail = sent.error().message();
        co_return r;
    }
    r.outcome = ports::delivery_outcome::delivered;
    r.external_id = *sent;
    co_return r;
}

} // namespace ab::dialogs::escalations
