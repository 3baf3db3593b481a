#pragma once
// `access-bot audit`: the admin-action audit log (record_log kind "audit" in
// DATA/state.sqlite), oldest first: every attempt with who, what, parameters,
// before/after, executor, result and the correlation id of the turn.

#include <filesystem>
#include <iosfwd>
#include <string>

namespace ab::bot::serve {

struct audit_query {
    std::filesystem::path data_dir;
    std::size_t limit = 200;    ///< entries at most
    std::int64_t after_seq = 0; ///< only entries after this sequence number
    std::string action_id;      ///< only this action's entries ("" = all)
    bool json = false;          ///< JSON Lines instead of a table
};

/// Prints the entries; returns the exit code (0, or 2 when the store cannot be
/// opened).
int audit(const audit_query& q, std::ostream& out, std::ostream& err);

} // namespace ab::bot::serve
