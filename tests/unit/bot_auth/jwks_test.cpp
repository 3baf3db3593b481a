#include "bot/auth/jwks.hpp"

#include "bot/auth/base64url.hpp"
#include "tests/unit/bot_auth/test_signer.hpp"

#include <gtest/gtest.h>

using namespace ab::bot::auth;
using namespace ab::bot::auth::testing;

TEST(ParseJwks, ReadsRsaKeysWithEndorsementsAndCertificateFields)
{
    auto jwk = test_key::get("teams").jwk("k1", {"msteams", "skype"});
    jwk["x5t"] = "thumb";
    jwk["x5c"] = {"MIIC..."};
    const auto set = parse_jwks(jwks_text({jwk, test_key::get("skype").jwk("k2", {"skype"})}));
    ASSERT_TRUE(set);
    ASSERT_EQ(set->keys.size(), 2u);
    const signing_key* k1 = set->find("k1");
    ASSERT_NE(k1, nullptr);
    EXPECT_EQ(k1->endorsements, (std::vector<std::string>{"msteams", "skype"}));
    EXPECT_TRUE(k1->endorses("msteams"));
    EXPECT_FALSE(set->find("k2")->endorses("msteams"));
    EXPECT_EQ(k1->x5t, "thumb");
    EXPECT_EQ(k1->x5c.size(), 1u);
    EXPECT_EQ(k1->key.bits(), 2048);
    EXPECT_FALSE(k1->alg);
    EXPECT_EQ(set->find("k3"), nullptr);
}

TEST(ParseJwks, SkipsKeysItCannotUse)
{
    const auto& key = test_key::get("teams");
    auto ec_key = nlohmann::json{{"kty", "EC"}, {"kid", "ec"}, {"crv", "P-256"}, {"x", "AA"}, {"y", "AA"}};
    auto enc = key.jwk("enc", {"msteams"});
    enc["use"] = "enc";
    auto hs = key.jwk("hs", {"msteams"});
    hs["alg"] = "HS256";
    auto no_kid = key.jwk("", {"msteams"});
    auto no_n = key.jwk("no-n", {"msteams"});
    no_n.erase("n");
    auto bad_n = key.jwk("bad-n", {"msteams"});
    bad_n["n"] = "not base64url!";
    auto bad_endorsements = key.jwk("bad-end", {});
    bad_endorsements["endorsements"] = "msteams";
    auto mixed_endorsements = key.jwk("mixed-end", {});
    mixed_endorsements["endorsements"] = {"msteams", 7};
    const auto small = test_key::generate(1024).jwk("small", {"msteams"});
    auto good = key.jwk("good", {"msteams"});
    good["alg"] = "RS256";

    const auto set = parse_jwks(jwks_text({ec_key, enc, hs, no_kid, no_n, bad_n, bad_endorsements, mixed_endorsements,
                                           small, nlohmann::json("str"), good}));
    ASSERT_TRUE(set);
    ASSERT_EQ(set->keys.size(), 1u);
    EXPECT_EQ(set->keys[0].kid, "good");
    EXPECT_EQ(set->keys[0].alg, jwt_alg::rs256);
}

TEST(ParseJwks, FirstKeyWinsForADuplicateKid)
{
    const auto set = parse_jwks(jwks_text({test_key::get("teams").jwk("k", {"msteams"}),
                                           test_key::get("skype").jwk("k", {"skype"})}));
    ASSERT_TRUE(set);
    ASSERT_EQ(set->keys.size(), 1u);
    EXPECT_TRUE(set->keys[0].endorses("msteams"));
}

TEST(ParseJwks, ToleratesPaddedIntegersAndAbsentEndorsements)
{
    auto jwk = test_key::get("teams").jwk("k", {}, false);
    ASSERT_EQ(jwk["n"].get<std::string>().size() % 4, 2u); // 256 bytes: two '=' in padded form
    jwk["n"] = jwk["n"].get<std::string>() + "==";
    const auto set = parse_jwks(jwks_text({jwk}));
    ASSERT_TRUE(set);
    EXPECT_TRUE(set->keys[0].endorsements.empty());
}

TEST(ParseJwks, ErrorsForBadDocumentsAndEmptySets)
{
    EXPECT_EQ(parse_jwks("").error(), errc::malformed);
    EXPECT_EQ(parse_jwks("{").error(), errc::malformed);
    EXPECT_EQ(parse_jwks("[]").error(), errc::malformed);
    EXPECT_EQ(parse_jwks(R"({"keys":{}})").error(), errc::malformed);
    EXPECT_EQ(parse_jwks(R"({"keys":[]})").error(), errc::no_keys);
    EXPECT_EQ(parse_jwks(R"({"keys":[{"kty":"oct","k":"AA"}]})").error(), errc::no_keys);
}

TEST(RsaPublicKey, VerifiesEachAllowedAlgorithmAndNothingElse)
{
    const auto& signer = test_key::get("teams");
    const auto key = rsa_public_key::from_components(signer.modulus(), signer.exponent());
    ASSERT_TRUE(key);
    for (const jwt_alg alg : {jwt_alg::rs256, jwt_alg::rs384, jwt_alg::rs512}) {
        const std::string sig = signer.sign(alg, "message");
        EXPECT_TRUE(key->verify(alg, "message", sig));
        EXPECT_FALSE(key->verify(alg, "massage", sig));
        EXPECT_FALSE(key->verify(alg == jwt_alg::rs256 ? jwt_alg::rs512 : jwt_alg::rs256, "message", sig));
        std::string flipped = sig;
        flipped[10] = static_cast<char>(flipped[10] ^ 1);
        EXPECT_FALSE(key->verify(alg, "message", flipped));
        EXPECT_FALSE(key->verify(alg, "message", sig.substr(1)));
    }
    EXPECT_FALSE(key->verify(jwt_alg::rs256, "message", ""));
    const std::string other = test_key::get("rogue").sign(jwt_alg::rs256, "message");
    EXPECT_FALSE(key->verify(jwt_alg::rs256, "message", other));
}

TEST(RsaPublicKey, RefusesImplausibleComponents)
{
    const auto& signer = test_key::get("teams");
    EXPECT_FALSE(rsa_public_key::from_components("", signer.exponent()));
    EXPECT_FALSE(rsa_public_key::from_components(signer.modulus(), ""));
    EXPECT_FALSE(rsa_public_key::from_components(std::string(128, '\xff'), signer.exponent())); // 1024 bits
    std::string even = signer.modulus();
    even.back() = static_cast<char>(even.back() & ~1);
    EXPECT_FALSE(rsa_public_key::from_components(even, signer.exponent()));
    EXPECT_FALSE(rsa_public_key::from_components(signer.modulus(), std::string("\x02", 1)));
    EXPECT_FALSE(rsa_public_key::from_components(std::string(2000, '\x7f'), signer.exponent()));
}
