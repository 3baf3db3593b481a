#pragma once
// The data files of knowledge/data, compiled into the binary (see cmake/embed.cmake).
#include <string_view>
#include <vector>

namespace ab::knowledge {

struct embedded_file {
    std::string_view path; ///< relative to knowledge/data, e.g. "nl/utterances.json"
    std::string_view data;
};

const std::vector<embedded_file>& embedded_files();

} // namespace ab::knowledge
