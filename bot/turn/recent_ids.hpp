#pragma once
// Redelivered activities (the channel retries when it did not see our 200 in time) are
// recognized by conversation + activity id and acknowledged without running the turn again.
// Bounded: the oldest ids are forgotten first.

#include <list>
#include <string>
#include <unordered_map>

namespace ab::bot::turn {

class recent_ids {
public:
    explicit recent_ids(std::size_t capacity = 20000) : capacity_(capacity) {}

    /// Records the id; returns false if it was already recorded.
    bool insert(const std::string& conversation_id, const std::string& activity_id)
    {
        std::string key = conversation_id + '\x1f' + activity_id;
        if (index_.contains(key))
            return false;
        order_.push_back(key);
        index_.emplace(std::move(key), std::prev(order_.end()));
        if (order_.size() > capacity_) {
            index_.erase(order_.front());
            order_.pop_front();
        }
        return true;
    }
    std::size_t size() const { return order_.size(); }

private:
    std::size_t capacity_;
    std::list<std::string> order_;
    std::unordered_map<std::string, std::list<std::string>::iterator> index_;
};

} // namespace ab::bot::turn
