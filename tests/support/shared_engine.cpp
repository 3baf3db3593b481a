#include "tests/support/shared_engine.hpp"

namespace ab::test {

const knowledge::content& builtin_content()
{
    static const knowledge::content c = knowledge::content::builtin();
    return c;
}

const knowledge::classifier& builtin_classifier()
{
    static const knowledge::classifier m = knowledge::classifier::train(builtin_content());
    return m;
}

} // namespace ab::test
