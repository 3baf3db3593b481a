#include "bot/serve/audit_command.hpp"

#include "adapters/storage/sqlite_storage.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <iostream>

namespace ab::bot::serve {

namespace {

using json = nlohmann::json;

std::string str(const json& j, const char* key)
{
    const auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return {};
    return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string compact(const json& v)
{
    if (v.is_null() || (v.is_object() && v.empty()))
        return "-";
    return v.is_string() ? v.get<std::string>() : v.dump();
}

} // namespace

int audit(const audit_query& q, std::ostream& out, std::ostream& err)
{
    const auto file = q.data_dir / "state.sqlite";
    if (!std::filesystem::exists(file)) {
        err << "no audit log: " << file.string()
            << " does not exist (no admin action has been recorded in this data "
               "directory)\n";
        return 0;
    }
    std::unique_ptr<adapters::storage::sqlite_storage> store;
    try {
        store = adapters::storage::sqlite_storage::open(file);
    } catch (const std::exception& e) {
        err << "error: " << e.what() << "\n";
        return 2;
    }
    net::io_context ioc;
    std::vector<ports::record> rows;
    std::int64_t after = q.after_seq;
    // Pages of 500 until `limit` entries matched or the log ends.
    while (rows.size() < q.limit) {
        auto f = net::co_spawn(ioc, store->list("audit", after, 500), net::use_future);
        ioc.restart();
        ioc.run();
        auto page = f.get();
        if (!page) {
            err << "error: " << page.error().message() << "\n";
            return 2;
        }
        if (page->empty())
            break;
        for (auto& r : *page) {
            after = r.seq;
            if (!q.action_id.empty() && str(r.data, "action_id") != q.action_id)
                continue;
            rows.push_back(std::move(r));
            if (rows.size() >= q.limit)
                break;
        }
    }
    for (const auto& r : rows) {
        const json& d = r.data;
        if (q.json) {
            out << json{{"seq", r.seq}, {"recorded_at", r.recorded_at}, {"entry", d}}.dump(-1, ' ', false, json::error_handler_t::replace)
                << "\n";
            continue;
        }
        const json actor = d.value("actor", json::object());
        out << r.seq << "  " << r.recorded_at << "  " << str(d, "event") << "/" << str(d, "result") << "\n"
            << "    who:      " << str(actor, "name") << " (" << str(actor, "id") << ")  tenant " << str(d, "tenant_id") << "\n"
            << "    what:     " << (str(d, "setting").empty() ? "-" : str(d, "setting")) << "  " << str(d, "operation") << "  "
            << compact(d.value("parameters", json())) << "\n";
        if (!str(d, "executor").empty())
            out << "    executor: " << str(d, "executor") << (str(d, "reference").empty() ? "" : "  ref " + str(d, "reference")) << "\n";
        if (d.contains("before") || d.contains("after"))
            out << "    before:   " << compact(d.value("before", json())) << "\n"
                << "    after:    " << compact(d.value("after", json())) << "\n";
        if (!str(d, "reason").empty())
            out << "    reason:   " << str(d, "reason") << (str(d, "detail").empty() ? "" : ": " + str(d, "detail")) << "\n";
        if (!str(d, "claimed").empty())
            out << "    claimed:  " << str(d, "claimed") << "\n";
        out << "    action:   " << (str(d, "action_id").empty() ? "-" : str(d, "action_id")) << "  correlation " << str(d, "correlation_id")
            << "\n";
    }
    if (!q.json)
        err << rows.size() << " audit entr" << (rows.size() == 1 ? "y" : "ies") << "\n";
    return 0;
}

} // namespace ab::bot::serve
