#include "bot/config/config.hpp"

#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>

using namespace ab::bot::config;

namespace {
env_lookup fake(std::map<std::string, std::string> vars)
{
    return [vars](const std::string& name) -> std::optional<std::string> {
        if (auto it = vars.find(name); it != vars.end())
            return it->second;
        return std::nullopt;
    };
}
} // namespace

TEST(Config, DefaultsPointAtMicrosoft)
{
    const settings s = load(fake({}));
    EXPECT_EQ(s.openid_metadata_url, "https://login.botframework.com/v1/.well-known/openidconfiguration");
    EXPECT_EQ(s.token_endpoint, "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token");
    EXPECT_EQ(s.token_issuer, "https://api.botframework.com");
    EXPECT_EQ(s.oauth_scope, "https://api.botframework.com/.default");
    EXPECT_EQ(s.port, 3978);
    EXPECT_TRUE(s.ca_file.empty());
}

TEST(Config, BenchContractVariables)
{
    const settings s = load(fake({{"BOT_PORT", "4000"},
                                  {"MicrosoftAppId", "00000000-0000-0000-0000-00000000b07e"},
                                  {"MicrosoftAppPassword", "bench-secret-1"},
                                  {"OPENID_METADATA_URL", "https://127.0.0.1:39381/v1/.well-known/openidconfiguration"},
                                  {"TOKEN_ENDPOINT", "https://127.0.0.1:39381/botframework.com/oauth2/v2.0/token"},
                                  {"SSL_CERT_FILE", "/other.pem"},
                                  {"BENCH_CA_FILE", "/keys/ca.pem"}}));
    EXPECT_EQ(s.port, 4000);
    EXPECT_EQ(s.app_id, "00000000-0000-0000-0000-00000000b07e");
    EXPECT_EQ(s.ca_file, "/keys/ca.pem") << "BENCH_CA_FILE wins over SSL_CERT_FILE";
    EXPECT_NO_THROW(validate(s));
}

TEST(Config, SecretsAreRedacted)
{
    const settings s = load(fake({{"MicrosoftAppPassword", "super-secret"}}));
    const std::string dump = s.redacted().dump();
    EXPECT_EQ(dump.find("super-secret"), std::string::npos);
    EXPECT_NE(dump.find("***"), std::string::npos);
}

TEST(Config, FileThenEnvironment)
{
    ab::test::temp_dir dir;
    const auto file = dir.write("bot.json", R"({"MicrosoftAppId": "from-file", "BOT_PORT": 5000, "TOKEN_ISSUER": "https://iss"})");
    const settings s = load(fake({{"MicrosoftAppId", "from-env"}}), file);
    EXPECT_EQ(s.app_id, "from-env");
    EXPECT_EQ(s.port, 5000);
    EXPECT_EQ(s.token_issuer, "https://iss");
}

TEST(Config, BadInputIsAClearError)
{
    ab::test::temp_dir dir;
    EXPECT_THROW(load(fake({{"BOT_PORT", "http"}})), config_error);
    EXPECT_THROW(load(fake({{"BOT_PORT", "70000"}})), config_error);
    EXPECT_THROW(load(fake({}), dir.path() / "missing.json"), config_error);
    EXPECT_THROW(load(fake({}), dir.write("a.json", "[1,2]")), config_error);
    try {
        (void)load(fake({}), dir.write("b.json", R"({"MicrosoftAppPasswrd": "typo"})"));
        FAIL();
    } catch (const config_error& e) {
        EXPECT_NE(std::string(e.what()).find("[config.unknown_key] MicrosoftAppPasswrd"), std::string::npos);
    }
}

TEST(Config, LocalModeOnlyOnLoopback)
{
    settings s;
    s.local_mode = true;
    s.address = "127.0.0.1";
    EXPECT_NO_THROW(validate(s));
    s.address = "0.0.0.0";
    EXPECT_THROW(validate(s), config_error);
    s.address = "10.1.2.3";
    EXPECT_THROW(validate(s), config_error);
    EXPECT_TRUE(is_loopback("::1"));
    EXPECT_TRUE(is_loopback("localhost"));
    EXPECT_FALSE(is_loopback("192.168.1.1"));
}

TEST(Config, AuthenticationNeedsAnAppId)
{
    settings s;
    EXPECT_THROW(validate(s), config_error);
    s.app_id = "x";
    EXPECT_NO_THROW(validate(s));
}

namespace {
std::string error_of(const std::function<void()>& f)
{
    try {
        f();
    } catch (const config_error& e) {
        return e.what();
    }
    return "(no error)";
}
} // namespace

TEST(Config, AdminActionsSettings)
{
    const settings s = load(fake({{"AB_ADMIN_IDS", " 0a1b2c3d-0000-4000-8000-00000000ad01 , 0A1B2C3D-0000-4000-8000-00000000AD02"},
                                  {"AB_RUNBOOK_URL", "https://automation.example/webhooks?token=SECRET-TOKEN"},
                                  {"AB_RUNBOOK_SECRET", "runbook-shared-secret-0123"},
                                  {"AB_PUBLIC_URL", "https://bot.example.com"},
                                  {"MicrosoftAppId", "x"}}));
    ASSERT_EQ(s.admin_ids.size(), 2u);
    EXPECT_EQ(s.admin_ids[0], "0a1b2c3d-0000-4000-8000-00000000ad01");
    EXPECT_NO_THROW(validate(s));
    const std::string dump = s.redacted().dump();
    EXPECT_EQ(dump.find("SECRET-TOKEN"), std::string::npos) << "the webhook URL carries its token";
    EXPECT_EQ(dump.find("runbook-shared-secret"), std::string::npos);

    EXPECT_NE(error_of([] { (void)load(fake({{"AB_ADMIN_IDS", "megan@contoso.com"}})); }).find("[config.bad_id]"), std::string::npos);
    EXPECT_NE(error_of([] { (void)load(fake({{"AB_RUNBOOK_SECRET", "short"}})); }).find("[config.weak_runbook_secret]"), std::string::npos);
    settings no_secret = s;
    no_secret.runbook_secret.clear();
    EXPECT_NE(error_of([&] { validate(no_secret); }).find("[config.runbook_secret]"), std::string::npos);
    settings no_public = s;
    no_public.public_url.clear();
    EXPECT_NE(error_of([&] { validate(no_public); }).find("[config.public_url]"), std::string::npos);
    settings groups = s;
    groups.admin_groups = {"0a1b2c3d-0000-4000-8000-0000000000a1"};
    EXPECT_NE(error_of([&] { validate(groups); }).find("[config.groups_need_graph]"), std::string::npos);
    groups.graph_tenant_id = "72f988bf-0000-4000-8000-000000000001";
    EXPECT_NE(error_of([&] { validate(groups); }).find("[config.graph_credentials]"), std::string::npos);
    groups.app_password = "p";
    EXPECT_NO_THROW(validate(groups));
}
