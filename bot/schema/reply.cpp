#include "bot/schema/reply.hpp"

#include <utility>

namespace ab::bot::schema {

namespace {

channel_account typed(const channel_account& a)
{
    channel_account out = a;
    out.raw = nullptr;
    return out;
}

conversation_account typed(const conversation_account& c)
{
    conversation_account out = c;
    out.raw = nullptr;
    return out;
}

} // namespace

conversation_reference reference_of(const activity& incoming)
{
    conversation_reference ref;
    ref.activity_id = incoming.id;
    ref.user = typed(incoming.from);
    ref.bot = typed(incoming.recipient);
    ref.conversation = typed(incoming.conversation);
    ref.channel_id = incoming.channel_id;
    ref.service_url = incoming.service_url;
    ref.locale = incoming.locale;
    return ref;
}

activity make_message(const conversation_reference& ref, std::string text)
{
    activity a;
    a.type = std::string(activity_types::message);
    a.from = typed(ref.bot);
    a.recipient = typed(ref.user);
    a.conversation = typed(ref.conversation);
    a.channel_id = ref.channel_id;
    a.service_url = ref.service_url;
    a.locale = ref.locale;
    a.text = std::move(text);
    return a;
}

activity make_reply(const activity& incoming, std::string text)
{
    activity a = make_message(reference_of(incoming), std::move(text));
    a.reply_to_id = incoming.id;
    return a;
}

} // namespace ab::bot::schema
