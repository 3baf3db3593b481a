#pragma once
// Mentions in group chats and channels: Teams puts "<at>Name</at>" into the text and a matching
// `mention` entity into `entities`. Identity comes from the entity, never from the text.

#include "bot/schema/activity.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ab::bot::schema {

/// The view of a `mention` entity: who, and the markup it has in the text ("<at>Name</at>").
struct mention {
    channel_account mentioned;
    std::string text;
};

/// The mention view of `e`; nullopt unless its type is "mention" (any case).
std::optional<mention> as_mention(const entity& e);

/// True if a mention entity of `a` names `bot_id` (usually `a.recipient.id`).
bool mentions(const activity& a, std::string_view bot_id);

/// `a.text` without the bot's mention markup, trimmed (spaces, tabs, newlines, &nbsp;, U+00A0).
/// For each mention entity of `bot_id` the first occurrence of its text is removed, as the
/// Bot Framework SDK does; any other "<at>Name</at>" becomes "Name".
std::string strip_mention(const activity& a, std::string_view bot_id);

/// "<at>Name</at>" for `who` (the id when the name is empty): put it into the outgoing text.
std::string mention_text(const channel_account& who);

/// The matching entity for an outgoing mention of `who`.
entity make_mention(const channel_account& who);

} // namespace ab::bot::schema
