#include "bot/schema/errc.hpp"

#include <string>

namespace ab::bot::schema {

namespace {

std::string_view description(errc e) noexcept
{
    switch (e) {
    case errc::empty_body: return "the request body is empty";
    case errc::malformed_json: return "the request body is not valid JSON";
    case errc::not_an_object: return "the activity is not a JSON object";
    case errc::missing_field:
        return "a required field is missing (type, channelId, serviceUrl, conversation.id, from.id)";
    case errc::wrong_type: return "a required field has the wrong JSON type";
    case errc::too_deep: return "the activity is nested too deeply";
    case errc::string_too_long: return "the activity contains an over-long string";
    }
    return "unknown schema error";
}

// error_category's destructor is protected and non-virtual by design (categories are never
// deleted through the base); Boost silences the same warning in its own header.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class schema_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "schema"; }

    std::string message(int ev) const override
    {
        const auto e = static_cast<errc>(ev);
        return "[" + std::string(error_id(e)) + "] " + std::string(description(e));
    }
};
#pragma GCC diagnostic pop

} // namespace

const boost::system::error_category& schema_category() noexcept
{
    static const schema_category_impl instance;
    return instance;
}

boost::system::error_code make_error_code(errc e) noexcept
{
    return {static_cast<int>(e), schema_category()};
}

std::string_view error_id(errc e) noexcept
{
    switch (e) {
    case errc::empty_body: return "schema.empty_body";
    case errc::malformed_json: return "schema.malformed_json";
    case errc::not_an_object: return "schema.not_an_object";
    case errc::missing_field: return "schema.missing_field";
    case errc::wrong_type: return "schema.wrong_type";
    case errc::too_deep: return "schema.too_deep";
    case errc::string_too_long: return "schema.string_too_long";
    }
    return "schema.unknown";
}

} // namespace ab::bot::schema
