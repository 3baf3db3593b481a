#include "bot/turn/adapter.hpp"

#include "bot/log.hpp"
#include "bot/schema/mention.hpp"
#include "bot/schema/reply.hpp"

#include <chrono>
#include <random>

namespace ab::bot::turn {

std::string new_correlation_id()
{
    thread_local std::mt19937_64 rng{std::random_device{}()};
    static constexpr char hex[] = "0123456789abcdef";
    std::uint64_t v = rng();
    std::string s(16, '0');
    for (int i = 15; i >= 0; --i, v >>= 4)
        s[static_cast<std::size_t>(i)] = hex[v & 0xF];
    return s;
}

task<turn_outcome> adapter::process(schema::activity incoming)
{
    turn_outcome out;
    const auto t0 = std::chrono::steady_clock::now();
    // Redelivery: the channel retries an activity whose 200 it did not see; the retry is the same
    // activity (same id, same timestamp). Acknowledge it and do nothing.
    if (!incoming.id.empty() && !seen_.insert(incoming.conversation.id, incoming.id + '\x1f' + incoming.timestamp)) {
        out.what = turn_outcome::kind::duplicate;
        log::info("turn.duplicate", {{"conversation_id", incoming.conversation.id}, {"activity_id", incoming.id}});
        if (incoming.type == schema::activity_types::invoke)
            out.invoke = schema::invoke_response{200, nullptr};
        co_return out;
    }

    const std::string conversation = incoming.conversation.id;
    co_await lanes_.acquire(conversation);
    lane_guard guard(lanes_, conversation);

    turn_context ctx{incoming, new_correlation_id(), schema::strip_mention(incoming, incoming.recipient.id), {}, {}, {}};
    bool failed = false;
    try {
        co_await handler_.on_turn(ctx);
    } catch (const std::exception& e) {
        failed = true;
        log::error("turn.failed", {{"error_id", "turn.handler_exception"}, {"correlation_id", ctx.correlation_id},
                                   {"conversation_id", conversation}, {"activity_id", incoming.id}, {"what", e.what()}});
    }
    if (failed) {
        ctx.outgoing.clear();
        ctx.updates.clear();
        out.what = turn_outcome::kind::failed;
        ctx.outgoing.push_back(schema::make_reply(incoming, handler_.apology(incoming)));
        if (incoming.type == schema::activity_types::invoke)
            ctx.invoke = schema::invoke_response{500, nullptr};
    }
    for (auto& a : ctx.outgoing) {
        auto sent = co_await connector_.reply(incoming, std::move(a));
        if (sent) {
            ++out.sent;
        } else {
            ++out.send_failures;
            log::error("connector.send.failed", {{"error_id", "turn.reply_failed"}, {"correlation_id", ctx.correlation_id},
                                                 {"conversation_id", conversation}, {"error", sent.error().message()}});
        }
    }
    for (auto& [id, a] : ctx.updates) {
        auto done = co_await connector_.update(schema::reference_of(incoming), id, std::move(a));
        if (done) {
            ++out.sent;
        } else {
            // The card stays as it was; the turn's own reply still says what happened.
            ++out.send_failures;
            log::warn("connector.update.failed", {{"error_id", "turn.update_failed"}, {"correlation_id", ctx.correlation_id},
                                                  {"conversation_id", conversation}, {"error", done.error().message()}});
        }
    }
    out.invoke = std::move(ctx.invoke);
    if (incoming.type == schema::activity_types::invoke && !out.invoke)
        out.invoke = schema::invoke_response{200, nullptr};
    // A turn that went well is a debug line (counted in /metrics); one that did not is a warning.
    const auto lvl = out.what == turn_outcome::kind::handled && out.send_failures == 0 ? log::level::debug : log::level::warn;
    if (lvl >= log::min_level())
        log::write(lvl, "turn.done", {{"correlation_id", ctx.correlation_id},
                            {"conversation_id", conversation},
                            {"activity_id", incoming.id},
                            {"type", incoming.type},
                            {"locale", incoming.locale},
                            {"sent", out.sent},
                                      {"ms", std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count()}});
    co_return out;
}

} // namespace ab::bot::turn
