#include "adapters/runbook/signature.hpp"

#include "bot/auth/hmac.hpp"


namespace ab::adapters::runbook {

namespace {

constexpr std::string_view prefix = "sha256=";

std::string to_hex(std::string_view bytes)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 0xF]);
    }
    return out;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

std::string hex_of_message(std::string_view secret, std::string_view timestamp, std::string_view body)
{
    std::string message;
    message.reserve(timestamp.size() + 1 + body.size());
    message.append(timestamp).push_back('.');
    message.append(body);
    return to_hex(bot::auth::hmac_sha256(secret, message));
}

// error_category's destructor is protected and non-virtual by design (categories are never
// deleted through the base); GCC warns anyway.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class signature_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "runbook.signature"; }
    std::string message(int ev) const override
    {
        switch (static_cast<signature_errc>(ev)) {
        case signature_errc::missing: return "[runbook.signature_missing] the timestamp or signature header is missing";
        case signature_errc::malformed: return "[runbook.signature_malformed] the timestamp or signature header is garbled";
        case signature_errc::mismatch: return "[runbook.signature_mismatch] the signature does not match";
        case signature_errc::stale: return "[runbook.signature_stale] the timestamp is too far from this clock";
        }
        return "[runbook.signature_unknown]";
    }
};

class callback_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "runbook.callback"; }
    std::string message(int ev) const override
    {
        if (static_cast<callback_errc>(ev) == callback_errc::malformed)
            return "[runbook.callback_malformed] the runbook callback is not of the documented shape";
        return "[runbook.callback_unknown]";
    }
};
#pragma GCC diagnostic pop

/// A non-negative decimal of at most 18 digits (no sign, no spaces).
bool parse_unix_seconds(std::string_view s, std::int64_t& out)
{
    if (s.empty() || s.size() > 18)
        return false;
    std::int64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    out = v;
    return true;
}

/// The 64 hex digits after "sha256=", lower-cased; empty if the value is not of that form.
std::string parse_signature(std::string_view s)
{
    if (s.size() != prefix.size() + 64)
        return {};
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
        if (c != prefix[i])
            return {};
    }
    std::string hex(s.substr(prefix.size()));
    for (char& c : hex) {
        if (c >= 'A' && c <= 'F')
            c = static_cast<char>(c - 'A' + 'a');
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return {};
    }
    return hex;
}

} // namespace

const boost::system::error_category& signature_category() noexcept
{
    static const signature_category_impl instance;
    return instance;
}

const boost::system::error_category& callback_category() noexcept
{
    static const callback_category_impl instance;
    return instance;
}

std::string_view error_id(signature_errc e) noexcept
{
    switch (e) {
    case signature_errc::missing: return "runbook.signature_missing";
    case signature_errc::malformed: return "runbook.signature_malformed";
    case signature_errc::mismatch: return "runbook.signature_mismatch";
    case signature_errc::stale: return "runbook.signature_stale";
    }
    return "runbook.signature_unknown";
}

std::string signature_header(std::string_view secret, std::int64_t timestamp, std::string_view body)
{
    return std::string(prefix) + hex_of_message(secret, std::to_string(timestamp), body);
}

boost::system::result<void> verify_signature(std::string_view secret, std::string_view timestamp_header,
                                             std::string_view signature_header, std::string_view body,
                                             std::int64_t now, std::int64_t max_skew)
{
    const std::string_view ts = trim(timestamp_header);
    const std::string_view sig = trim(signature_header);
    if (ts.empty() || sig.empty())
        return make_error_code(signature_errc::missing);
    std::int64_t when = 0;
    const std::string got = parse_signature(sig);
    if (!parse_unix_seconds(ts, when) || got.empty())
        return make_error_code(signature_errc::malformed);
    // The timestamp is signed as sent (leading zeros included), so hash the header text itself.
    // An empty secret would make the HMAC public knowledge: refuse everything (fail closed).
    if (secret.empty() || !bot::auth::constant_time_equal(hex_of_message(secret, ts, body), got))
        return make_error_code(signature_errc::mismatch);
    // Both values are in [0, 10^18) plus a sane skew, so the differences cannot overflow.
    if (max_skew < 0 || when > now + max_skew || when < now - max_skew)
        return make_error_code(signature_errc::stale);
    return {};
}

boost::system::result<callback> parse_callback(std::string_view body)
{
    const auto malformed = make_error_code(callback_errc::malformed);
    const auto j = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return malformed;

    const auto version = j.find("version");
    if (version == j.end() || !version->is_number_integer() || version->get<std::int64_t>() != 1)
        return malformed;

    const auto required_string = [&j](const char* key, std::string& out) {
        const auto it = j.find(key);
        if (it == j.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
            return false;
        out = it->get<std::string>();
        return true;
    };
    // Optional strings: absent or null mean "". Another type is a malformed callback.
    const auto optional_string = [&j](const char* key, std::string& out) {
        const auto it = j.find(key);
        if (it == j.end() || it->is_null())
            return true;
        if (!it->is_string())
            return false;
        out = it->get<std::string>();
        return true;
    };

    callback c;
    if (!required_string("id", c.id) || !required_string("operation", c.operation) || !required_string("status", c.status))
        return malformed;
    if (c.status != "applied" && c.status != "already_set" && c.status != "failed")
        return malformed;
    if (!optional_string("error", c.error) || !optional_string("jobId", c.job_id))
        return malformed;
    c.before = j.value("before", nlohmann::json());
    c.after = j.value("after", nlohmann::json());
    return c;
}

} // namespace ab::adapters::runbook
