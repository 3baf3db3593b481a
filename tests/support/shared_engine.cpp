#include "tests/support/shared_engine.hpp"

namespace ab::test {

const knowledge::content& builtin_content()
{
    static const knowledge::content c = knowledge::content::builtin();
    return c;
}

const knowledge::classifier& builtin_classifier()
{
    // Every test runs in its own process (gtest_discover_tests): share one trained model through
    // the model cache in the build tree, so only the first process pays for training.
    static const knowledge::classifier m =
        knowledge::classifier::load_or_train(builtin_content(), {}, std::filesystem::path(AB_TEST_CACHE_DIR) / "model.cache");
    return m;
}

} // namespace ab::test
