// The runbook's result callback: the shared fixture, optional fields, and each malformed shape.
#include "adapters/runbook/signature.hpp"

#include "tests/unit/adapters_runbook/fixture.hpp"

#include <gtest/gtest.h>

using namespace ab::adapters::runbook;
using json = nlohmann::json;

namespace {

json good()
{
    return json::parse(ab::test::source_file("tests/fixtures/runbook/callback.json"));
}

bool is_malformed(const json& j)
{
    const auto r = parse_callback(j.dump());
    return !r && r.error() == make_error_code(callback_errc::malformed);
}

} // namespace

TEST(Callback, ParsesTheFixture)
{
    const auto r = parse_callback(ab::test::source_file("tests/fixtures/runbook/callback.json"));
    ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_EQ(r->id, "act-20251121-0001");
    EXPECT_EQ(r->operation, "teams.allowed_domains.add");
    EXPECT_EQ(r->status, "applied");
    EXPECT_EQ(r->error, "");
    EXPECT_EQ(r->job_id, "5b3f0e1c-9a7d-4c2b-8e6f-0d1a2b3c4d5e");
    EXPECT_EQ(r->before.at("DomainAllowed"), false);
    EXPECT_EQ(r->after.at("DomainAllowed"), true);
}

TEST(Callback, OptionalFieldsMayBeAbsentOrNull)
{
    json j = {{"version", 1}, {"id", "a"}, {"operation", "teams.guest_access.enable"}, {"status", "failed"}, {"error", "boom"}};
    auto r = parse_callback(j.dump());
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->error, "boom");
    EXPECT_EQ(r->job_id, "");
    EXPECT_TRUE(r->before.is_null());
    EXPECT_TRUE(r->after.is_null());
    j["jobId"] = nullptr;
    j["before"] = nullptr;
    j["status"] = "already_set";
    r = parse_callback(j.dump());
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, "already_set");
}

TEST(Callback, MalformedBodiesAreRefused)
{
    for (const char* text : {"", "not json", "[1,2]", "\"applied\"", "{\"version\":1,"}) {
        const auto r = parse_callback(text);
        EXPECT_FALSE(r.has_value()) << text;
    }
    const auto drop = [](const char* key) {
        json j = good();
        j.erase(key);
        return j;
    };
    const auto with = [](const char* key, json v) {
        json j = good();
        j[key] = std::move(v);
        return j;
    };
    EXPECT_TRUE(is_malformed(drop("version")));
    EXPECT_TRUE(is_malformed(with("version", 2)));
    EXPECT_TRUE(is_malformed(with("version", "1")));
    EXPECT_TRUE(is_malformed(with("version", 1.5)));
    EXPECT_TRUE(is_malformed(drop("id")));
    EXPECT_TRUE(is_malformed(with("id", "")));
    EXPECT_TRUE(is_malformed(with("id", 42)));
    EXPECT_TRUE(is_malformed(drop("operation")));
    EXPECT_TRUE(is_malformed(with("operation", nullptr)));
    EXPECT_TRUE(is_malformed(drop("status")));
    EXPECT_TRUE(is_malformed(with("status", "done")));
    EXPECT_TRUE(is_malformed(with("status", "Applied")));
    EXPECT_TRUE(is_malformed(with("status", "pending")));
    EXPECT_TRUE(is_malformed(with("error", 5)));
    EXPECT_TRUE(is_malformed(with("jobId", json::array())));
    EXPECT_FALSE(is_malformed(good()));
}
