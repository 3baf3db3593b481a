#pragma once
// The dry-run executor: the default when neither Graph nor a runbook is
// configured. It runs nothing and answers with exactly what would run: the
// PowerShell the runbook would execute, or the Graph request(s), with the
// parameters filled in. The attempt is audited like any other.

#include "bot/ports/admin.hpp"
#include "dialogs/actions/catalog.hpp"

namespace ab::dialogs::actions {

class dry_run_executor final : public bot::ports::setting_executor {
public:
    explicit dry_run_executor(const catalog& c)
        : catalog_(c)
    {
    }

    std::string_view name() const override { return "dry-run"; }
    bool handles(std::string_view operation) const override;
    task<bot::ports::current_value> read(const bot::ports::setting_change& change) override;
    task<bot::ports::change_result> apply(const bot::ports::setting_change& change) override;

    /// What would run for `change` (also used on confirmation cards).
    std::vector<std::string> steps(const bot::ports::setting_change& change) const;

private:
    const catalog& catalog_;
};

} // namespace ab::dialogs::actions
