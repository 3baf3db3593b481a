#pragma once
// An RSA public key for JWS verification (RSASSA-PKCS1-v1_5, RFC 7518 §3.3). OpenSSL stays in
// rsa_key.cpp: no OpenSSL type appears in a header of this module.

#include "bot/auth/jwt.hpp"

#include <memory>
#include <optional>
#include <string_view>

namespace ab::bot::auth {

/// Keys outside this range are refused when a JWKS is loaded.
inline constexpr int min_rsa_bits = 2048;
inline constexpr int max_rsa_bits = 8192;

class rsa_public_key {
public:
    /// Builds a key from the big-endian unsigned modulus and public exponent (the decoded JWK
    /// "n" and "e") with the OpenSSL 3 EVP_PKEY_fromdata API. nullopt if OpenSSL rejects the
    /// components or the modulus has fewer than min_rsa_bits or more than max_rsa_bits bits.
    static std::optional<rsa_public_key> from_components(std::string_view modulus, std::string_view exponent);

    /// true iff `signature` is a valid PKCS#1 v1.5 signature of `message` with the digest of
    /// `alg`. Never throws; clears the OpenSSL error queue of the calling thread.
    /// Thread safety: concurrent calls on the same key are safe.
    bool verify(jwt_alg alg, std::string_view message, std::string_view signature) const noexcept;

    /// Size of the modulus in bits.
    int bits() const noexcept;

private:
    struct handle;
    explicit rsa_public_key(std::shared_ptr<const handle> h) : h_(std::move(h)) {}
    std::shared_ptr<const handle> h_; // shared: copies of a key set share the OpenSSL object
};

} // namespace ab::bot::auth
