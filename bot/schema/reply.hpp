#pragma once
// Addressing replies: a reply goes back through the incoming activity's serviceUrl into its
// conversation, from the bot to the user; a conversation_reference keeps that for later.

#include "bot/schema/activity.hpp"

#include <string>

namespace ab::bot::schema {

/// Where `incoming` came from: user = from, bot = recipient, plus conversation, channel,
/// serviceUrl, locale and the activity id. Typed fields only (no `raw`).
conversation_reference reference_of(const activity& incoming);

/// A `message` answering `incoming`: from/recipient swapped, same conversation, channel,
/// serviceUrl and locale, reply_to_id = incoming.id. Accounts are copied without `raw`.
activity make_reply(const activity& incoming, std::string text = {});

/// A `message` into the conversation of `ref` (proactive; no reply_to_id).
activity make_message(const conversation_reference& ref, std::string text = {});

} // namespace ab::bot::schema
