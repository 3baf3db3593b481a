// Fuzz target: arbitrary bytes as an inbound activity body. Bad input must end in an errc, never a
// crash or an exception; good input must survive to_json_string -> parse_activity with the same
// type, id, conversation id and text (the round-trip property, after nlohmann's parse fuzzer).
#include "bot/schema/activity.hpp"
#include "bot/schema/invoke.hpp"
#include "bot/schema/mention.hpp"
#include "bot/schema/reply.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace ab::bot::schema;
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    const auto first = parse_activity(body);
    if (!first) {
        if (&first.error().category() != &schema_category())
            __builtin_trap();
        return 0;
    }
    const activity& a = *first;
    const auto second = parse_activity(to_json_string(a));
    if (!second || second->type != a.type || second->id != a.id || second->conversation.id != a.conversation.id ||
        second->text != a.text)
        __builtin_trap();

    // The helpers must cope with whatever parsed.
    (void)strip_mention(a, a.recipient.id);
    (void)mentions(a, a.recipient.id);
    (void)adaptive_card_action_of(a);
    // A reply has everything parse_activity requires once the incoming activity names the bot.
    const activity reply = make_reply(a, a.text);
    if (!a.recipient.id.empty() && !parse_activity(to_json_string(reply)))
        __builtin_trap();
    return 0;
}
