#pragma once
// One turn at a time per conversation, conversations concurrently (house style 7.2 rule 10).
// Single-threaded by design: all coroutines run on the one I/O thread, so no locks are needed.

#include "bot/async.hpp"

#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <memory>
#include <string>
#include <unordered_map>

namespace ab::bot::turn {

class lanes {
public:
    /// Waits until no other turn of `conversation_id` runs, then holds the lane until release().
    task<void> acquire(std::string conversation_id);
    void release(const std::string& conversation_id);
    /// Conversations with a turn running or waiting.
    std::size_t busy() const { return lanes_.size(); }

private:
    struct lane {
        std::deque<std::shared_ptr<net::steady_timer>> waiting;
    };
    std::unordered_map<std::string, lane> lanes_;
};

/// Holds a lane for a scope.
class lane_guard {
public:
    lane_guard(lanes& l, std::string id) : lanes_(&l), id_(std::move(id)) {}
    ~lane_guard() { lanes_->release(id_); }
    lane_guard(const lane_guard&) = delete;
    lane_guard& operator=(const lane_guard&) = delete;

private:
    lanes* lanes_;
    std::string id_;
};

} // namespace ab::bot::turn
