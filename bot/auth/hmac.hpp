#pragma once
// HMAC-SHA256 and random secrets (OpenSSL): signing card action data (dialogs), and later the
// runbook and webhook requests. Kept here so only bot_auth and adapters see OpenSSL.

#include <string>
#include <string_view>

namespace ab::bot::auth {

/// The 32-byte HMAC-SHA256 of `message` under `key` (raw bytes).
std::string hmac_sha256(std::string_view key, std::string_view message);

/// An HMAC-SHA256 key prepared once (algorithm fetched, key schedule done), for signing many
/// messages with the same secret: several times cheaper per message than hmac_sha256() under
/// OpenSSL 3, which looks the algorithm up and re-keys on every call. Thread-safe (each message
/// works on a copy of the prepared state).
class hmac_sha256_key {
public:
    explicit hmac_sha256_key(std::string_view key); ///< throws std::runtime_error if OpenSSL fails
    ~hmac_sha256_key();
    hmac_sha256_key(hmac_sha256_key&& other) noexcept;
    hmac_sha256_key& operator=(hmac_sha256_key&& other) noexcept;
    hmac_sha256_key(const hmac_sha256_key&) = delete;
    hmac_sha256_key& operator=(const hmac_sha256_key&) = delete;

    /// The same 32 bytes as hmac_sha256(key, message).
    std::string sign(std::string_view message) const;

private:
    void* ctx_ = nullptr; ///< EVP_MAC_CTX, keyed
};

/// Compares two byte strings in time that depends only on their lengths.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

/// `n` bytes from OpenSSL's CSPRNG. Throws std::runtime_error if it fails.
std::string random_bytes(std::size_t n);

} // namespace ab::bot::auth
