#include "bot/auth/base64url.hpp"
#include "bot/auth/hmac.hpp"
#include "dialogs/action_data.hpp"

#include <gtest/gtest.h>

#include <set>

using ab::dialogs::action_errc;
using ab::dialogs::action_signer;
using json = nlohmann::json;

namespace {

std::string hex(std::string_view bytes)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out += digits[c >> 4];
        out += digits[c & 0xF];
    }
    return out;
}

const action_signer signer("unit-test-signing-key-0123456789");

} // namespace

TEST(Hmac, MatchesRfc4231TestCase2)
{
    EXPECT_EQ(hex(ab::bot::auth::hmac_sha256("Jefe", "what do ya want for nothing?")),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    EXPECT_TRUE(ab::bot::auth::constant_time_equal("abc", "abc"));
    EXPECT_FALSE(ab::bot::auth::constant_time_equal("abc", "abd"));
    EXPECT_FALSE(ab::bot::auth::constant_time_equal("abc", "ab"));
    EXPECT_EQ(ab::bot::auth::random_bytes(32).size(), 32u);
}

TEST(Hmac, PreparedKeyGivesTheSameBytesAsTheOneShot)
{
    // RFC 4231 test case 2, then a key longer than SHA-256's block (hashed first) and an empty message.
    ab::bot::auth::hmac_sha256_key jefe("Jefe");
    EXPECT_EQ(hex(jefe.sign("what do ya want for nothing?")), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    EXPECT_EQ(hex(jefe.sign("what do ya want for nothing?")), hex(jefe.sign("what do ya want for nothing?"))); // reusable
    const std::string long_key(131, '\xaa');
    const ab::bot::auth::hmac_sha256_key big(long_key);
    EXPECT_EQ(hex(big.sign("Test Using Larger Than Block-Size Key - Hash Key First")),
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    EXPECT_EQ(big.sign(""), ab::bot::auth::hmac_sha256(long_key, ""));
    ab::bot::auth::hmac_sha256_key moved = std::move(jefe);
    EXPECT_EQ(hex(moved.sign("what do ya want for nothing?")), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(CardIds, AreTwelveHexDigitsAndDoNotRepeat)
{
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) { // crosses several refills of the per-thread pool
        const std::string id = ab::dialogs::new_card_id();
        ASSERT_EQ(id.size(), 12u);
        ASSERT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
        seen.insert(id);
    }
    EXPECT_EQ(seen.size(), 1000u);
}

TEST(ActionData, RoundTripsWithInputsMergedByTheClient)
{
    json data = signer.sign("clarify", "card-1", {{"choice", "guest"}});
    data["language"] = "nl"; // an input value, merged in by Teams
    // Teams sends the JSON back re-serialized, keys possibly in another order.
    const json back = json::parse(data.dump());
    auto a = signer.verify(back);
    ASSERT_TRUE(a) << a.error().message();
    EXPECT_EQ(a->verb, "clarify");
    EXPECT_EQ(a->card_id, "card-1");
    EXPECT_EQ(a->args, (json{{"choice", "guest"}}));
    EXPECT_EQ(a->inputs, (json{{"language", "nl"}}));
    EXPECT_GT(a->issued_at, 0);
}

TEST(ActionData, RefusesEditsOtherKeysAndForeignData)
{
    const json good = signer.sign("clarify", "card-1", {{"choice", "external"}});

    json edited = good;
    edited["ab"]["args"]["choice"] = "guest";
    EXPECT_EQ(signer.verify(edited).error(), action_errc::bad_signature);
    json renamed = good;
    renamed["ab"]["card"] = "card-2";
    EXPECT_EQ(signer.verify(renamed).error(), action_errc::bad_signature);
    json resigned = good;
    resigned["sig"] = ab::bot::auth::base64url_encode(std::string(32, 'x'));
    EXPECT_EQ(signer.verify(resigned).error(), action_errc::bad_signature);

    const action_signer other("someone-elses-key-0123456789abcdef");
    EXPECT_EQ(signer.verify(other.sign("clarify", "card-1", {{"choice", "external"}})).error(), action_errc::bad_signature);

    EXPECT_EQ(signer.verify(json{{"action", "guest"}}).error(), action_errc::not_ours);
    EXPECT_EQ(signer.verify(json("text")).error(), action_errc::not_ours);
    EXPECT_EQ(signer.verify(json()).error(), action_errc::not_ours);
    EXPECT_EQ(signer.verify(json{{"ab", good["ab"]}}).error(), action_errc::malformed);        // no sig
    EXPECT_EQ(signer.verify(json{{"ab", "x"}, {"sig", good["sig"]}}).error(), action_errc::malformed);
    EXPECT_EQ(signer.verify(json{{"ab", good["ab"]}, {"sig", "!!not base64!!"}}).error(), action_errc::bad_signature);
}

TEST(ActionData, RefusesAWeakKey)
{
    EXPECT_THROW(action_signer("short"), std::invalid_argument);
}

TEST(ActionData, CardIdsAreFresh)
{
    const auto a = ab::dialogs::new_card_id();
    EXPECT_EQ(a.size(), 12u);
    EXPECT_NE(a, ab::dialogs::new_card_id());
}
