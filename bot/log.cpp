#include "bot/log.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

namespace ab::log {

namespace {

std::mutex mutex_;
std::function<void(const std::string&)> sink_;

level initial_level()
{
    const char* v = std::getenv("AB_LOG_LEVEL");
    const std::string_view s = v ? v : "info";
    if (s == "debug")
        return level::debug;
    if (s == "warn")
        return level::warn;
    if (s == "error")
        return level::error;
    return level::info;
}

level min_level_ = initial_level();

const char* name(level l)
{
    switch (l) {
    case level::debug: return "debug";
    case level::info: return "info";
    case level::warn: return "warn";
    case level::error: return "error";
    }
    return "info";
}

std::string timestamp()
{
    const auto now = std::chrono::system_clock::now();
    const auto t = std::chrono::system_clock::to_time_t(now);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                  tm.tm_min, tm.tm_sec, static_cast<int>(ms));
    return buf;
}

} // namespace

void write(level l, std::string_view event, const fields& f)
{
    if (l < min_level_)
        return;
    nlohmann::json line = {{"ts", timestamp()}, {"level", name(l)}, {"event", event}};
    if (f.is_object())
        for (auto it = f.begin(); it != f.end(); ++it)
            line[it.key()] = it.value();
    const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::lock_guard lock(mutex_);
    if (sink_) {
        sink_(text);
        return;
    }
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

void set_min_level(level l)
{
    min_level_ = l;
}

level min_level()
{
    return min_level_;
}

void set_sink(std::function<void(const std::string& line)> sink)
{
    std::lock_guard lock(mutex_);
    sink_ = std::move(sink);
}

std::string describe(std::exception_ptr e)
{
    if (!e)
        return {};
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& x) {
        return x.what();
    } catch (...) {
        return "non-standard exception"; // the caller logs it; nothing else to say about it
    }
}

std::string redact_text(std::string_view text, std::size_t max)
{
    if (text.size() <= max)
        return std::string(text);
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
        --cut;
    return std::string(text.substr(0, cut)) + "…";
}

} // namespace ab::log
