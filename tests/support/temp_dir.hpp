#pragma once
// A fresh directory under the system temp dir, removed with everything in it at scope exit.
#include <filesystem>
#include <string_view>

namespace ab::test {

class temp_dir {
public:
    temp_dir();
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    /// Writes `content` to `relative` (creating folders) and returns the full path.
    std::filesystem::path write(const std::filesystem::path& relative, std::string_view content) const;

private:
    std::filesystem::path path_;
};

} // namespace ab::test
