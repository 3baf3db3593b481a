#include "adapters/storage/memory_storage.hpp"

#include <algorithm>

namespace ab::adapters::storage {

using ports::etag_match;
using ports::storage_errc;
using result_void = boost::system::result<void>;

memory_storage::memory_storage(wall_clock clock) : clock_(std::move(clock))
{
    if (!clock_)
        clock_ = [] { return std::chrono::system_clock::now(); };
}

task<boost::system::result<std::optional<ports::stored_document>>> memory_storage::load(std::string key)
{
    co_return load_now(key);
}

task<boost::system::result<std::string>> memory_storage::save(std::string key, nlohmann::json value,
                                                              etag_match expected)
{
    co_return save_now(key, value, expected);
}

task<result_void> memory_storage::erase(std::string key, etag_match expected)
{
    co_return erase_now(key, expected);
}

task<boost::system::result<std::int64_t>> memory_storage::append(std::string kind, nlohmann::json data,
                                                                 std::string idempotency_key)
{
    co_return append_now(kind, data, idempotency_key);
}

task<boost::system::result<std::vector<ports::record>>> memory_storage::list(std::string kind,
                                                                             std::int64_t after_seq,
                                                                             std::size_t limit)
{
    co_return list_now(kind, after_seq, limit);
}

boost::system::result<std::optional<ports::stored_document>> memory_storage::load_now(const std::string& key) const
{
    if (auto ec = check_key(key))
        return ec;
    std::lock_guard lock(mutex_);
    const auto it = documents_.find(key);
    if (it == documents_.end())
        return std::optional<ports::stored_document>{};
    auto value = decode_value(it->second.text);
    if (!value)
        return value.error();
    return std::optional<ports::stored_document>{ports::stored_document{std::move(*value), it->second.etag}};
}

boost::system::result<std::string> memory_storage::save_now(const std::string& key, const nlohmann::json& value,
                                                            const etag_match& expected)
{
    if (auto ec = check_key(key))
        return ec;
    auto text = encode_value(value);
    if (!text)
        return text.error();
    std::lock_guard lock(mutex_);
    return save_locked(key, std::move(*text), expected);
}

boost::system::result<std::string> memory_storage::save_locked(const std::string& key, std::string text, const etag_match& expected)
{
    auto it = documents_.find(key);
    switch (expected.what) {
    case etag_match::kind::any: break;
    case etag_match::kind::absent:
        if (it != documents_.end())
            return make_error_code(storage_errc::conflict);
        break;
    case etag_match::kind::equals:
        if (it == documents_.end() || it->second.etag != expected.etag)
            return make_error_code(storage_errc::conflict);
        break;
    }
    std::string etag = "m" + std::to_string(++etag_counter_);
    documents_.insert_or_assign(key, entry{std::move(text), etag});
    return etag;
}

result_void memory_storage::erase_now(const std::string& key, const etag_match& expected)
{
    if (auto ec = check_key(key))
        return ec;
    std::lock_guard lock(mutex_);
    auto it = documents_.find(key);
    switch (expected.what) {
    case etag_match::kind::any: break;
    case etag_match::kind::absent:
        // Holds only when there is nothing to remove.
        if (it != documents_.end())
            return make_error_code(storage_errc::conflict);
        return {};
    case etag_match::kind::equals:
        if (it == documents_.end() || it->second.etag != expected.etag)
            return make_error_code(storage_errc::conflict);
        break;
    }
    if (it != documents_.end())
        documents_.erase(it);
    return {};
}

boost::system::result<std::int64_t> memory_storage::append_now(const std::string& kind, const nlohmann::json& data,
                                                               const std::string& idempotency_key)
{
    if (auto ec = check_key(kind))
        return ec;
    if (idempotency_key.size() > ports::max_key_bytes)
        return make_error_code(storage_errc::bad_key);
    auto text = encode_value(data);
    if (!text)
        return text.error();
    std::lock_guard lock(mutex_);
    if (!idempotency_key.empty()) {
        if (auto it = idempotency_.find({kind, idempotency_key}); it != idempotency_.end())
            return it->second;
    }
    const std::int64_t seq = ++last_seq_;
    records_[kind].push_back(stored_record{seq, idempotency_key, format_recorded_at(clock_()), std::move(*text)});
    if (!idempotency_key.empty())
        idempotency_.emplace(std::pair{kind, idempotency_key}, seq);
    return seq;
}

boost::system::result<std::vector<ports::record>> memory_storage::list_now(const std::string& kind,
                                                                           std::int64_t after_seq,
                                                                           std::size_t limit) const
{
    if (auto ec = check_key(kind))
        return ec;
    std::vector<ports::record> out;
    std::lock_guard lock(mutex_);
    const auto it = records_.find(kind);
    if (it == records_.end())
        return out;
    const auto& all = it->second;
    auto first = std::upper_bound(all.begin(), all.end(), after_seq,
                                  [](std::int64_t s, const stored_record& r) { return s < r.seq; });
    for (; first != all.end() && out.size() < limit; ++first) {
        auto data = decode_value(first->data);
        if (!data)
            return data.error();
        out.push_back(ports::record{first->seq, kind, first->idempotency_key, first->recorded_at, std::move(*data)});
    }
    return out;
}

// --- outbox ---------------------------------------------------------------------------------

task<boost::system::result<std::string>> memory_storage::save_and_enqueue(std::string key, nlohmann::json value, etag_match expected,
                                                                          std::vector<ports::outbox_delivery> deliveries)
{
    if (auto ec = check_key(key))
        co_return ec;
    auto text = encode_value(value);
    if (!text)
        co_return text.error();
    std::lock_guard lock(mutex_);
    auto saved = save_locked(key, std::move(*text), expected);
    if (!saved)
        co_return saved;
    for (auto& d : deliveries) {
        if (outbox_.count(d.id))
            continue;
        d.status = "pending";
        d.attempts = 0;
        outbox_.emplace(d.id, std::move(d));
    }
    co_return saved;
}

task<boost::system::result<std::vector<ports::outbox_delivery>>> memory_storage::take_due(std::int64_t now_ms, std::int64_t lease_ms,
                                                                                         std::size_t limit)
{
    std::lock_guard lock(mutex_);
    std::vector<ports::outbox_delivery*> due;
    for (auto& [id, d] : outbox_)
        if (d.status == "pending" && d.next_attempt_at <= now_ms)
            due.push_back(&d);
    std::sort(due.begin(), due.end(),
              [](const auto* a, const auto* b) { return a->created_at != b->created_at ? a->created_at < b->created_at : a->id < b->id; });
    std::vector<ports::outbox_delivery> out;
    for (auto* d : due) {
        if (out.size() >= limit)
            break;
        d->next_attempt_at = now_ms + lease_ms;
        out.push_back(*d);
    }
    co_return out;
}

task<boost::system::result<void>> memory_storage::record_attempt(std::string id, std::string status, std::int64_t next_attempt_at,
                                                                 std::string error, std::string external_id)
{
    std::lock_guard lock(mutex_);
    auto it = outbox_.find(id);
    if (it == outbox_.end() || it->second.status != "pending")
        co_return boost::system::result<void>{}; // unknown or already final: nothing to change
    auto& d = it->second;
    d.status = std::move(status);
    ++d.attempts;
    d.next_attempt_at = next_attempt_at;
    d.last_error = std::move(error);
    if (!external_id.empty())
        d.external_id = std::move(external_id);
    co_return boost::system::result<void>{};
}

task<boost::system::result<std::optional<ports::outbox_delivery>>> memory_storage::delivery(std::string id)
{
    std::lock_guard lock(mutex_);
    auto it = outbox_.find(id);
    if (it == outbox_.end())
        co_return std::optional<ports::outbox_delivery>{};
    co_return std::optional<ports::outbox_delivery>{it->second};
}

task<boost::system::result<ports::outbox_counts>> memory_storage::counts()
{
    std::lock_guard lock(mutex_);
    ports::outbox_counts out;
    for (const auto& [id, d] : outbox_)
        ++out[d.sink][d.status];
    co_return out;
}

task<boost::system::result<std::vector<ports::outbox_delivery>>> memory_storage::list(std::string status, std::size_t limit)
{
    std::lock_guard lock(mutex_);
    std::vector<ports::outbox_delivery> out;
    for (const auto& [id, d] : outbox_)
        if (status.empty() || d.status == status)
            out.push_back(d);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.created_at != b.created_at ? a.created_at > b.created_at : a.id > b.id; });
    if (out.size() > limit)
        out.resize(limit);
    co_return out;
}

} // namespace ab::adapters::storage
