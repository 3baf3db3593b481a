#pragma once
// The built-in content and a classifier trained on it, built once per test binary (training
// takes a few hundred milliseconds).
#include "knowledge/classifier.hpp"

namespace ab::test {

const knowledge::content& builtin_content();
const knowledge::classifier& builtin_classifier();

} // namespace ab::test
