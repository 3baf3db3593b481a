#pragma once
// Logging facade (house style 7.10): one JSON object per line on stdout (or a test sink), a
// level, a stable event name and key=value fields. Log at boundaries only. Never log tokens,
// secrets or Authorization headers; user text only at debug level, truncated.

#include <nlohmann/json.hpp>

#include <exception>
#include <functional>
#include <string>
#include <string_view>

namespace ab::log {

enum class level { debug, info, warn, error };

using fields = nlohmann::json; ///< an object of key → value

/// Writes one line. Thread-safe.
void write(level l, std::string_view event, const fields& f = fields::object());

inline void debug(std::string_view event, const fields& f = fields::object()) { write(level::debug, event, f); }
inline void info(std::string_view event, const fields& f = fields::object()) { write(level::info, event, f); }
inline void warn(std::string_view event, const fields& f = fields::object()) { write(level::warn, event, f); }
inline void error(std::string_view event, const fields& f = fields::object()) { write(level::error, event, f); }

/// Lines below this level are dropped (default info; AB_LOG_LEVEL=debug|info|warn|error).
void set_min_level(level l);
level min_level();

/// Replaces the output (tests capture lines); nullptr restores stdout.
void set_sink(std::function<void(const std::string& line)> sink);

/// What an exception_ptr holds, for the error line logged at an exception boundary
/// ("non-standard exception" when it is not a std::exception; "" for a null pointer).
std::string describe(std::exception_ptr e);

/// User text for a debug line: truncated to `max` bytes on a UTF-8 boundary.
std::string redact_text(std::string_view text, std::size_t max = 80);

} // namespace ab::log
