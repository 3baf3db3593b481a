#pragma once
// `access-bot escalations`: the helpdesk outbox in DATA/state.sqlite — deliveries per sink and
// status, and the ones still pending or rejected (attempts, next attempt, last error), so a sink
// that is down or refusing is visible.

#include <filesystem>
#include <iosfwd>
#include <string>

namespace ab::bot::serve {

struct escalations_query {
    std::filesystem::path data_dir;
    std::string status;      ///< "pending", "delivered", "rejected" or "" (pending + rejected)
    std::size_t limit = 50;
    bool json = false;
};

int escalations(const escalations_query& q, std::ostream& out, std::ostream& err);

} // namespace ab::bot::serve
