#pragma once
// In-process implementation of both storage ports, for tests and `AB_STORE=memory` (house style
// rule 31). It applies the same rules as the SQLite backend (rules.hpp): key and size limits,
// values kept as JSON text and parsed on load, ETag checks, idempotency keys. Nothing survives
// the object.

#include "adapters/storage/rules.hpp"
#include "bot/ports/outbox.hpp"
#include "bot/ports/storage.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace ab::adapters::storage {

/// Both ports in memory. Thread-safe (one mutex; no call suspends), so tests may drive one object
/// from several threads. ETags are "m<N>" from a per-object counter, so never reused.
class memory_storage final : public ports::state_store, public ports::record_log, public ports::outbox {
public:
    /// `clock` sets recorded_at (default: the system clock).
    explicit memory_storage(wall_clock clock = {});

    task<boost::system::result<std::optional<ports::stored_document>>> load(std::string key) override;
    task<boost::system::result<std::string>> save(std::string key, nlohmann::json value,
                                                  ports::etag_match expected) override;
    task<boost::system::result<void>> erase(std::string key, ports::etag_match expected) override;

    task<boost::system::result<std::int64_t>> append(std::string kind, nlohmann::json data,
                                                     std::string idempotency_key) override;
    task<boost::system::result<std::vector<ports::record>>> list(std::string kind, std::int64_t after_seq,
                                                                 std::size_t limit) override;

    task<boost::system::result<std::string>> save_and_enqueue(std::string key, nlohmann::json value, ports::etag_match expected,
                                                              std::vector<ports::outbox_delivery> deliveries) override;
    task<boost::system::result<std::vector<ports::outbox_delivery>>> take_due(std::int64_t now_ms, std::int64_t lease_ms,
                                                                               std::size_t limit) override;
    task<boost::system::result<void>> record_attempt(std::string id, std::string status, std::int64_t next_attempt_at,
                                                     std::string error, std::string external_id) override;
    task<boost::system::result<std::optional<ports::outbox_delivery>>> delivery(std::string id) override;
    task<boost::system::result<ports::outbox_counts>> counts() override;
    task<boost::system::result<std::vector<ports::outbox_delivery>>> list(std::string status, std::size_t limit) override;

private:
    struct entry {
        std::string text; ///< the value as stored (encode_value)
        std::string etag;
    };
    struct stored_record {
        std::int64_t seq = 0;
        std::string idempotency_key;
        std::string recorded_at;
        std::string data; ///< JSON text
    };

    boost::system::result<std::optional<ports::stored_document>> load_now(const std::string& key) const;
    boost::system::result<std::string> save_now(const std::string& key, const nlohmann::json& value,
                                                const ports::etag_match& expected);
    boost::system::result<std::string> save_locked(const std::string& key, std::string text, const ports::etag_match& expected);
    boost::system::result<void> erase_now(const std::string& key, const ports::etag_match& expected);
    boost::system::result<std::int64_t> append_now(const std::string& kind, const nlohmann::json& data,
                                                   const std::string& idempotency_key);
    boost::system::result<std::vector<ports::record>> list_now(const std::string& kind, std::int64_t after_seq,
                                                               std::size_t limit) const;

    wall_clock clock_;
    mutable std::mutex mutex_;
    std::map<std::string, entry> documents_;
    std::uint64_t etag_counter_ = 0;
    std::map<std::string, std::vector<stored_record>> records_; ///< by kind, each in seq order
    std::int64_t last_seq_ = 0;
    std::map<std::pair<std::string, std::string>, std::int64_t> idempotency_; ///< (kind, key) → seq
    std::map<std::string, ports::outbox_delivery> outbox_;                    ///< by delivery id
};

} // namespace ab::adapters::storage
