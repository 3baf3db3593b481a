#pragma once
// Why an inbound activity was rejected. Values are stable error ids ("[schema.missing_field]"),
// compared as `ec == errc::missing_field`, never by message text (house style 7.4).

#include <boost/system/error_category.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/is_error_code_enum.hpp>

#include <string_view>
#include <type_traits>

namespace ab::bot::schema {

enum class errc {
    empty_body = 1,  ///< the body is empty or whitespace only
    malformed_json,  ///< not valid JSON (syntax, bad UTF-8, trailing garbage)
    not_an_object,   ///< valid JSON, but the top level is not an object
    missing_field,   ///< a required field is absent or an empty string: type, channelId, serviceUrl,
                     ///< conversation.id, from.id
    wrong_type,      ///< a required field (or its parent object) has the wrong JSON type
    too_deep,        ///< containers nested deeper than parse_limits::max_depth
    string_too_long, ///< a string or key longer than parse_limits::max_string_bytes (escaped form)
};

/// The category of errc; its name() is "schema".
const boost::system::error_category& schema_category() noexcept;

boost::system::error_code make_error_code(errc e) noexcept;

/// The stable id without brackets, e.g. "schema.missing_field"; "schema.unknown" for other values.
std::string_view error_id(errc e) noexcept;

} // namespace ab::bot::schema

template <>
struct boost::system::is_error_code_enum<ab::bot::schema::errc> : std::true_type {};
