#pragma once
// The model for the built-in content with default options, trained at build time (ab-model-gen)
// and compiled into the executable's read-only data (target knowledge_model).

#include <cstddef>
#include <span>

namespace ab::knowledge {

/// The image (model_image.hpp), 64-byte aligned. classifier::load_or_train uses it when its
/// fingerprint matches the content and options being loaded, and ignores it otherwise.
std::span<const std::byte> prebuilt_model();

} // namespace ab::knowledge
