#pragma once
// Bot Framework activity wire types (Teams flavour) in snake_case, with to_json/from_json holding the camelCase names.
// parse_activity() is the one place inbound JSON is read: no throwing, bounded, stable errc ids; tolerant of the rest.
// Every object keeps its `raw` JSON, so unknown fields survive parse -> to_json_string; typed fields win on output.

#include "bot/schema/errc.hpp"

#include <boost/system/result.hpp>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ab::bot::schema {

// Conventions for every type below:
// - an empty string means "absent": it is not read from wrong-typed JSON and not written out;
// - `raw` is the object as received (null for objects built in code). When serialized, the
//   known fields are written over `raw` (or erased from it when empty); the rest is kept.

/// Activity types a Teams bot handles; other types are accepted and kept as strings.
namespace activity_types {
inline constexpr std::string_view message = "message";
inline constexpr std::string_view conversation_update = "conversationUpdate";
inline constexpr std::string_view installation_update = "installationUpdate";
inline constexpr std::string_view invoke = "invoke";
inline constexpr std::string_view event = "event";
inline constexpr std::string_view message_reaction = "messageReaction";
inline constexpr std::string_view typing = "typing";
} // namespace activity_types

/// A user or bot. Teams ids: users "29:…", bots "28:<app id>".
struct channel_account {
    std::string id;
    std::string name;
    std::string aad_object_id;
    std::string role;
    nlohmann::json raw;

    bool operator==(const channel_account&) const = default;
};

struct conversation_account {
    std::string id;                ///< channel thread: "<channel id>;messageid=<root message id>"
    std::string name;
    std::string conversation_type; ///< Teams: "personal", "groupChat", "channel"
    std::string tenant_id;
    std::optional<bool> is_group;  ///< absent means false
    nlohmann::json raw;

    bool operator==(const conversation_account&) const = default;
};

struct attachment {
    std::string content_type; ///< e.g. "application/vnd.microsoft.card.adaptive", "text/html"
    nlohmann::json content;   ///< null when absent
    /// Outgoing only: `content` already serialized (JSON text), written as it is in its place
    /// (cards rendered as text skip building a document). Wins over `content` when not empty.
    std::string content_json;
    std::string content_url;
    std::string name;
    nlohmann::json raw;

    bool operator==(const attachment&) const = default;
};

/// Any entity (mention, clientInfo, …); see mention.hpp for the mention view.
struct entity {
    std::string type;
    nlohmann::json raw;

    bool operator==(const entity&) const = default;
};

/// Teams `channelData`; every part is optional. `raw` keeps the rest (meeting, notification, …).
struct teams_channel_data {
    std::string tenant_id;     ///< tenant.id
    std::string team_id;       ///< team.id (channel contexts)
    std::string team_name;     ///< team.name (rename events only)
    std::string channel_id;    ///< channel.id (channel contexts; the General channel's id is the team id)
    std::string channel_name;  ///< channel.name (channel events only)
    std::string event_type;    ///< conversationUpdate: "channelCreated", "teamRenamed", …
    nlohmann::json settings;   ///< installationUpdate: {"selectedChannel": {"id": …}}; null when absent
    nlohmann::json raw;

    bool operator==(const teams_channel_data&) const = default;
};

struct message_reaction {
    std::string type; ///< "like", "heart", …
    nlohmann::json raw;

    bool operator==(const message_reaction&) const = default;
};

/// Everything needed to send into a conversation later (proactive messages). Typed fields only:
/// its accounts carry no `raw`, also after from_json.
struct conversation_reference {
    std::string activity_id;
    channel_account user;
    channel_account bot;
    conversation_account conversation;
    std::string channel_id;
    std::string service_url;
    std::string locale;

    bool operator==(const conversation_reference&) const = default;
};

struct activity {
    std::string type; ///< see activity_types; unknown types are kept
    std::string id;
    std::string timestamp;       ///< ISO-8601 UTC, as sent
    std::string local_timestamp; ///< ISO-8601 with offset, as sent
    std::string service_url;
    std::string channel_id;      ///< "msteams"
    channel_account from;
    conversation_account conversation;
    channel_account recipient;
    std::string text;
    std::string text_format;     ///< "plain" (default when empty), "markdown", "xml"
    std::string locale;
    std::string reply_to_id;     ///< card actions and reactions: the id of the message concerned
    nlohmann::json value;        ///< card submit data / invoke payload; null when absent
    std::string name;            ///< invoke and event name, e.g. "adaptiveCard/action"
    std::string action;          ///< installationUpdate: "add", "remove", "add-upgrade", "remove-upgrade"
    std::vector<channel_account> members_added;
    std::vector<channel_account> members_removed;
    std::vector<attachment> attachments;
    std::vector<entity> entities;
    teams_channel_data channel_data;
    std::vector<message_reaction> reactions_added;
    std::vector<message_reaction> reactions_removed;
    nlohmann::json raw; ///< the whole activity as received

    bool operator==(const activity&) const = default;
};

// JSON conversions (found by ADL, so `nlohmann::json j = a;` and `j.get<activity>()` work).
// from_json never throws on content: wrong-typed fields are skipped. It does not check required
// fields; inbound bodies go through parse_activity().
void to_json(nlohmann::json& j, const channel_account& v);
void from_json(const nlohmann::json& j, channel_account& v);
void to_json(nlohmann::json& j, const conversation_account& v);
void from_json(const nlohmann::json& j, conversation_account& v);
void to_json(nlohmann::json& j, const attachment& v);
void from_json(const nlohmann::json& j, attachment& v);
void to_json(nlohmann::json& j, const entity& v);
void from_json(const nlohmann::json& j, entity& v);
void to_json(nlohmann::json& j, const teams_channel_data& v);
void from_json(const nlohmann::json& j, teams_channel_data& v);
void to_json(nlohmann::json& j, const message_reaction& v);
void from_json(const nlohmann::json& j, message_reaction& v);
void to_json(nlohmann::json& j, const conversation_reference& v);
void from_json(const nlohmann::json& j, conversation_reference& v);
void to_json(nlohmann::json& j, const activity& v);
void from_json(const nlohmann::json& j, activity& v);

/// Bounds applied before the JSON is parsed (a linear scan of the bytes).
struct parse_limits {
    std::size_t max_depth = 64;                ///< nesting of objects/arrays; the top level is 1
    std::size_t max_string_bytes = 128 * 1024; ///< per string or key, measured escaped (as on the wire)
};

/// Parses an inbound activity without throwing.
/// Errors (errc): empty_body, too_deep, string_too_long, malformed_json, not_an_object, then
/// missing_field / wrong_type for the fields a reply needs: `type`, `channelId`, `serviceUrl`,
/// `conversation.id`, `from.id` (non-empty strings). Everything else is optional and tolerant.
boost::system::result<activity> parse_activity(std::string_view body, const parse_limits& limits = {});

/// Compact camelCase JSON; empty fields omitted, unknown fields from `raw` kept. Never throws.
std::string to_json_string(const activity& a);

} // namespace ab::bot::schema
