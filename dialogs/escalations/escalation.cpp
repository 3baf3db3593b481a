#include "dialogs/escalations/escalation.hpp"

namespace ab::dialogs::escalations {

namespace {
using json = nlohmann::json;
constexpr std::string_view names[] = {"open", "acknowledged", "resolved", "cancelled"};
} // namespace

std::string_view status_name(status s) noexcept
{
    return names[static_cast<int>(s)];
}

std::optional<status> status_from_name(std::string_view n) noexcept
{
    for (int i = 0; i < 4; ++i)
        if (names[i] == n)
            return static_cast<status>(i);
    return std::nullopt;
}

bool may_move(status from, status to) noexcept
{
    switch (to) {
    case status::open: return false;
    case status::acknowledged: return from == status::open;
    case status::resolved: return from == status::open || from == status::acknowledged;
    case status::cancelled: return from == status::open || from == status::acknowledged;
    }
    return false;
}

void to_json(json& j, const escalation& e)
{
    json history = json::array();
    for (const auto& h : e.history)
        history.push_back({{"at", h.at}, {"event", h.event}, {"actor", h.actor}, {"text", h.text}});
    json tickets = json::array();
    for (const auto& t : e.tickets)
        tickets.push_back({{"sink", t.sink}, {"id", t.id}, {"number", t.number}});
    j = json{{"v", e.version},
             {"id", e.id},
             {"status", status_name(e.state)},
             {"question", e.question},
             {"summary", e.summary},
             {"intent", e.intent},
             {"lang", e.lang},
             {"domain", e.domain},
             {"user", {{"id", e.user_id}, {"aad", e.user_aad_object_id}, {"name", e.user_name}}},
             {"tenant", e.tenant_id},
             {"reference", e.reference},
             {"created_at", e.created_at},
             {"updated_at", e.updated_at},
             {"history", std::move(history)},
             {"tickets", std::move(tickets)}};
}

std::optional<escalation> escalation_from(const json& j)
{
    try {
        if (!j.is_object() || j.value("v", 0) != escalation::current_version)
            return std::nullopt;
        escalation e;
        e.id = j.at("id").get<std::string>();
        const auto s = status_from_name(j.at("status").get<std::string>());
        if (!s)
            return std::nullopt;
        e.state = *s;
        e.question = j.value("question", "");
        e.summary = j.value("summary", "");
        e.intent = j.value("intent", "");
        e.lang = j.value("lang", "en");
        e.domain = j.value("domain", "");
        const json user = j.value("user", json::object());
        e.user_id = user.value("id", "");
        e.user_aad_object_id = user.value("aad", "");
        e.user_name = user.value("name", "");
        e.tenant_id = j.value("tenant", "");
        if (j.contains("reference"))
            e.reference = j.at("reference").get<bot::schema::conversation_reference>();
        e.created_at = j.value("created_at", "");
        e.updated_at = j.value("updated_at", "");
        for (const auto& h : j.value("history", json::array()))
            e.history.push_back({h.value("at", ""), h.value("event", ""), h.value("actor", ""), h.value("text", "")});
        for (const auto& t : j.value("tickets", json::array()))
            e.tickets.push_back({t.value("sink", ""), t.value("id", ""), t.value("number", "")});
        return e;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::string escalation_key(std::string_view id)
{
    return "escalation/" + std::string(id);
}

std::string user_index_key(const bot::schema::activity& a)
{
    return "escalations-of/" + a.channel_id + "/" + (a.from.aad_object_id.empty() ? a.from.id : a.from.aad_object_id);
}

} // namespace ab::dialogs::escalations
