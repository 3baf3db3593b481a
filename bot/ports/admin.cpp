#include "bot/ports/admin.hpp"

namespace ab::bot::ports {

std::string_view outcome_name(change_outcome o) noexcept
{
    switch (o) {
    case change_outcome::applied: return "applied";
    case change_outcome::already_set: return "already_set";
    case change_outcome::pending: return "pending";
    case change_outcome::failed: return "failed";
    case change_outcome::dry_run: return "dry_run";
    }
    return "failed";
}

namespace {

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class directory_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "directory"; }
    std::string message(int ev) const override
    {
        switch (static_cast<directory_errc>(ev)) {
        case directory_errc::unavailable: return "[directory.unavailable] the directory could not be asked";
        case directory_errc::denied: return "[directory.denied] the bot may not read directory memberships";
        case directory_errc::not_found: return "[directory.not_found] no such user in this tenant";
        case directory_errc::malformed: return "[directory.malformed] unexpected answer from the directory";
        }
        return "[directory.unknown] unknown directory error";
    }
};
#pragma GCC diagnostic pop

} // namespace

const boost::system::error_category& directory_category() noexcept
{
    static const directory_category_impl instance;
    return instance;
}

} // namespace ab::bot::ports
