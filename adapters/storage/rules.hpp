#pragma once
// The rules every storage backend applies identically (memory, SQLite, later PostgreSQL), so that
// a test against memory_storage means the same thing as one against the real database:
// key and size limits, the JSON text a value is stored as, and the recorded_at format.

#include "bot/ports/storage.hpp"

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace ab::adapters::storage {

namespace ports = ab::bot::ports;

/// Where recorded_at comes from (the system clock unless a test injects one).
using wall_clock = std::function<std::chrono::system_clock::time_point()>;

/// storage_errc::bad_key for an empty key or one above ports::max_key_bytes; success otherwise.
/// Any other bytes are allowed (UTF-8, embedded NUL); keys compare byte for byte. A record kind
/// follows the same rule; an idempotency key may be empty but not above max_key_bytes.
boost::system::error_code check_key(std::string_view key) noexcept;

/// The JSON text a value is stored as (compact), or storage_errc::too_large above
/// ports::max_value_bytes. Throws nlohmann::json::type_error for a string that is not UTF-8
/// (a bug in the caller: every value we store came from parsed JSON or our own code).
boost::system::result<std::string> encode_value(const nlohmann::json& value);

/// The value back from its stored text; storage_errc::corrupt when it is not JSON.
boost::system::result<nlohmann::json> decode_value(std::string_view text);

/// ISO-8601 UTC with milliseconds: "2023-11-14T22:13:20.123Z".
std::string format_recorded_at(std::chrono::system_clock::time_point t);

} // namespace ab::adapters::storage
