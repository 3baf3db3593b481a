#pragma once
// Tokens that passed verify_token(), keyed by the whole token string, kept until their exp (plus
// skew) and bounded in number (least recently used goes first). Teams reuses one token for many
// requests, so this saves an RSA verification and two JSON parses per request.
//
// An entry only vouches for the token itself. The per-request rules (lifetime, endorsement of
// the activity's channelId, serviceurl == activity.serviceUrl) must still run on every use; see
// check_binding(). The cache never makes a token valid for another serviceUrl.

#include "bot/auth/rules.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ab::bot::auth {

/// Thread safety: every member may be called from any thread, concurrently.
class verified_token_cache {
public:
    explicit verified_token_cache(std::size_t capacity = 10000);
    verified_token_cache(const verified_token_cache&) = delete;
    verified_token_cache& operator=(const verified_token_cache&) = delete;

    /// The claims stored for `token`, or nullptr if there are none or they expired at `now`
    /// (an expired entry is dropped). Counts a hit or a miss.
    std::shared_ptr<const verified_claims> find(std::string_view token, std::chrono::system_clock::time_point now);

    /// Stores (or replaces) `claims` for `token` until `expires_at`, evicting the least recently
    /// used entry when full. No-op if the capacity is 0.
    void insert(std::string_view token, std::shared_ptr<const verified_claims> claims,
                std::chrono::system_clock::time_point expires_at);

    void clear();
    std::size_t size() const;
    std::size_t capacity() const noexcept { return capacity_; }
    std::uint64_t hits() const noexcept { return hits_.load(std::memory_order_relaxed); }
    std::uint64_t misses() const noexcept { return misses_.load(std::memory_order_relaxed); }

private:
    struct entry {
        std::string token;
        std::shared_ptr<const verified_claims> claims;
        std::chrono::system_clock::time_point expires_at;
    };
    using lru_list = std::list<entry>; // front = most recently used

    const std::size_t capacity_;
    mutable std::mutex mutex_;
    lru_list lru_;
    std::unordered_map<std::string_view, lru_list::iterator> index_; // keys view entry::token
    std::atomic<std::uint64_t> hits_{0};
    std::atomic<std::uint64_t> misses_{0};
};

} // namespace ab::bot::auth
