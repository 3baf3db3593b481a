#pragma once
// Test-side token minting: RSA key pairs made at runtime with OpenSSL, their JWKS, and JWTs
// signed RS256/RS384/RS512 (or HS256, or not at all) over any header and claims we like.
// No private key is committed. Generated keys are kept in the build tree (AB_TEST_KEY_DIR) so
// that the one-process-per-test ctest run does not pay for RSA key generation every time.

#include "bot/auth/jwt.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ab::bot::auth::testing {

class test_key {
public:
    /// The key named `name`: loaded from AB_TEST_KEY_DIR if it was generated before, else a fresh
    /// RSA key of `bits` bits (then stored there). Keys are cached per process too.
    static const test_key& get(const std::string& name, int bits = 2048);
    /// A fresh key, never cached.
    static test_key generate(int bits = 2048);

    /// The public JWK: kty, use, kid, n, e, x5t-less; endorsements only if `with_endorsements`.
    nlohmann::json jwk(const std::string& kid, const std::vector<std::string>& endorsements,
                       bool with_endorsements = true) const;
    /// Raw signature of `input` (PKCS#1 v1.5 with the digest of `alg`).
    std::string sign(jwt_alg alg, std::string_view input) const;
    /// SubjectPublicKeyInfo PEM of the public half (the HS256 confusion "secret").
    std::string public_pem() const;
    std::string modulus() const;  ///< big-endian bytes
    std::string exponent() const; ///< big-endian bytes

private:
    struct impl;
    explicit test_key(std::shared_ptr<impl> p) : p_(std::move(p)) {}
    std::shared_ptr<impl> p_;
};

/// {"keys": [jwks...]} as text.
std::string jwks_text(const std::vector<nlohmann::json>& jwks);

/// base64url(header).base64url(claims).base64url(signature), signature made by `key` over the
/// first two parts with `alg`.
std::string sign_token(const nlohmann::json& header, const nlohmann::json& claims, const test_key& key,
                       jwt_alg alg = jwt_alg::rs256);
/// The same with an arbitrary signature (e.g. empty for alg "none").
std::string assemble_token(const nlohmann::json& header, const nlohmann::json& claims, std::string_view signature);
/// HMAC-SHA256 over the signing input, keyed with `secret`, header alg as given.
std::string hmac_token(const nlohmann::json& header, const nlohmann::json& claims, std::string_view secret);

// --- a standard scene -------------------------------------------------------------------------

inline constexpr std::int64_t t0 = 1'750'000'000; ///< "now" of every test
inline const std::chrono::system_clock::time_point now{std::chrono::seconds(t0)};
inline constexpr std::string_view app_id = "00000000-0000-0000-0000-00000000b07e";
inline constexpr std::string_view service_url = "https://127.0.0.1:39381/amer/";
inline constexpr std::string_view issuer = "https://api.botframework.com";

/// Claims of a valid channel token at t0 (nbf t0-300, exp t0+3600).
nlohmann::json valid_claims();
/// {"alg": alg, "typ": "JWT", "kid": kid}
nlohmann::json header_for(std::string_view kid, std::string_view alg = "RS256");

} // namespace ab::bot::auth::testing
