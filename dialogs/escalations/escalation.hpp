#pragma once
// An escalation: the durable record of a case handed to the helpdesk (issue 6). Stored as JSON in
// the state store under "escalation/<id>"; every change is saved with its ETag together with the
// outbox deliveries it causes (bot/ports/outbox.hpp), so no sink ever misses a change.

#include "bot/schema/activity.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ab::dialogs::escalations {

/// open → acknowledged → resolved, or cancelled by the user (from open or acknowledged).
enum class status { open, acknowledged, resolved, cancelled };
std::string_view status_name(status s) noexcept;
std::optional<status> status_from_name(std::string_view n) noexcept;
/// True if `to` may follow `from`.
bool may_move(status from, status to) noexcept;

struct history_entry {
    std::string at;    ///< ISO-8601 UTC
    std::string event; ///< created, acknowledged, replied, resolved, cancelled, ticket
    std::string actor; ///< display name
    std::string text;  ///< reply text, ticket number, ...
};

struct ticket {
    std::string sink;   ///< "servicenow", "webhook", ...
    std::string id;     ///< the sink's id (ServiceNow sys_id)
    std::string number; ///< what people quote (INC0010002)
};

struct escalation {
    static constexpr int current_version = 1;
    int version = current_version;
    std::string id; ///< "esc-" + 12 hex digits
    status state = status::open;
    std::string question, summary, intent, lang, domain;
    std::string user_id, user_aad_object_id, user_name, tenant_id;
    bot::schema::conversation_reference reference; ///< the user's conversation (proactive messages)
    std::string created_at, updated_at;
    std::vector<history_entry> history;
    std::vector<ticket> tickets;
};

void to_json(nlohmann::json& j, const escalation& e);
/// Never throws; nullopt for data this version cannot read.
std::optional<escalation> escalation_from(const nlohmann::json& j);

std::string escalation_key(std::string_view id);
/// The per-user index of escalation ids: "escalations-of/<channel>/<aad object id or user id>".
std::string user_index_key(const bot::schema::activity& a);

} // namespace ab::dialogs::escalations
