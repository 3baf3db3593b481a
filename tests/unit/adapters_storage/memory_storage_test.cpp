#include "adapters/storage/memory_storage.hpp"

#include "tests/support/run_sync.hpp"
#include "tests/unit/adapters_storage/outbox_contract.hpp"
#include "tests/unit/adapters_storage/storage_contract.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

// At global scope so that ctest names read "MemoryStorage.<test><memory_backend>".
struct memory_backend {
    ab::adapters::storage::memory_storage store;

    std::string skip_reason() const { return {}; }
    ab::bot::ports::state_store& state() { return store; }
    ab::bot::ports::record_log& records() { return store; }
    ab::bot::ports::outbox& outbox() { return store; }
};

namespace ab::test::storage_contract {
INSTANTIATE_TYPED_TEST_SUITE_P(MemoryStorage, StorageContract, memory_backend);
} // namespace ab::test::storage_contract

namespace ab::test::outbox_contract {
INSTANTIATE_TYPED_TEST_SUITE_P(MemoryOutbox, OutboxContract, memory_backend);
} // namespace ab::test::outbox_contract

namespace {

using namespace ab;
using adapters::storage::memory_storage;

TEST(MemoryStorage, RecordedAtComesFromTheClock)
{
    const auto t = std::chrono::system_clock::time_point{std::chrono::milliseconds{1700000000123}};
    memory_storage store([t] { return t; });
    auto seq = test::run_sync(store.append("feedback", {{"n", 1}}, ""));
    ASSERT_TRUE(seq);
    auto all = test::run_sync(store.list("feedback", 0, 10));
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 1u);
    EXPECT_EQ((*all)[0].recorded_at, "2023-11-14T22:13:20.123Z");
}

TEST(MemoryStorage, ValuesAreCopiesNotShared)
{
    memory_storage store;
    nlohmann::json doc = {{"list", {1, 2}}};
    ASSERT_TRUE(test::run_sync(store.save("k", doc, bot::ports::etag_match::any_version())));
    doc["list"].push_back(3);
    auto loaded = test::run_sync(store.load("k"));
    ASSERT_TRUE(loaded && loaded->has_value());
    EXPECT_EQ((*loaded)->value, (nlohmann::json{{"list", {1, 2}}}));
}

} // namespace
