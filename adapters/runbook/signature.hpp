#pragma once
// The signature of the runbook protocol (adapters/runbook/README.md), used in both directions:
// the bot signs its requests to the Automation webhook, the runbook signs its result callbacks.
//
//   X-AccessBot-Timestamp: <unix seconds, decimal>
//   X-AccessBot-Signature: sha256=<lowercase hex HMAC-SHA256(secret, "<timestamp>.<body bytes>")>
//
// A receiver refuses a missing or garbled header, a wrong signature (constant-time compare) and a
// timestamp more than max_skew seconds away from its own clock, in the past or the future.
// Also here: the parser of the runbook's result callback. Never log the secret or a signature.

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace ab::adapters::runbook {

inline constexpr std::string_view timestamp_header_name = "X-AccessBot-Timestamp";
inline constexpr std::string_view signature_header_name = "X-AccessBot-Signature";
inline constexpr std::int64_t default_max_skew = 300; ///< seconds, either direction

/// "sha256=<64 lowercase hex digits>" for `body` sent at `timestamp` (the message signed is the
/// decimal timestamp, a dot, and the body bytes as they are on the wire).
std::string signature_header(std::string_view secret, std::int64_t timestamp, std::string_view body);

/// Why a signed message was refused. Checked in this order: missing, malformed, mismatch, stale,
/// so `stale` means "authentic but too old (or from the future)".
enum class signature_errc {
    missing = 1, ///< [runbook.signature_missing] a header is absent or empty
    malformed,   ///< [runbook.signature_malformed] timestamp not decimal digits, or not "sha256=" + 64 hex
    mismatch,    ///< [runbook.signature_mismatch] the HMAC does not match (also: empty secret, fail closed)
    stale,       ///< [runbook.signature_stale] the timestamp is more than max_skew from `now`
};
const boost::system::error_category& signature_category() noexcept;
inline boost::system::error_code make_error_code(signature_errc e) noexcept { return {static_cast<int>(e), signature_category()}; }
/// The stable id without brackets, e.g. "runbook.signature_stale".
std::string_view error_id(signature_errc e) noexcept;

/// Checks the two header values (as received; surrounding spaces are ignored) against `body`.
/// `now` is the receiver's clock in unix seconds. The hex digits may be of either case.
boost::system::result<void> verify_signature(std::string_view secret, std::string_view timestamp_header,
                                             std::string_view signature_header, std::string_view body,
                                             std::int64_t now, std::int64_t max_skew = default_max_skew);

/// The result the runbook posts back (wire names: version, id, operation, status, before, after,
/// error, jobId). `status` is "applied", "already_set" or "failed".
struct callback {
    std::string id;        ///< the action id of the request
    std::string operation; ///< the operation of the request
    std::string status;
    std::string error;  ///< "" unless failed (or a note on an applied change)
    std::string job_id; ///< the Automation job id, "" when unknown
    nlohmann::json before; ///< the setting as read before; null when not read
    nlohmann::json after;  ///< the setting as read after; null when not read
};

enum class callback_errc {
    malformed = 1, ///< [runbook.callback_malformed] not JSON, version != 1, id/operation missing, bad status or field types
};
const boost::system::error_category& callback_category() noexcept;
inline boost::system::error_code make_error_code(callback_errc e) noexcept { return {static_cast<int>(e), callback_category()}; }

/// Parses a callback body; call it only after verify_signature() accepted the body. Never throws.
boost::system::result<callback> parse_callback(std::string_view body);

} // namespace ab::adapters::runbook

template <>
struct boost::system::is_error_code_enum<ab::adapters::runbook::signature_errc> : std::true_type {};
template <>
struct boost::system::is_error_code_enum<ab::adapters::runbook::callback_errc> : std::true_type {};
