#include "dialogs/escalations/service.hpp"

#include "bot/log.hpp"

#include <algorithm>
#include <ctime>

namespace ab::dialogs::escalations {

namespace {

using json = nlohmann::json;
namespace ports = bot::ports;

std::string iso(std::chrono::system_clock::time_point t)
{
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[40];
    std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
    return out;
}

} // namespace

escalation_service::escalation_service(ports::state_store& states, ports::outbox& box, service_options opt)
    : states_(states), box_(box), opt_(std::move(opt))
{
}

std::string escalation_service::now_iso() const
{
    return iso(opt_.clock());
}

std::int64_t escalation_service::now_ms() const
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(opt_.clock().time_since_epoch()).count();
}

json escalation_service::event_payload(const escalation& e, const std::string& delivery_id, const std::string& event, const std::string& actor,
                                       const std::string& text) const
{
    return {{"deliveryId", delivery_id},   {"escalationId", e.id},
            {"event", event},              {"status", status_name(e.state)},
            {"question", e.question},      {"summary", e.summary},
            {"intent", e.intent},          {"language", e.lang},
            {"domain", e.domain},          {"userId", e.user_id},
            {"userAadObjectId", e.user_aad_object_id}, {"userName", e.user_name},
            {"tenantId", e.tenant_id},     {"message", text},
            {"actorName", actor},          {"occurredAt", e.updated_at},
            {"externalId", ""}};
}

task<boost::system::result<escalation>> escalation_service::save_event(escalation e, ports::etag_match expected, std::string event,
                                                                     std::string actor, std::string text, bool notify_user)
{
    e.updated_at = now_iso();
    if (e.created_at.empty())
        e.created_at = e.updated_at;
    e.history.push_back({e.updated_at, event, actor, text});
    // One delivery per sink and event: "<escalation>/<event number>/<sink>" is unique and stable.
    const std::string seq = std::to_string(e.history.size());
    std::vector<ports::outbox_delivery> deliveries;
    auto add = [&](const std::string& sink) {
        ports::outbox_delivery d;
        d.id = e.id + "/" + seq + "/" + sink;
        d.sink = sink;
        d.payload = event_payload(e, d.id, event, actor, text);
        for (const auto& t : e.tickets)
            if (t.sink == sink)
                d.payload["externalId"] = t.id;
        d.created_at = now_ms();
        d.next_attempt_at = d.created_at;
        deliveries.push_back(std::move(d));
    };
    if (event != "ticket")
        for (const auto& sink : opt_.sinks)
            add(sink);
    if (notify_user)
        add(std::string(user_sink_name));
    json value = e;
    auto saved = co_await box_.save_and_enqueue(escalation_key(e.id), std::move(value), std::move(expected), std::move(deliveries));
    if (!saved)
        co_return saved.error();
    co_return e;
}

task<boost::system::result<escalation>> escalation_service::create(escalation e, bool& created)
{
    created = false;
    e.state = status::open;
    // Arguments as named locals: GCC 12 mis-destroys braced temporaries inside co_await.
    std::string event = "created";
    std::string actor = e.user_name;
    auto absent = ports::etag_match::must_be_absent();
    auto saved = co_await save_event(e, std::move(absent), std::move(event), std::move(actor), std::string(), false);
    if (!saved) {
        if (saved.error() != ports::storage_errc::conflict)
            co_return saved.error();
        auto existing = co_await load(e.id); // created before (a repeated click): one escalation
        if (!existing)
            co_return existing.error();
        if (!*existing)
            co_return make_error_code(ports::storage_errc::conflict);
        co_return std::move(**existing);
    }
    created = true;
    // The user's index (newest first); a lost race is retried, the escalation itself is saved.
    const auto key = "escalations-of/" + e.reference.channel_id + "/" + (e.user_aad_object_id.empty() ? e.user_id : e.user_aad_object_id);
    for (int attempt = 0; attempt < 5; ++attempt) {
        auto index = co_await states_.load(key);
        if (!index)
            break;
        json ids = *index ? (*index)->value.value("ids", json::array()) : json::array();
        json updated = json::array({e.id});
        for (const auto& id : ids)
            if (id != e.id && updated.size() < opt_.max_per_user)
                updated.push_back(id);
        json doc = {{"ids", std::move(updated)}};
        const auto expected = *index ? ports::etag_match::must_equal((*index)->etag) : ports::etag_match::must_be_absent();
        auto stored = co_await states_.save(key, std::move(doc), expected);
        if (stored || stored.error() != ports::storage_errc::conflict)
            break;
    }
    co_return std::move(*saved);
}

task<boost::system::result<std::optional<escalation>>> escalation_service::load(std::string id)
{
    auto doc = co_await states_.load(escalation_key(id));
    if (!doc)
        co_return doc.error();
    if (!*doc)
        co_return std::optional<escalation>{};
    auto e = escalation_from((*doc)->value);
    if (!e)
        co_return make_error_code(ports::storage_errc::corrupt);
    co_return std::optional<escalation>{std::move(*e)};
}

task<boost::system::result<escalation_service::versioned>> escalation_service::load_for_update(const std::string& id)
{
    auto doc = co_await states_.load(escalation_key(id));
    if (!doc)
        co_return doc.error();
    if (!*doc)
        co_return make_error_code(ports::storage_errc::bad_key);
    auto e = escalation_from((*doc)->value);
    if (!e)
        co_return make_error_code(ports::storage_errc::corrupt);
    versioned v{std::move(*e), std::move((*doc)->etag)};
    co_return v;
}

task<boost::system::result<escalation>> escalation_service::change(std::string id, status to, std::string event, std::string actor,
                                                                   std::string text, bool by_user)
{
    for (int attempt = 0; attempt < 3; ++attempt) {
        auto loaded = co_await load_for_update(id);
        if (!loaded)
            co_return loaded.error();
        escalation* e = &loaded->e;
        const bool reply = event == "replied" && to == e->state && e->state != status::resolved && e->state != status::cancelled;
        if (!reply && !may_move(e->state, to))
            co_return make_error_code(ports::storage_errc::conflict);
        e->state = to;
        auto expected = ports::etag_match::must_equal(loaded->etag);
        auto saved = co_await save_event(std::move(*e), std::move(expected), event, actor, text, !by_user);
        if (saved || saved.error() != ports::storage_errc::conflict)
            co_return saved;
    }
    co_return make_error_code(ports::storage_errc::conflict);
}

task<boost::system::result<escalation>> escalation_service::add_ticket(std::string id, ticket t)
{
    for (int attempt = 0; attempt < 3; ++attempt) {
        auto loaded = co_await load_for_update(id);
        if (!loaded)
            co_return loaded.error();
        escalation* e = &loaded->e;
        if (std::any_of(e->tickets.begin(), e->tickets.end(), [&](const ticket& x) { return x.sink == t.sink; }))
            co_return std::move(*e); // recorded before (a repeated delivery)
        if (t.number.empty()) {
            // A place, not a ticket (the helpdesk channel's thread): kept for later updates, no event.
            e->tickets.push_back(t);
            json value = *e;
            auto match = ports::etag_match::must_equal(loaded->etag);
            auto stored = co_await states_.save(escalation_key(id), std::move(value), std::move(match));
            if (stored)
                co_return std::move(*e);
            if (stored.error() != ports::storage_errc::conflict)
                co_return stored.error();
            continue;
        }
        const std::string number = t.number;
        e->tickets.push_back(t);
        auto expected = ports::etag_match::must_equal(loaded->etag);
        std::string event = "ticket";
        auto saved = co_await save_event(std::move(*e), std::move(expected), std::move(event), t.sink, number, true);
        if (saved || saved.error() != ports::storage_errc::conflict)
            co_return saved;
    }
    co_return make_error_code(ports::storage_errc::conflict);
}

task<boost::system::result<std::vector<escalation>>> escalation_service::of_user(const bot::schema::activity& a, std::size_t limit)
{
    std::vector<escalation> out;
    auto index = co_await states_.load(user_index_key(a));
    if (!index)
        co_return index.error();
    if (!*index)
        co_return out;
    for (const auto& id : (*index)->value.value("ids", json::array())) {
        if (out.size() >= limit || !id.is_string())
            break;
        auto e = co_await load(id.get<std::string>());
        if (e && *e)
            out.push_back(std::move(**e));
    }
    co_return out;
}

} // namespace ab::dialogs::escalations
