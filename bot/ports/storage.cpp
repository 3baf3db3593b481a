#include "bot/ports/storage.hpp"

namespace ab::bot::ports {

namespace {

// GCC 12 warns about the non-virtual destructor of boost::system::error_category's bases.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class storage_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "storage"; }
    std::string message(int ev) const override
    {
        switch (static_cast<storage_errc>(ev)) {
        case storage_errc::conflict: return "[storage.conflict] the document changed since it was read";
        case storage_errc::unavailable: return "[storage.unavailable] the storage backend is unavailable";
        case storage_errc::corrupt: return "[storage.corrupt] stored data cannot be read";
        case storage_errc::too_large: return "[storage.too_large] value too large";
        case storage_errc::bad_key: return "[storage.bad_key] empty or oversized key";
        }
        return "[storage.unknown] unknown storage error";
    }
};
#pragma GCC diagnostic pop

} // namespace

task<boost::system::result<std::vector<std::optional<stored_document>>>> state_store::load_many(std::vector<std::string> keys)
{
    for (const auto& key : keys)
        if (key.empty() || key.size() > max_key_bytes)
            co_return make_error_code(storage_errc::bad_key);
    std::vector<std::optional<stored_document>> out;
    out.reserve(keys.size());
    for (auto& key : keys) {
        auto one = co_await load(std::move(key));
        if (!one)
            co_return one.error();
        out.push_back(std::move(*one));
    }
    co_return out;
}

const boost::system::error_category& storage_category() noexcept
{
    static const storage_category_impl instance;
    return instance;
}

} // namespace ab::bot::ports
