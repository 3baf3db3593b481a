#include "bot/serve/escalations_command.hpp"

#include "adapters/storage/sqlite_storage.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <ctime>
#include <iostream>

namespace ab::bot::serve {

namespace {

using json = nlohmann::json;

template <class T>
T run(net::io_context& ioc, task<T> t)
{
    auto f = net::co_spawn(ioc, std::move(t), net::use_future);
    ioc.restart();
    ioc.run();
    return f.get();
}

std::string when(std::int64_t ms)
{
    if (ms <= 0)
        return "-";
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

} // namespace

int escalations(const escalations_query& q, std::ostream& out, std::ostream& err)
{
    const auto file = q.data_dir / "state.sqlite";
    if (!std::filesystem::exists(file)) {
        err << "no escalations: " << file.string() << " does not exist\n";
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
    auto counts = run(ioc, store->counts());
    if (!counts) {
        err << "error: " << counts.error().message() << "\n";
        return 2;
    }
    std::vector<ports::outbox_delivery> rows;
    const std::vector<std::string> statuses = q.status.empty() ? std::vector<std::string>{"pending", "rejected"} : std::vector<std::string>{q.status};
    for (const auto& status : statuses) {
        auto page = run(ioc, store->list(status, q.limit));
        if (!page) {
            err << "error: " << page.error().message() << "\n";
            return 2;
        }
        rows.insert(rows.end(), page->begin(), page->end());
    }
    if (q.json) {
        out << json{{"counts", *counts}}.dump() << "\n";
        for (const auto& d : rows)
            out << json{{"id", d.id},
                        {"sink", d.sink},
                        {"status", d.status},
                        {"attempts", d.attempts},
                        {"next_attempt_at", when(d.next_attempt_at)},
                        {"last_error", d.last_error},
                        {"external_id", d.external_id},
                        {"escalation_id", d.payload.value("escalationId", "")},
                        {"event", d.payload.value("event", "")},
                        {"created_at", when(d.created_at)}}
                       .dump(-1, ' ', false, json::error_handler_t::replace)
                << "\n";
        return 0;
    }
    out << "deliveries per sink:\n";
    if (counts->empty())
        out << "  (none)\n";
    for (const auto& [sink, by_status] : *counts) {
        out << "  " << sink << ":";
        for (const auto& [status, n] : by_status)
            out << "  " << status << " " << n;
        out << "\n";
    }
    for (const auto& d : rows)
        out << d.status << "  " << d.sink << "  " << d.payload.value("escalationId", "") << " " << d.payload.value("event", "")
            << "  attempts " << d.attempts << "  next " << (d.status == "pending" ? when(d.next_attempt_at) : "-")
            << (d.last_error.empty() ? "" : "  last error: " + d.last_error) << "\n";
    return 0;
}

} // namespace ab::bot::serve
