#pragma once
// The turn pipeline (house style 7.2): de-duplicate redelivered activities, run one turn at a
// time per conversation, let the handler decide what to say, then send it through the Connector
// port. An exception in a turn is logged with its correlation id and answered with a localized
// apology (the turn boundary is one of the three places exceptions stop).

#include "bot/async.hpp"
#include "bot/ports/connector.hpp"
#include "bot/schema/activity.hpp"
#include "bot/schema/invoke.hpp"
#include "bot/turn/lanes.hpp"
#include "bot/turn/recent_ids.hpp"

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ab::bot::turn {

/// What one turn produces: activities to send and, for invokes, the HTTP response body.
struct turn_context {
    const schema::activity& incoming;
    std::string correlation_id;
    std::string text; ///< incoming text with the bot's <at>mention</at> removed, trimmed
    std::vector<schema::activity> outgoing;
    /// Earlier bot activities to replace (PUT), e.g. the card whose Action.Submit button was used.
    std::vector<std::pair<std::string, schema::activity>> updates;
    std::optional<schema::invoke_response> invoke;

    void send(schema::activity a) { outgoing.push_back(std::move(a)); }
    void update(std::string activity_id, schema::activity a) { updates.emplace_back(std::move(activity_id), std::move(a)); }
};

class handler {
public:
    virtual ~handler() = default;
    virtual task<void> on_turn(turn_context& ctx) = 0;
    /// The apology sent when a turn fails, in the user's language.
    virtual std::string apology(const schema::activity& incoming) const = 0;
};

struct turn_outcome {
    enum class kind { handled, duplicate, failed } what = kind::handled;
    std::optional<schema::invoke_response> invoke; ///< set for invoke activities
    std::size_t sent = 0;                          ///< activities delivered to the Connector (incl. updates)
    std::size_t send_failures = 0;
};

class adapter {
public:
    adapter(ports::connector& connector, handler& h) : connector_(connector), handler_(h) {}

    /// Runs the turn for an authenticated, parsed activity.
    task<turn_outcome> process(schema::activity incoming);

    std::size_t busy_conversations() const { return lanes_.busy(); }

private:
    ports::connector& connector_;
    handler& handler_;
    lanes lanes_;
    recent_ids seen_;
};

/// A fresh random correlation id (16 hex digits).
std::string new_correlation_id();

} // namespace ab::bot::turn
