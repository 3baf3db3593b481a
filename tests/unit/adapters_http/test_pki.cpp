#include "tests/unit/adapters_http/test_pki.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>

namespace ab::test::http {

namespace {

struct key_free {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct cert_free {
    void operator()(X509* c) const { X509_free(c); }
};
struct bio_free {
    void operator()(BIO* b) const { BIO_free(b); }
};
using key_ptr = std::unique_ptr<EVP_PKEY, key_free>;
using cert_ptr = std::unique_ptr<X509, cert_free>;
using bio_ptr = std::unique_ptr<BIO, bio_free>;

void check(bool ok, const char* what)
{
    if (!ok)
        throw std::runtime_error(std::string("test_pki: OpenSSL failed in ") + what);
}

key_ptr make_key()
{
    key_ptr key{EVP_RSA_gen(2048)};
    check(key != nullptr, "EVP_RSA_gen");
    return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    check(ext != nullptr, "X509V3_EXT_conf_nid");
    const int added = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    check(added == 1, "X509_add_ext");
}

/// A CA certificate when `san` is null (self-signed when `issuer` is null), else a server leaf.
cert_ptr make_cert(EVP_PKEY* key, const char* common_name, X509* issuer, EVP_PKEY* issuer_key, const char* san,
                   long serial)
{
    cert_ptr cert{X509_new()};
    check(cert != nullptr, "X509_new");
    X509* x = cert.get();
    check(X509_set_version(x, X509_VERSION_3) == 1, "X509_set_version");
    check(ASN1_INTEGER_set(X509_get_serialNumber(x), serial) == 1, "ASN1_INTEGER_set");
    check(X509_gmtime_adj(X509_getm_notBefore(x), -3600) != nullptr, "notBefore");
    check(X509_gmtime_adj(X509_getm_notAfter(x), 24L * 3600) != nullptr, "notAfter");
    check(X509_set_pubkey(x, key) == 1, "X509_set_pubkey");
    X509_NAME* subject = X509_get_subject_name(x);
    check(X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name), -1,
                                     -1, 0) == 1,
          "X509_NAME_add_entry_by_txt");
    X509* signer = issuer ? issuer : x;
    check(X509_set_issuer_name(x, X509_get_subject_name(signer)) == 1, "X509_set_issuer_name");
    if (!san) {
        add_extension(x, signer, NID_basic_constraints, "critical,CA:TRUE");
        add_extension(x, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
        add_extension(x, signer, NID_subject_key_identifier, "hash");
    } else {
        add_extension(x, signer, NID_basic_constraints, "critical,CA:FALSE");
        add_extension(x, signer, NID_key_usage, "critical,digitalSignature,keyEncipherment");
        add_extension(x, signer, NID_ext_key_usage, "serverAuth");
        add_extension(x, signer, NID_subject_alt_name, san);
        add_extension(x, signer, NID_authority_key_identifier, "keyid:always");
    }
    check(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0, "X509_sign");
    return cert;
}

void write_cert(const std::filesystem::path& path, X509* cert)
{
    bio_ptr out{BIO_new_file(path.c_str(), "w")};
    check(out != nullptr, "BIO_new_file");
    check(PEM_write_bio_X509(out.get(), cert) == 1, "PEM_write_bio_X509");
}

void write_key(const std::filesystem::path& path, EVP_PKEY* key)
{
    bio_ptr out{BIO_new_file(path.c_str(), "w")};
    check(out != nullptr, "BIO_new_file");
    check(PEM_write_bio_PrivateKey(out.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1, "PEM_write_bio_PrivateKey");
}

/// A fresh directory, removed with its contents on destruction.
class temp_dir {
public:
    temp_dir()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "ab-http-pki-XXXXXX").string();
        check(::mkdtemp(pattern.data()) != nullptr, "mkdtemp");
        path_ = pattern;
    }
    ~temp_dir()
    {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

/// The generated files; the directory is removed when the test binary exits.
class pki_dir {
public:
    pki_dir()
    {
        const auto& dir = tmp_.path();

        const auto ca_key = make_key();
        const auto other_ca_key = make_key();
        const auto server_key = make_key();
        const auto ca = make_cert(ca_key.get(), "access-bot test CA", nullptr, nullptr, nullptr, 1);
        const auto other_ca = make_cert(other_ca_key.get(), "access-bot untrusted CA", nullptr, nullptr, nullptr, 2);
        const auto good = make_cert(server_key.get(), "localhost", ca.get(), ca_key.get(), "DNS:localhost,IP:127.0.0.1", 3);
        const auto wrong = make_cert(server_key.get(), "wrong.example", ca.get(), ca_key.get(), "DNS:wrong.example", 4);
        const auto untrusted =
            make_cert(server_key.get(), "localhost", other_ca.get(), other_ca_key.get(), "DNS:localhost,IP:127.0.0.1", 5);

        write_cert(dir / "ca.pem", ca.get());
        write_key(dir / "server.key", server_key.get());
        write_cert(dir / "good.pem", good.get());
        write_cert(dir / "wrong_name.pem", wrong.get());
        write_cert(dir / "untrusted.pem", untrusted.get());

        const std::string key = (dir / "server.key").string();
        files_.ca_file = (dir / "ca.pem").string();
        files_.good = {(dir / "good.pem").string(), key};
        files_.wrong_name = {(dir / "wrong_name.pem").string(), key};
        files_.untrusted = {(dir / "untrusted.pem").string(), key};
    }

    const pki& files() const { return files_; }

private:
    temp_dir tmp_;
    pki files_;
};

} // namespace

const pki& test_pki()
{
    static const pki_dir dir;
    return dir.files();
}

} // namespace ab::test::http
