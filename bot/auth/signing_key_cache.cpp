#include "bot/auth/signing_key_cache.hpp"

#include <mutex>

namespace ab::bot::auth {

signing_key_cache::signing_key_cache(key_cache_options options) : options_(options) {}

result<std::size_t> signing_key_cache::update(std::string_view jwks_json, std::chrono::system_clock::time_point now)
{
    // Parse (and build the OpenSSL keys) outside the lock: readers are never blocked by it.
    auto parsed = parse_jwks(jwks_json);
    if (!parsed)
        return parsed.error();
    const std::size_t count = parsed->keys.size();
    auto next = std::make_shared<key_snapshot>();
    next->keys = std::move(*parsed);

    const std::unique_lock lock(mutex_);
    next->generation = ++generation_;
    current_ = std::move(next);
    fetched_at_ = now;
    return count;
}

bool signing_key_cache::needs_refresh(std::chrono::system_clock::time_point now) const
{
    const std::shared_lock lock(mutex_);
    if (!current_ || !fetched_at_)
        return true;
    return now < *fetched_at_ || now - *fetched_at_ >= options_.refresh_interval;
}

bool signing_key_cache::may_refresh_for_unknown_kid(std::chrono::system_clock::time_point now)
{
    const std::unique_lock lock(mutex_);
    std::optional<std::chrono::system_clock::time_point> last = fetched_at_;
    if (unknown_kid_claimed_at_ && (!last || *unknown_kid_claimed_at_ > *last))
        last = unknown_kid_claimed_at_;
    if (last && now >= *last && now - *last < options_.unknown_kid_interval)
        return false;
    unknown_kid_claimed_at_ = now;
    return true;
}

std::shared_ptr<const key_snapshot> signing_key_cache::snapshot() const
{
    const std::shared_lock lock(mutex_);
    return current_;
}

std::optional<std::chrono::system_clock::time_point> signing_key_cache::fetched_at() const
{
    const std::shared_lock lock(mutex_);
    return fetched_at_;
}

} // namespace ab::bot::auth
