#include "bot/auth/hmac.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

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
