#pragma once
// The current channel signing keys and when they were fetched. Fetching is someone else's job
// (a key_source port); this class only says when to fetch and holds what was fetched.
//
// Protocol notes §2.2: keys may be cached, but new keys can appear at any time, so refresh at
// least every 24 hours, and refetch when a token names an unknown kid, rate-limited
// (botbuilder-js: once per hour; we default to once per 5 minutes).
//
// How a fetcher uses it:
//   if (cache.needs_refresh(now)) fetch and cache.update(body, now);
//   validation says errc::unknown_kid -> if (cache.may_refresh_for_unknown_kid(now))
//                                            fetch, cache.update(body, now), validate again.

#include "bot/auth/errors.hpp"
#include "bot/auth/jwks.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string_view>

namespace ab::bot::auth {

struct key_cache_options {
    std::chrono::system_clock::duration refresh_interval = std::chrono::hours(24);
    std::chrono::system_clock::duration unknown_kid_interval = std::chrono::minutes(5);
};

/// An immutable snapshot of the key set. `generation` increases with every successful update,
/// so anything derived from a snapshot can tell that the keys changed since.
struct key_snapshot {
    key_set keys;
    std::uint64_t generation = 0;
};

/// Thread safety: every member may be called from any thread, concurrently.
class signing_key_cache {
public:
    explicit signing_key_cache(key_cache_options options = {});

    /// Replaces the key set with the keys of `jwks_json` (see parse_jwks) and records `now` as
    /// the fetch time. On error (errc::malformed, errc::no_keys) the current keys stay in use
    /// and the fetch time is unchanged. Returns the number of usable keys.
    result<std::size_t> update(std::string_view jwks_json, std::chrono::system_clock::time_point now);

    /// true if no key set was ever loaded or the last successful update is refresh_interval or
    /// more before `now` (or after it: a clock that went back also asks for a refresh).
    bool needs_refresh(std::chrono::system_clock::time_point now) const;

    /// Claims the right to refetch because a token named an unknown kid: true at most once per
    /// unknown_kid_interval, counted from the last claim or the last successful update,
    /// whichever is later. The caller that gets true should fetch and call update().
    bool may_refresh_for_unknown_kid(std::chrono::system_clock::time_point now);

    /// The current keys (nullptr before the first successful update). The snapshot stays valid
    /// for as long as the caller holds it, whatever later updates do.
    std::shared_ptr<const key_snapshot> snapshot() const;

    /// Time of the last successful update.
    std::optional<std::chrono::system_clock::time_point> fetched_at() const;

private:
    const key_cache_options options_;
    mutable std::shared_mutex mutex_;
    std::shared_ptr<const key_snapshot> current_;
    std::optional<std::chrono::system_clock::time_point> fetched_at_;
    std::optional<std::chrono::system_clock::time_point> unknown_kid_claimed_at_;
    std::uint64_t generation_ = 0;
};

} // namespace ab::bot::auth
