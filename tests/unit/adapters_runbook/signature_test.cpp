// Signature of the runbook protocol: known vectors (expected values computed here with OpenSSL,
// independently of the code under test), wrong secret, tampering, clock skew, garbled headers.
#include "adapters/runbook/signature.hpp"

#include "tests/support/loopback_server.hpp"
#include "tests/unit/adapters_runbook/fixture.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <cctype>
#include <cstdio>

using namespace ab::adapters::runbook;

namespace {

// HMAC-SHA256 with OpenSSL directly, as "sha256=<hex>".
std::string openssl_header(const std::string& secret, const std::string& timestamp, const std::string& body)
{
    return ab::test::openssl_signature(secret, timestamp + "." + body);
}

constexpr std::int64_t ts = 1763700000;
const std::string secret = "correct horse battery staple";
const std::string body = R"({"id":"act-1","operation":"teams.federation.enable"})";

boost::system::error_code verify(std::string_view sec, std::string_view t, std::string_view sig, std::string_view b, std::int64_t now)
{
    auto r = verify_signature(sec, t, sig, b, now);
    return r ? boost::system::error_code{} : r.error();
}

} // namespace

TEST(Signature, FixtureVectorsMatchOpenSslAndVerify)
{
    const auto doc = nlohmann::json::parse(ab::test::source_file("tests/fixtures/runbook/signatures.json"));
    ASSERT_GE(doc.at("vectors").size(), 3u);
    for (const auto& v : doc.at("vectors")) {
        const auto s = v.at("secret").get<std::string>();
        const auto t = v.at("timestamp").get<std::int64_t>();
        const auto b = v.at("body").get<std::string>();
        const auto header = v.at("header").get<std::string>();
        SCOPED_TRACE(v.at("name").get<std::string>());
        EXPECT_EQ(openssl_header(s, std::to_string(t), b), header); // the fixture itself is right
        EXPECT_EQ(signature_header(s, t, b), header);
        EXPECT_TRUE(verify_signature(s, std::to_string(t), header, b, t).has_value());
    }
}

TEST(Signature, TheFixtureRequestVectorSignsTheFixtureRequest)
{
    const auto doc = nlohmann::json::parse(ab::test::source_file("tests/fixtures/runbook/signatures.json"));
    EXPECT_EQ(doc.at("vectors").at(0).at("body").get<std::string>(), ab::test::source_file("tests/fixtures/runbook/request.json"));
}

TEST(Signature, HeaderIsLowercaseHex)
{
    const auto h = signature_header(secret, ts, body);
    ASSERT_EQ(h.size(), 7u + 64u);
    EXPECT_EQ(h.rfind("sha256=", 0), 0u);
    for (char c : h.substr(7))
        EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << c;
}

TEST(Signature, WrongSecretIsAMismatch)
{
    const auto h = signature_header(secret, ts, body);
    EXPECT_EQ(verify("correct horse battery stapler", std::to_string(ts), h, body, ts), make_error_code(signature_errc::mismatch));
    EXPECT_EQ(verify("", std::to_string(ts), openssl_header("", std::to_string(ts), body), body, ts),
              make_error_code(signature_errc::mismatch)); // an empty secret fails closed
}

TEST(Signature, TamperedBodyOrTimestampIsAMismatch)
{
    const auto h = signature_header(secret, ts, body);
    std::string tampered = body;
    tampered[tampered.find("federation")] = 'F';
    EXPECT_EQ(verify(secret, std::to_string(ts), h, tampered, ts), make_error_code(signature_errc::mismatch));
    EXPECT_EQ(verify(secret, std::to_string(ts), h, body + " ", ts), make_error_code(signature_errc::mismatch));
    EXPECT_EQ(verify(secret, std::to_string(ts + 1), h, body, ts), make_error_code(signature_errc::mismatch));
    std::string flipped = h;
    flipped.back() = flipped.back() == '0' ? '1' : '0';
    EXPECT_EQ(verify(secret, std::to_string(ts), flipped, body, ts), make_error_code(signature_errc::mismatch));
}

TEST(Signature, StaleOrFutureTimestampsAreRefused)
{
    const auto h = signature_header(secret, ts, body);
    const auto t = std::to_string(ts);
    EXPECT_EQ(verify(secret, t, h, body, ts + 301), make_error_code(signature_errc::stale)); // too old
    EXPECT_EQ(verify(secret, t, h, body, ts - 301), make_error_code(signature_errc::stale)); // from the future
    EXPECT_TRUE(verify_signature(secret, t, h, body, ts + 300).has_value());
    EXPECT_TRUE(verify_signature(secret, t, h, body, ts - 300).has_value());
    EXPECT_EQ(verify_signature(secret, t, h, body, ts + 11, 10).error(), make_error_code(signature_errc::stale));
}

TEST(Signature, MissingHeadersAreRefused)
{
    const auto h = signature_header(secret, ts, body);
    EXPECT_EQ(verify(secret, "", h, body, ts), make_error_code(signature_errc::missing));
    EXPECT_EQ(verify(secret, std::to_string(ts), "", body, ts), make_error_code(signature_errc::missing));
    EXPECT_EQ(verify(secret, "  ", " ", body, ts), make_error_code(signature_errc::missing));
}

TEST(Signature, GarbledHeadersAreRefused)
{
    const auto h = signature_header(secret, ts, body);
    const auto t = std::to_string(ts);
    const auto malformed = make_error_code(signature_errc::malformed);
    for (const std::string bad_ts : {"abc", "-1763700000", "+1763700000", "1763700000.5", "17637 00000", "0x6920", "1234567890123456789"})
        EXPECT_EQ(verify(secret, bad_ts, h, body, ts), malformed) << bad_ts;
    const std::string hex = h.substr(7);
    for (const std::string& bad_sig : {"sha1=" + hex, hex, "sha256=" + hex.substr(1), "sha256=" + hex + "0", "sha256:" + hex,
                                      "sha256=" + hex.substr(0, 63) + "g", "sha256=" + hex.substr(0, 32) + " " + hex.substr(33)})
        EXPECT_EQ(verify(secret, t, bad_sig, body, ts), malformed) << bad_sig;
}

TEST(Signature, SurroundingSpacesAndUppercaseHexAreAccepted)
{
    std::string h = signature_header(secret, ts, body);
    std::string upper = "SHA256=";
    for (char c : h.substr(7))
        upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    EXPECT_TRUE(verify_signature(secret, " " + std::to_string(ts) + " ", " " + h + "\t", body, ts).has_value());
    EXPECT_TRUE(verify_signature(secret, std::to_string(ts), upper, body, ts).has_value());
}

TEST(Signature, ErrorsHaveStableIds)
{
    EXPECT_EQ(error_id(signature_errc::missing), "runbook.signature_missing");
    EXPECT_EQ(error_id(signature_errc::malformed), "runbook.signature_malformed");
    EXPECT_EQ(error_id(signature_errc::mismatch), "runbook.signature_mismatch");
    EXPECT_EQ(error_id(signature_errc::stale), "runbook.signature_stale");
    EXPECT_NE(make_error_code(signature_errc::stale).message().find("[runbook.signature_stale]"), std::string::npos);
    EXPECT_NE(make_error_code(callback_errc::malformed).message().find("[runbook.callback_malformed]"), std::string::npos);
}
