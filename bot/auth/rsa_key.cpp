#include "bot/auth/rsa_key.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

namespace ab::bot::auth {

struct rsa_public_key::handle {
    EVP_PKEY* pkey = nullptr;
    int bits = 0;
    handle() = default;
    handle(const handle&) = delete;
    handle& operator=(const handle&) = delete;
    ~handle() { EVP_PKEY_free(pkey); }
};

namespace {

struct bn_deleter {
    void operator()(BIGNUM* p) const noexcept { BN_free(p); }
};
struct param_bld_deleter {
    void operator()(OSSL_PARAM_BLD* p) const noexcept { OSSL_PARAM_BLD_free(p); }
};
struct params_deleter {
    void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
};
struct pkey_ctx_deleter {
    void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
};
struct md_ctx_deleter {
    void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};

using bn_ptr = std::unique_ptr<BIGNUM, bn_deleter>;
using pkey_ctx_ptr = std::unique_ptr<EVP_PKEY_CTX, pkey_ctx_deleter>;

bn_ptr to_bn(std::string_view bytes)
{
    return bn_ptr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()), nullptr));
}

// Fetched once per process: an implicit fetch (EVP_sha256()) per verification costs a lookup.
const EVP_MD* digest_of(jwt_alg alg) noexcept
{
    static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
    static EVP_MD* const sha384 = EVP_MD_fetch(nullptr, "SHA2-384", nullptr);
    static EVP_MD* const sha512 = EVP_MD_fetch(nullptr, "SHA2-512", nullptr);
    switch (alg) {
    case jwt_alg::rs256: return sha256;
    case jwt_alg::rs384: return sha384;
    case jwt_alg::rs512: return sha512;
    }
    return nullptr;
}

} // namespace

std::optional<rsa_public_key> rsa_public_key::from_components(std::string_view modulus, std::string_view exponent)
{
    // Bound the input before handing it to OpenSSL (a leading zero byte is allowed).
    if (modulus.empty() || exponent.empty() || modulus.size() > max_rsa_bits / 8 + 1 || exponent.size() > 64)
        return std::nullopt;
    const bn_ptr n = to_bn(modulus);
    const bn_ptr e = to_bn(exponent);
    if (!n || !e)
        return std::nullopt;
    const int bits = BN_num_bits(n.get());
    if (bits < min_rsa_bits || bits > max_rsa_bits) {
        ERR_clear_error();
        return std::nullopt;
    }

    const std::unique_ptr<OSSL_PARAM_BLD, param_bld_deleter> bld(OSSL_PARAM_BLD_new());
    if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
        ERR_clear_error();
        return std::nullopt;
    }
    const std::unique_ptr<OSSL_PARAM, params_deleter> params(OSSL_PARAM_BLD_to_param(bld.get()));
    const pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    auto h = std::make_shared<handle>();
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &h->pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1 || h->pkey == nullptr) {
        ERR_clear_error();
        return std::nullopt;
    }
    // Refuses an even modulus, an even or too small exponent and the like.
    const pkey_ctx_ptr check(EVP_PKEY_CTX_new_from_pkey(nullptr, h->pkey, nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1) {
        ERR_clear_error();
        return std::nullopt;
    }
    h->bits = EVP_PKEY_get_bits(h->pkey);
    return rsa_public_key(std::move(h));
}

bool rsa_public_key::verify(jwt_alg alg, std::string_view message, std::string_view signature) const noexcept
{
    if (!h_ || signature.empty())
        return false;
    const EVP_MD* md = digest_of(alg);
    const std::unique_ptr<EVP_MD_CTX, md_ctx_deleter> ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr; // owned by ctx
    bool ok = md != nullptr && ctx != nullptr && EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, h_->pkey) == 1;
    // PKCS#1 v1.5 is the default padding of an RSA key; set it anyway so that no default can
    // turn RS* into PS*.
    if (ok)
        ok = pctx != nullptr && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
    if (ok)
        ok = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                              reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
    if (!ok)
        ERR_clear_error(); // a failed verification leaves entries in the thread's error queue
    return ok;
}

int rsa_public_key::bits() const noexcept
{
    return h_ ? h_->bits : 0;
}

} // namespace ab::bot::auth
