#pragma once
// The escalation service: creates escalations and moves them through their states; every change
// is saved together with one outbox delivery per configured sink (webhook, ServiceNow, the Teams
// helpdesk channel) and, for changes the user did not make, one "teams-user" delivery that tells
// the user proactively. Nothing here talks to a network: the outbox worker does.

#include "bot/async.hpp"
#include "bot/ports/helpdesk.hpp"
#include "bot/ports/outbox.hpp"
#include "bot/ports/storage.hpp"
#include "dialogs/escalations/escalation.hpp"

#include <boost/system/result.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace ab::dialogs::escalations {

/// The sink that notifies the user in their own conversation (dialogs/escalations/user_sink).
inline constexpr std::string_view user_sink_name = "teams-user";

struct service_options {
    std::vector<std::string> sinks; ///< configured helpdesk sinks by name ("webhook", "servicenow", ...)
    std::function<std::chrono::system_clock::time_point()> clock = [] { return std::chrono::system_clock::now(); };
    std::size_t max_per_user = 50;  ///< escalation ids kept in a user's index (the newest)
};

class escalation_service {
public:
    escalation_service(bot::ports::state_store& states, bot::ports::outbox& box, service_options opt);

    /// Creates `e` (its id chosen by the caller: the same id twice creates one escalation).
    /// `created` is false when it existed already; the stored one is returned either way.
    task<boost::system::result<escalation>> create(escalation e, bool& created);

    /// Moves escalation `id` to `to` (or, with to == current and event "replied", adds a reply).
    /// `by_user` = the user did it (then the user is not notified). Fails with conflict when the
    /// move is not allowed from the current state.
    task<boost::system::result<escalation>> change(std::string id, status to, std::string event, std::string actor, std::string text,
                                                   bool by_user);

    /// A ticket number from a sink (e.g. ServiceNow INC…): stored, and the user is told. Without a
    /// number (the helpdesk channel's thread id) it is only stored, for later updates.
    task<boost::system::result<escalation>> add_ticket(std::string id, ticket t);

    task<boost::system::result<std::optional<escalation>>> load(std::string id);

    /// The user's escalations, newest first.
    task<boost::system::result<std::vector<escalation>>> of_user(const bot::schema::activity& a, std::size_t limit = 10);

    /// The outbox payload of an event on `e` (an escalation_event as JSON).
    nlohmann::json event_payload(const escalation& e, const std::string& delivery_id, const std::string& event, const std::string& actor,
                                 const std::string& text) const;

    const std::vector<std::string>& sinks() const { return opt_.sinks; }

private:
    /// A stored escalation and the version it was read at, for a change saved with must_equal.
    struct versioned {
        escalation e;
        std::string etag;
    };
    /// Missing → storage_errc::bad_key; unreadable → storage_errc::corrupt.
    task<boost::system::result<versioned>> load_for_update(const std::string& id);
    task<boost::system::result<escalation>> save_event(escalation e, bot::ports::etag_match expected, std::string event, std::string actor,
                                                       std::string text, bool notify_user);
    std::string now_iso() const;
    std::int64_t now_ms() const;

    bot::ports::state_store& states_;
    bot::ports::outbox& box_;
    service_options opt_;
};

} // namespace ab::dialogs::escalations
