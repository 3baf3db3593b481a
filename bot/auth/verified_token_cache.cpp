#include "bot/auth/verified_token_cache.hpp"

#include <algorithm>

namespace ab::bot::auth {

verified_token_cache::verified_token_cache(std::size_t capacity) : capacity_(capacity)
{
    index_.reserve(std::min<std::size_t>(capacity, 1024));
}

std::shared_ptr<const verified_claims> verified_token_cache::find(std::string_view token,
                                                                  std::chrono::system_clock::time_point now)
{
    const std::lock_guard lock(mutex_);
    const auto it = index_.find(token);
    if (it == index_.end()) {
        misses_.fetch_add(1, std::memory_order_relaxed);
        return nullptr;
    }
    const auto pos = it->second;
    if (now >= pos->expires_at) {
        index_.erase(it);
        lru_.erase(pos);
        misses_.fetch_add(1, std::memory_order_relaxed);
        return nullptr;
    }
    lru_.splice(lru_.begin(), lru_, pos);
    hits_.fetch_add(1, std::memory_order_relaxed);
    return pos->claims;
}

void verified_token_cache::insert(std::string_view token, std::shared_ptr<const verified_claims> claims,
                                  std::chrono::system_clock::time_point expires_at)
{
    if (capacity_ == 0 || !claims)
        return;
    const std::lock_guard lock(mutex_);
    if (const auto it = index_.find(token); it != index_.end()) {
        it->second->claims = std::move(claims);
        it->second->expires_at = expires_at;
        lru_.splice(lru_.begin(), lru_, it->second);
        return;
    }
    while (lru_.size() >= capacity_) {
        index_.erase(std::string_view(lru_.back().token));
        lru_.pop_back();
    }
    lru_.push_front(entry{std::string(token), std::move(claims), expires_at});
    index_.emplace(std::string_view(lru_.front().token), lru_.begin());
}

void verified_token_cache::clear()
{
    const std::lock_guard lock(mutex_);
    index_.clear();
    lru_.clear();
}

std::size_t verified_token_cache::size() const
{
    const std::lock_guard lock(mutex_);
    return lru_.size();
}

} // namespace ab::bot::auth
