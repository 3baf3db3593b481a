#pragma once
// Redelivered activities (the channel retries when it did not see our 200 in time) are
// recognized by conversation + activity id and acknowledged without running the turn again.
// Bounded: the oldest ids are forgotten first.
//
// Each id is kept as a 128-bit digest of (conversation, activity), not as text: 20 000 Teams ids
// as strings cost ~8 MB of heap, the digests ~0.8 MB. Two independent 64-bit hashes make a false
// "already seen" (a dropped message) about as likely as 2^-100 per pair.

#include <cstdint>
#include <deque>
#include <functional>
#include <string_view>
#include <unordered_set>

namespace ab::bot::turn {

class recent_ids {
public:
    explicit recent_ids(std::size_t capacity = 20000) : capacity_(capacity) { index_.reserve(capacity + 1); }

    /// Records the id; returns false if it was already recorded.
    bool insert(std::string_view conversation_id, std::string_view activity_id)
    {
        const digest d = digest_of(conversation_id, activity_id);
        if (!index_.insert(d).second)
            return false;
        order_.push_back(d);
        if (order_.size() > capacity_) {
            index_.erase(order_.front());
            order_.pop_front();
        }
        return true;
    }
    std::size_t size() const { return order_.size(); }

private:
    struct digest {
        std::uint64_t a = 0, b = 0;
        bool operator==(const digest&) const = default;
    };
    struct digest_hash {
        std::size_t operator()(const digest& d) const noexcept { return static_cast<std::size_t>(d.a); }
    };

    static digest digest_of(std::string_view conversation, std::string_view activity)
    {
        // FNV-1a over both parts with their lengths (so "a" + "bc" differs from "ab" + "c"), and
        // the standard library's string hash (Murmur) of each part, combined.
        std::uint64_t f = 0xcbf29ce484222325ull;
        const auto mix = [&f](std::string_view s) {
            for (unsigned char ch : s)
                f = (f ^ ch) * 0x100000001b3ull;
            for (std::size_t n = s.size(), i = 0; i < sizeof n; ++i, n >>= 8)
                f = (f ^ (n & 0xFF)) * 0x100000001b3ull;
        };
        mix(conversation);
        mix(activity);
        const std::hash<std::string_view> h;
        const std::uint64_t m = h(conversation) * 0x9e3779b97f4a7c15ull ^ h(activity);
        return {f, m};
    }

    std::size_t capacity_;
    std::deque<digest> order_;
    std::unordered_set<digest, digest_hash> index_;
};

} // namespace ab::bot::turn
