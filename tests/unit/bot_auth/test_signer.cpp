#include "tests/unit/bot_auth/test_signer.hpp"

#include "bot/auth/base64url.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>

namespace ab::bot::auth::testing {

struct test_key::impl {
    EVP_PKEY* pkey = nullptr;
    impl() = default;
    impl(const impl&) = delete;
    impl& operator=(const impl&) = delete;
    ~impl() { EVP_PKEY_free(pkey); }
};

namespace {

[[noreturn]] void fail(const char* what)
{
    ERR_clear_error();
    throw std::runtime_error(std::string("[test_signer] ") + what);
}

std::string bio_text(BIO* bio)
{
    char* data = nullptr;
    const long n = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &data); // BIO_get_mem_data without its C cast
    return std::string(data, static_cast<std::size_t>(n));
}

std::string bn_param(EVP_PKEY* pkey, const char* name)
{
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1)
        fail("EVP_PKEY_get_bn_param");
    std::string out(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
    BN_free(bn);
    return out;
}

const char* digest_name(jwt_alg alg)
{
    switch (alg) {
    case jwt_alg::rs256: return "SHA256";
    case jwt_alg::rs384: return "SHA384";
    case jwt_alg::rs512: return "SHA512";
    }
    return "SHA256";
}

std::filesystem::path key_dir()
{
#ifdef AB_TEST_KEY_DIR
    return AB_TEST_KEY_DIR;
#else
    return {};
#endif
}

EVP_PKEY* load_pem(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return nullptr;
    std::ostringstream ss;
    ss << in.rdbuf();
    const std::string pem = ss.str();
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    EVP_PKEY* pkey = bio ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr) : nullptr;
    BIO_free(bio);
    ERR_clear_error();
    return pkey;
}

void store_pem(EVP_PKEY* pkey, const std::filesystem::path& file)
{
    BIO* bio = BIO_new(BIO_s_mem());
    if (!bio || PEM_write_bio_PrivateKey(bio, pkey, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        BIO_free(bio);
        fail("PEM_write_bio_PrivateKey");
    }
    const std::string pem = bio_text(bio);
    BIO_free(bio);
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    // Write then rename, so that a parallel test process never reads half a key.
    std::random_device rd;
    const auto tmp = file.string() + ".tmp" + std::to_string(rd());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << pem;
        if (!out)
            return; // the cache is an optimisation only
    }
    std::filesystem::rename(tmp, file, ec);
    if (ec)
        std::filesystem::remove(tmp, ec);
}

} // namespace

test_key test_key::generate(int bits)
{
    auto p = std::make_shared<impl>();
    p->pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits));
    if (!p->pkey)
        fail("EVP_PKEY_Q_keygen");
    return test_key(std::move(p));
}

const test_key& test_key::get(const std::string& name, int bits)
{
    static std::mutex mutex;
    static std::map<std::string, test_key> keys;
    const std::lock_guard lock(mutex);
    if (const auto it = keys.find(name); it != keys.end())
        return it->second;
    const auto dir = key_dir();
    const auto file = dir.empty() ? std::filesystem::path() : dir / (name + "-" + std::to_string(bits) + ".pem");
    if (!file.empty()) {
        if (EVP_PKEY* pkey = load_pem(file)) {
            auto p = std::make_shared<impl>();
            p->pkey = pkey;
            return keys.emplace(name, test_key(std::move(p))).first->second;
        }
    }
    test_key k = generate(bits);
    if (!file.empty())
        store_pem(k.p_->pkey, file);
    return keys.emplace(name, std::move(k)).first->second;
}

nlohmann::json test_key::jwk(const std::string& kid, const std::vector<std::string>& endorsements,
                             bool with_endorsements) const
{
    nlohmann::json j = {{"kty", "RSA"}, {"use", "sig"}, {"kid", kid},
                        {"n", base64url_encode(modulus())}, {"e", base64url_encode(exponent())}};
    if (with_endorsements)
        j["endorsements"] = endorsements;
    return j;
}

std::string test_key::modulus() const
{
    return bn_param(p_->pkey, OSSL_PKEY_PARAM_RSA_N);
}

std::string test_key::exponent() const
{
    return bn_param(p_->pkey, OSSL_PKEY_PARAM_RSA_E);
}

std::string test_key::sign(jwt_alg alg, std::string_view input) const
{
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    std::size_t len = 0;
    std::string sig;
    const auto* in = reinterpret_cast<const unsigned char*>(input.data());
    bool ok = ctx && EVP_DigestSignInit_ex(ctx, nullptr, digest_name(alg), nullptr, nullptr, p_->pkey, nullptr) == 1 &&
              EVP_DigestSign(ctx, nullptr, &len, in, input.size()) == 1;
    if (ok) {
        sig.resize(len);
        ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, in, input.size()) == 1;
        sig.resize(len);
    }
    EVP_MD_CTX_free(ctx);
    if (!ok)
        fail("EVP_DigestSign");
    return sig;
}

std::string test_key::public_pem() const
{
    BIO* bio = BIO_new(BIO_s_mem());
    if (!bio || PEM_write_bio_PUBKEY(bio, p_->pkey) != 1) {
        BIO_free(bio);
        fail("PEM_write_bio_PUBKEY");
    }
    std::string pem = bio_text(bio);
    BIO_free(bio);
    return pem;
}

std::string jwks_text(const std::vector<nlohmann::json>& jwks)
{
    return nlohmann::json{{"keys", jwks}}.dump();
}

std::string assemble_token(const nlohmann::json& header, const nlohmann::json& claims, std::string_view signature)
{
    return base64url_encode(header.dump()) + "." + base64url_encode(claims.dump()) + "." + base64url_encode(signature);
}

std::string sign_token(const nlohmann::json& header, const nlohmann::json& claims, const test_key& key, jwt_alg alg)
{
    const std::string input = base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());
    return input + "." + base64url_encode(key.sign(alg, input));
}

std::string hmac_token(const nlohmann::json& header, const nlohmann::json& claims, std::string_view secret)
{
    const std::string input = base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());
    unsigned char mac[EVP_MAX_MD_SIZE];
    std::size_t len = 0;
    if (!EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
                   reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, sizeof mac, &len))
        fail("EVP_Q_mac");
    return input + "." + base64url_encode(std::string_view(reinterpret_cast<const char*>(mac), len));
}

nlohmann::json valid_claims()
{
    return {{"iss", issuer}, {"aud", app_id}, {"serviceurl", service_url}, {"nbf", t0 - 300}, {"exp", t0 + 3600}};
}

nlohmann::json header_for(std::string_view kid, std::string_view alg)
{
    return {{"alg", alg}, {"typ", "JWT"}, {"kid", kid}};
}

} // namespace ab::bot::auth::testing
