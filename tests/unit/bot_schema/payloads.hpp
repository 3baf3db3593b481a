#pragma once
// Teams payloads for the tests. They are the fuzz seeds too (tests/fuzz/seeds/activity), so every
// shape tested here is also the starting point of the fuzz replay.

#include "bot/schema/activity.hpp"

#include <fstream>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ab::bot::schema {

// gtest prints failing values as JSON instead of bytes.
inline void PrintTo(const activity& a, std::ostream* os)
{
    *os << to_json_string(a);
}

inline void PrintTo(const conversation_reference& r, std::ostream* os)
{
    *os << nlohmann::json(r).dump();
}

} // namespace ab::bot::schema

namespace ab::bot::schema::test {

inline std::string payload(std::string_view file)
{
    const std::string path = std::string(AB_ACTIVITY_SEEDS) + "/" + std::string(file);
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("missing test payload " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// The parsed payload; throws (failing the test) if it does not parse.
inline activity parsed(std::string_view file)
{
    auto r = parse_activity(payload(file));
    if (!r)
        throw std::runtime_error(std::string(file) + ": " + r.error().message());
    return *std::move(r);
}

inline constexpr std::string_view bot_id = "28:a1b2c3d4-0000-4000-8000-00000000bb01";
inline constexpr std::string_view tenant_id = "72f988bf-86f1-41af-91ab-2d7cd011db47";

} // namespace ab::bot::schema::test
