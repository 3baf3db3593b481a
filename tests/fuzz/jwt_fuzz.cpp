// Fuzz target: arbitrary bytes as the Authorization header value, through channel_validator
// with a fixed key set generated at start. Three ways per input:
//   1. the bytes as the whole header value;
//   2. "Bearer " + the bytes;
//   3. if the bytes hold a newline: "<header JSON>\n<claims JSON>", signed RS256 with the
//      published key, so that the claim rules after the signature check get fuzzed too.
// Properties: nothing crashes, and anything accepted is bound to our app id and serviceUrl.
#include "bot/auth/base64url.hpp"
#include "bot/auth/channel_validator.hpp"
#include "tests/unit/bot_auth/test_signer.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace {

using namespace ab::bot::auth;

struct scene {
    signing_key_cache keys;
    std::unique_ptr<channel_validator> validator;
    const testing::test_key* signer = nullptr;

    scene()
    {
        signer = &testing::test_key::get("fuzz");
        const std::string jwks = testing::jwks_text({signer->jwk("fuzz-kid", {"msteams"}),
                                                     testing::test_key::get("fuzz-skype").jwk("skype-kid", {"skype"})});
        if (!keys.update(jwks, testing::now))
            __builtin_trap();
        validation_options o;
        o.app_id = std::string(testing::app_id);
        o.token_cache_capacity = 64;
        validator = std::make_unique<channel_validator>(o, keys);
    }
};

scene& the_scene()
{
    static scene s;
    return s;
}

void check(std::string_view header)
{
    auto& s = the_scene();
    const auto who = s.validator->validate(header, "msteams", testing::service_url, testing::now);
    if (who && (who->app_id != testing::app_id || who->service_url != testing::service_url))
        __builtin_trap();
    if (!who && who.error().category() != auth_category())
        __builtin_trap();
    // The same header for another serviceUrl must never pass.
    if (s.validator->validate(header, "msteams", "https://other.example/", testing::now))
        __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string input(reinterpret_cast<const char*>(data), size);
    check(input);
    check("Bearer " + input);

    const auto nl = input.find('\n');
    if (nl != std::string::npos) {
        const std::string header_json = input.substr(0, nl);
        const std::string claims_json = input.substr(nl + 1);
        const std::string signing_input = base64url_encode(header_json) + "." + base64url_encode(claims_json);
        const std::string sig = the_scene().signer->sign(jwt_alg::rs256, signing_input);
        check("Bearer " + signing_input + "." + base64url_encode(sig));
    }
    return 0;
}
