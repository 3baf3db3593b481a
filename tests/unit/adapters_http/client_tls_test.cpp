#include "adapters/http/client.hpp"

#include "tests/unit/adapters_http/client_helpers.hpp"
#include "tests/unit/adapters_http/test_pki.hpp"
#include "tests/unit/adapters_http/test_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/system/system_error.hpp>

#include <gtest/gtest.h>

using namespace ab::test::http;
namespace http = ab::adapters::http;

namespace {

reply echo(const received& r)
{
    reply rp;
    rp.body = r.method + " " + r.body;
    return rp;
}

http::client::options trusting_test_ca()
{
    auto o = fast_options();
    o.ca_file = test_pki().ca_file;
    return o;
}

} // namespace

TEST(HttpClientTls, GetAndPostRoundTripOnOneConnection)
{
    server srv{echo, test_pki().good};
    const auto out = run_sync(send_all(trusting_test_ca(), {make_request("GET", srv.url("/a")), make_request("POST", srv.url("/b"), "payload")}));
    ASSERT_TRUE(out.results[0]) << describe(out.results[0]);
    ASSERT_TRUE(out.results[1]) << describe(out.results[1]);
    EXPECT_EQ(out.results[0]->body, "GET ");
    EXPECT_EQ(out.results[1]->body, "POST payload");
    EXPECT_EQ(srv.connections(), 1u);
    EXPECT_EQ(out.stats.reuses, 1u);
    // An IP literal is verified against the certificate's IP SAN but never sent as SNI (RFC 6066).
    EXPECT_EQ(srv.requests()[0].server_name, "");
}

TEST(HttpClientTls, SendsSniAndVerifiesTheHostName)
{
    server srv{echo, test_pki().good};
    const auto url = "https://localhost:" + std::to_string(srv.port()) + "/x"; // /etc/hosts: loopback
    const auto out = run_sync(send_all(trusting_test_ca(), {make_request("GET", url)}));
    ASSERT_TRUE(out.results[0]) << describe(out.results[0]);
    const auto seen = srv.requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].server_name, "localhost");
    EXPECT_EQ(seen[0].header("Host"), "localhost:" + std::to_string(srv.port()));
}

TEST(HttpClientTls, HostnameMismatchIsRejected)
{
    server srv{echo, test_pki().wrong_name};
    const auto out = run_sync(send_all(trusting_test_ca(), {make_request("GET", srv.url())}));
    ASSERT_FALSE(out.results[0]) << describe(out.results[0]);
    EXPECT_EQ(out.results[0].error(), http::errc::tls_failed);
    EXPECT_TRUE(srv.requests().empty());
    EXPECT_EQ(srv.connections(), 1u); // not retried
}

TEST(HttpClientTls, UntrustedCaIsRejected)
{
    server srv{echo, test_pki().untrusted};
    const auto out = run_sync(send_all(trusting_test_ca(), {make_request("GET", srv.url())}));
    ASSERT_FALSE(out.results[0]) << describe(out.results[0]);
    EXPECT_EQ(out.results[0].error(), http::errc::tls_failed);
    EXPECT_TRUE(srv.requests().empty());
}

TEST(HttpClientTls, SystemTrustStoreDoesNotTrustTheTestCa)
{
    server srv{echo, test_pki().good};
    const auto out = run_sync(send_all(fast_options(), {make_request("GET", srv.url())}));
    ASSERT_FALSE(out.results[0]) << describe(out.results[0]);
    EXPECT_EQ(out.results[0].error(), http::errc::tls_failed);
}

TEST(HttpClientTls, VerifyPeerOffAcceptsAnyCertificate)
{
    server srv{echo, test_pki().untrusted};
    auto opts = fast_options();
    opts.verify_peer = false;
    const auto out = run_sync(send_all(opts, {make_request("GET", srv.url())}));
    ASSERT_TRUE(out.results[0]) << describe(out.results[0]);
    EXPECT_EQ(out.results[0]->status, 200u);
}

TEST(HttpClientTls, MissingCaFileThrowsAtConstruction)
{
    ab::net::io_context ioc;
    auto opts = fast_options();
    opts.ca_file = "/nonexistent/ab-ca.pem";
    try {
        http::client c{ioc.get_executor(), opts};
        FAIL() << "expected system_error";
    } catch (const boost::system::system_error& e) {
        EXPECT_EQ(e.code(), http::errc::tls_failed);
    }
}
