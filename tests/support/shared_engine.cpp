#include "tests/support/shared_engine.hpp"

#include "knowledge/prebuilt_model.hpp"

namespace ab::test {

const knowledge::content& builtin_content()
{
    static const knowledge::content c = knowledge::content::builtin();
    return c;
}

const knowledge::classifier& builtin_classifier()
{
    // The model the build trained and compiled in, as the bot uses it; the cache in the build tree
    // is only written if that image does not match (it always should).
    static const knowledge::classifier m = knowledge::classifier::load_or_train(
        builtin_content(), {}, std::filesystem::path(AB_TEST_CACHE_DIR) / "model.cache", knowledge::prebuilt_model());
    return m;
}

} // namespace ab::test
