#include "bot/log.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

using namespace ab;

TEST(Log, WritesOneJsonLinePerEventAboveTheLevel)
{
    std::vector<std::string> lines;
    log::set_sink([&](const std::string& l) { lines.push_back(l); });
    const auto previous = log::min_level();
    log::set_min_level(log::level::info);
    log::debug("not.shown");
    log::info("turn.done", {{"correlation_id", "abc"}});
    log::set_min_level(previous);
    log::set_sink(nullptr);
    ASSERT_EQ(lines.size(), 1u);
    const auto j = nlohmann::json::parse(lines[0]);
    EXPECT_EQ(j["event"], "turn.done");
    EXPECT_EQ(j["level"], "info");
    EXPECT_EQ(j["correlation_id"], "abc");
}

TEST(Log, DescribesExceptions)
{
    EXPECT_EQ(log::describe(nullptr), "");
    EXPECT_EQ(log::describe(std::make_exception_ptr(std::runtime_error("boom"))), "boom");
    EXPECT_EQ(log::describe(std::make_exception_ptr(42)), "non-standard exception");
}

TEST(Log, RedactsLongUserTextOnACodePointBoundary)
{
    EXPECT_EQ(log::redact_text("short"), "short");
    const std::string s = std::string(79, 'a') + "ä" + "tail";
    const auto r = log::redact_text(s, 80);
    EXPECT_EQ(r, std::string(79, 'a') + "…");
}
