#pragma once
// HMAC-SHA256 and random secrets (OpenSSL): signing card action data (dialogs), and later the
// runbook and webhook requests. Kept here so only bot_auth and adapters see OpenSSL.

#include <string>
#include <string_view>

namespace ab::bot::auth {

/// The 32-byte HMAC-SHA256 of `message` under `key` (raw bytes).
std::string hmac_sha256(std::string_view key, std::string_view message);

/// Compares two byte strings in time that depends only on their lengths.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

/// `n` bytes from OpenSSL's CSPRNG. Throws std::runtime_error if it fails.
std::string random_bytes(std::size_t n);

} // namespace ab::bot::auth
