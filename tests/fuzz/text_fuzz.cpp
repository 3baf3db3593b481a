// Fuzz target: arbitrary bytes as a user message through normalization, word breaking,
// language id, the intent engine and domain extraction.
#include "knowledge/classifier.hpp"
#include "knowledge/domain.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace {
const ab::knowledge::classifier& engine()
{
    static const ab::knowledge::content c = ab::knowledge::content::builtin();
    static const ab::knowledge::classifier m = [] {
        ab::knowledge::engine_options opt;
        opt.training.epochs = 2; // the fuzzer needs a model, not a good one
        return ab::knowledge::classifier::train(c, opt);
    }();
    return m;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace ab::knowledge;
    const std::string s(reinterpret_cast<const char*>(data), size);
    (void)repair_mojibake(s);
    (void)fold(s);
    (void)split_words(s);
    (void)split_folded(s);
    (void)dominant_script(s);
    (void)extract_domain(s);
    const auto hint = s.size() > 5 ? std::string_view(s).substr(0, 5) : std::string_view("en-US");
    const auto c = engine().classify(s, hint);
    if (c.confidence < 0.0f || c.confidence > 1.0001f)
        __builtin_trap();
    return 0;
}
