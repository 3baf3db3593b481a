#include "adapters/storage/rules.hpp"

#include <cstdio>
#include <ctime>

namespace ab::adapters::storage {

using ports::storage_errc;

boost::system::error_code check_key(std::string_view key) noexcept
{
    if (key.empty() || key.size() > ports::max_key_bytes)
        return make_error_code(storage_errc::bad_key);
    return {};
}

boost::system::result<std::string> encode_value(const nlohmann::json& value)
{
    std::string text = value.dump(); // strict: throws type_error 316 on invalid UTF-8
    if (text.size() > ports::max_value_bytes)
        return make_error_code(storage_errc::too_large);
    return text;
}

boost::system::result<nlohmann::json> decode_value(std::string_view text)
{
    auto value = nlohmann::json::parse(text, nullptr, false);
    if (value.is_discarded())
        return make_error_code(storage_errc::corrupt);
    return value;
}

std::string format_recorded_at(std::chrono::system_clock::time_point t)
{
    using namespace std::chrono;
    const auto ms = floor<milliseconds>(t);
    const auto secs = floor<seconds>(ms);
    const auto millis = static_cast<int>((ms - secs).count());
    const std::time_t tt = system_clock::to_time_t(secs);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[96]; // room for any int values (GCC checks -Wformat-truncation against the full range)
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
    return buf;
}

} // namespace ab::adapters::storage
