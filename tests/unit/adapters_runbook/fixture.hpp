#pragma once
// Reads the shared fixtures of tests/fixtures/runbook and the runbook script.
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace ab::test {

inline std::string source_file(const std::string& relative)
{
    std::ifstream in(std::string(AB_SOURCE_DIR) + "/" + relative, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot open " + relative);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace ab::test
