#include "adapters/http/retry.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace ab::adapters::http {

namespace {

using namespace std::chrono;

constexpr std::array<std::string_view, 7> short_days = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 7> long_days = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                                       "Friday", "Saturday", "Sunday"};
constexpr std::array<std::string_view, 12> month_names = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

/// A cursor over the date text; every take_* returns false on mismatch.
class cursor {
public:
    explicit cursor(std::string_view s) : s_(s) {}

    bool done() const { return s_.empty(); }

    bool literal(std::string_view lit)
    {
        if (s_.substr(0, lit.size()) != lit)
            return false;
        s_.remove_prefix(lit.size());
        return true;
    }

    /// Exactly `n` digits.
    bool digits(std::size_t n, int& out)
    {
        if (s_.size() < n)
            return false;
        int v = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const auto c = static_cast<unsigned char>(s_[i]);
            if (!std::isdigit(c))
                return false;
            v = v * 10 + (c - '0');
        }
        out = v;
        s_.remove_prefix(n);
        return true;
    }

    template <std::size_t N>
    bool one_of(const std::array<std::string_view, N>& names, int* index = nullptr)
    {
        for (std::size_t i = 0; i < N; ++i)
            if (literal(names[i])) {
                if (index)
                    *index = static_cast<int>(i);
                return true;
            }
        return false;
    }

    /// `HH:MM:SS`
    bool time_of_day(int& h, int& m, int& sec)
    {
        return digits(2, h) && literal(":") && digits(2, m) && literal(":") && digits(2, sec);
    }

private:
    std::string_view s_;
};

std::optional<system_clock::time_point> make_time(int y, int mon, int d, int h, int mi, int s)
{
    const year_month_day ymd{year{y}, month{static_cast<unsigned>(mon)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok() || h > 23 || mi > 59 || s > 60) // 60: a leap second is allowed by the grammar
        return std::nullopt;
    return sys_days{ymd} + hours{h} + minutes{mi} + seconds{s};
}

int current_year(system_clock::time_point now)
{
    const year_month_day ymd{floor<days>(now)};
    return static_cast<int>(ymd.year());
}

} // namespace

bool retryable_status(unsigned status) noexcept
{
    return status == 412 || status == 429 || status == 502 || status == 503 || status == 504;
}

std::optional<system_clock::time_point> parse_http_date(std::string_view text, system_clock::time_point now)
{
    int d = 0, mon = 0, y = 0, h = 0, mi = 0, s = 0;

    // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
    {
        cursor c{text};
        if (c.one_of(short_days) && c.literal(", ") && c.digits(2, d) && c.literal(" ") && c.one_of(month_names, &mon) &&
            c.literal(" ") && c.digits(4, y) && c.literal(" ") && c.time_of_day(h, mi, s) && c.literal(" GMT") && c.done())
            return make_time(y, mon + 1, d, h, mi, s);
    }
    // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
    {
        cursor c{text};
        if (c.one_of(long_days) && c.literal(", ") && c.digits(2, d) && c.literal("-") && c.one_of(month_names, &mon) &&
            c.literal("-") && c.digits(2, y) && c.literal(" ") && c.time_of_day(h, mi, s) && c.literal(" GMT") && c.done()) {
            // RFC 9110: a year more than 50 years in the future is the most recent past one.
            const int now_year = current_year(now);
            int full = now_year / 100 * 100 + y;
            if (full > now_year + 50)
                full -= 100;
            return make_time(full, mon + 1, d, h, mi, s);
        }
    }
    // asctime: Sun Nov  6 08:49:37 1994 (day is two digits or space + digit)
    {
        cursor c{text};
        if (c.one_of(short_days) && c.literal(" ") && c.one_of(month_names, &mon) && c.literal(" ") &&
            (c.literal(" ") ? c.digits(1, d) : c.digits(2, d)) && c.literal(" ") && c.time_of_day(h, mi, s) &&
            c.literal(" ") && c.digits(4, y) && c.done())
            return make_time(y, mon + 1, d, h, mi, s);
    }
    return std::nullopt;
}

std::optional<milliseconds> parse_retry_after(std::string_view value, system_clock::time_point now)
{
    value = trim(value);
    if (value.empty())
        return std::nullopt;
    if (std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); })) {
        // Saturate instead of overflowing: only the order of magnitude matters to callers.
        long long secs = 0;
        for (const char c : value) {
            secs = secs * 10 + (c - '0');
            if (secs >= max_retry_after.count())
                return duration_cast<milliseconds>(max_retry_after);
        }
        return duration_cast<milliseconds>(seconds{secs});
    }
    const auto date = parse_http_date(value, now);
    if (!date)
        return std::nullopt;
    if (*date <= now)
        return milliseconds{0};
    return std::min(duration_cast<milliseconds>(*date - now), duration_cast<milliseconds>(max_retry_after));
}

milliseconds backoff_delay(int retry, milliseconds base, milliseconds max, double jitter) noexcept
{
    if (base <= milliseconds{0} || max <= milliseconds{0})
        return milliseconds{0};
    milliseconds d = base;
    for (int i = 1; i < retry && d < max; ++i)
        d *= 2;
    d = std::min(d, max);
    jitter = std::clamp(jitter, 0.8, 1.2);
    const auto scaled = milliseconds{static_cast<milliseconds::rep>(static_cast<double>(d.count()) * jitter)};
    return std::min(scaled, max);
}

} // namespace ab::adapters::http
