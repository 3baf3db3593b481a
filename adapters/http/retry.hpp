#pragma once
// Retry policy pieces, pure functions so they are unit-tested without a network: which statuses
// are retried, the Retry-After header (RFC 9110 §10.2.3) and jittered exponential backoff.
// Teams: retry 412, 429, 502, 503, 504; on 429 wait for Retry-After, else back off with jitter
// (bot-framework-protocol.md §6, https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit).

#include <chrono>
#include <optional>
#include <string_view>

namespace ab::adapters::http {

/// 412, 429, 502, 503 and 504.
bool retryable_status(unsigned status) noexcept;

/// An HTTP-date in any of the three forms recipients must accept (RFC 9110 §5.6.7):
/// IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT` (two-digit
/// year: at most 50 years after `now`) and asctime `Sun Nov  6 08:49:37 1994`. nullopt otherwise.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text,
                                                                     std::chrono::system_clock::time_point now);

/// Retry-After: delta-seconds (`120`; values above max_retry_after saturate there)
/// or an HTTP-date (the wait is date - now, 0 if it is in the past). Surrounding spaces are
/// ignored. nullopt for anything else (empty, negative, fractional, trailing garbage): the caller
/// then falls back to its own backoff.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now);

/// Largest wait parse_retry_after reports (longer values saturate; callers cap much lower).
inline constexpr std::chrono::seconds max_retry_after{24 * 3600};

/// Backoff before retry number `retry` (1 = first retry): base * 2^(retry-1), capped at `max`,
/// then scaled by `jitter` in [0.8, 1.2] and capped at `max` again.
std::chrono::milliseconds backoff_delay(int retry, std::chrono::milliseconds base, std::chrono::milliseconds max,
                                        double jitter) noexcept;

} // namespace ab::adapters::http
