#pragma once
// Ports: durable state behind the dialogs (implemented by adapters/storage: memory, SQLite; later
// PostgreSQL). Two small interfaces, house style 7.1 rule 4:
//  - state_store: JSON documents by key with an ETag for optimistic concurrency (conversation
//    state, user preferences). Several instances may share one backend; a save whose ETag no
//    longer matches fails with storage_errc::conflict and the caller reloads.
//  - record_log: append-only records by kind (feedback for analytics; later audit entries), with
//    an optional idempotency key so a repeated click records once.
// Expected failures are values (storage_errc); only bugs throw.

#include "bot/async.hpp"

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace ab::bot::ports {

enum class storage_errc {
    conflict = 1, ///< [storage.conflict] the ETag did not match (someone else saved first)
    unavailable,  ///< [storage.unavailable] the backend cannot be reached / is locked / I/O error
    corrupt,      ///< [storage.corrupt] stored data cannot be read back (not JSON, bad file)
    too_large,    ///< [storage.too_large] value above max_value_bytes
    bad_key,      ///< [storage.bad_key] empty key or key above max_key_bytes
};

const boost::system::error_category& storage_category() noexcept;
inline boost::system::error_code make_error_code(storage_errc e) noexcept
{
    return {static_cast<int>(e), storage_category()};
}

inline constexpr std::size_t max_key_bytes = 512;
inline constexpr std::size_t max_value_bytes = 256 * 1024;

/// A stored document and the ETag it was stored under.
struct stored_document {
    nlohmann::json value;
    std::string etag;
};

/// ETag expectations for save/erase.
struct etag_match {
    enum class kind { any, absent, equals } what = kind::any;
    std::string etag;

    static etag_match any_version() { return {}; }
    static etag_match must_be_absent() { return {kind::absent, {}}; }
    static etag_match must_equal(std::string e) { return {kind::equals, std::move(e)}; }
};

class state_store {
public:
    virtual ~state_store() = default;

    /// The document under `key`, or nullopt when there is none.
    virtual task<boost::system::result<std::optional<stored_document>>> load(std::string key) = 0;

    /// The documents under `keys`, in the same order (nullopt where there is none; a key may
    /// repeat), read as one consistent snapshot in one round trip where the backend can (SQLite:
    /// one read transaction on its thread). Any bad key fails the whole call with bad_key before
    /// anything is read. This default loads the keys one by one.
    virtual task<boost::system::result<std::vector<std::optional<stored_document>>>> load_many(std::vector<std::string> keys);

    /// Stores `value` under `key` if `expected` holds; returns the new ETag (different from every
    /// earlier ETag of that key). conflict when `expected` does not hold.
    virtual task<boost::system::result<std::string>> save(std::string key, nlohmann::json value, etag_match expected) = 0;

    /// Removes `key` if `expected` holds (removing an absent key with any_version succeeds).
    virtual task<boost::system::result<void>> erase(std::string key, etag_match expected) = 0;
};

/// One appended record.
struct record {
    std::int64_t seq = 0;        ///< increasing in append order, per backend
    std::string kind;            ///< e.g. "feedback"
    std::string idempotency_key; ///< empty when none was given
    std::string recorded_at;     ///< ISO-8601 UTC with milliseconds, set by the backend
    nlohmann::json data;
};

class record_log {
public:
    virtual ~record_log() = default;

    /// Appends a record and returns its seq. When `idempotency_key` is not empty and a record of
    /// the same kind with that key exists, nothing is appended and the existing seq is returned.
    virtual task<boost::system::result<std::int64_t>> append(std::string kind, nlohmann::json data, std::string idempotency_key) = 0;

    /// Records of `kind` with seq > after_seq, oldest first, at most `limit`.
    virtual task<boost::system::result<std::vector<record>>> list(std::string kind, std::int64_t after_seq, std::size_t limit) = 0;
};

} // namespace ab::bot::ports

template <>
struct boost::system::is_error_code_enum<ab::bot::ports::storage_errc> : std::true_type {};
