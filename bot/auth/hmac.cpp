#include "bot/auth/hmac.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <stdexcept>
#include <utility>

namespace ab::bot::auth {

std::string hmac_sha256(std::string_view key, std::string_view message)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    // An empty key is a valid HMAC key; OpenSSL wants a non-null pointer for it.
    static const unsigned char empty = 0;
    const auto* k = key.empty() ? &empty : reinterpret_cast<const unsigned char*>(key.data());
    const auto* m = message.empty() ? &empty : reinterpret_cast<const unsigned char*>(message.data());
    if (!HMAC(EVP_sha256(), k, static_cast<int>(key.size()), m, message.size(), out, &len))
        throw std::runtime_error("[auth.hmac_failed] HMAC-SHA256 failed");
    return std::string(reinterpret_cast<const char*>(out), len);
}

namespace {

EVP_MAC_CTX* as_ctx(void* p)
{
    return static_cast<EVP_MAC_CTX*>(p);
}

} // namespace

hmac_sha256_key::hmac_sha256_key(std::string_view key)
{
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    EVP_MAC_CTX* ctx = mac ? EVP_MAC_CTX_new(mac) : nullptr;
    EVP_MAC_free(mac); // the context keeps its own reference
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
    static const unsigned char empty = 0;
    const auto* k = key.empty() ? &empty : reinterpret_cast<const unsigned char*>(key.data());
    if (!ctx || EVP_MAC_init(ctx, k, key.size(), params) != 1) {
        EVP_MAC_CTX_free(ctx);
        throw std::runtime_error("[auth.hmac_failed] could not prepare the HMAC-SHA256 key");
    }
    ctx_ = ctx;
}

hmac_sha256_key::~hmac_sha256_key()
{
    EVP_MAC_CTX_free(as_ctx(ctx_));
}

hmac_sha256_key::hmac_sha256_key(hmac_sha256_key&& other) noexcept : ctx_(std::exchange(other.ctx_, nullptr)) {}

hmac_sha256_key& hmac_sha256_key::operator=(hmac_sha256_key&& other) noexcept
{
    if (this != &other) {
        EVP_MAC_CTX_free(as_ctx(ctx_));
        ctx_ = std::exchange(other.ctx_, nullptr);
    }
    return *this;
}

std::string hmac_sha256_key::sign(std::string_view message) const
{
    if (!ctx_)
        throw std::runtime_error("[auth.hmac_failed] HMAC key used after it was moved from");
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(as_ctx(ctx_));
    unsigned char out[EVP_MAX_MD_SIZE];
    std::size_t len = 0;
    const bool ok = ctx && EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1 &&
                    EVP_MAC_final(ctx, out, &len, sizeof out) == 1;
    EVP_MAC_CTX_free(ctx);
    if (!ok)
        throw std::runtime_error("[auth.hmac_failed] HMAC-SHA256 failed");
    return std::string(reinterpret_cast<const char*>(out), len);
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size())
        return false;
    return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_bytes(std::size_t n)
{
    std::string out(n, '\0');
    if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
        throw std::runtime_error("[auth.random_failed] the system random generator failed");
    return out;
}

} // namespace ab::bot::auth
