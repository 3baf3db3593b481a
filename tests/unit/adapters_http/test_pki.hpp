#pragma once
// Test certificates, generated once per test binary with the OpenSSL 3 API into a temp dir that
// is removed at exit. Nothing secret is committed.

#include "tests/unit/adapters_http/test_server.hpp"

#include <string>

namespace ab::test::http {

struct pki {
    std::string ca_file;  ///< the trusted CA (PEM), for client::options::ca_file
    tls_files good;       ///< CN/SAN localhost + IP 127.0.0.1, issued by the trusted CA
    tls_files wrong_name; ///< SAN DNS:wrong.example only, issued by the trusted CA
    tls_files untrusted;  ///< SAN localhost + IP 127.0.0.1, issued by another (unknown) CA
};

/// Generated on first use (three RSA-2048 keys: about a second); throws std::runtime_error if
/// OpenSSL fails.
const pki& test_pki();

} // namespace ab::test::http
