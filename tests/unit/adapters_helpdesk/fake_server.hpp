#pragma once
// The helpdesk sinks' stand-ins (tests/support/loopback_server.hpp) and the shared fixtures.
#include "bot/ports/helpdesk.hpp"
#include "tests/support/escalation_event.hpp"
#include "tests/support/loopback_server.hpp"

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

/// The helpdesk stand-in (webhook receiver or ServiceNow instance).
using fake_server = loopback_server;

} // namespace ab::test
