#pragma once
// `access-bot serve`: the composition of the endpoint. Owns every long-lived service (house
// style 7.5 rule 26): configuration, knowledge, HTTP server and client, channel authentication
// with its signing keys, the Connector client and the turn pipeline; runs them on one I/O thread.

#include "bot/config/config.hpp"

#include <filesystem>
#include <optional>
#include <vector>

namespace ab::bot::serve {

struct options {
    config::settings settings;
    std::optional<std::filesystem::path> knowledge_dir;
    std::vector<std::filesystem::path> train_extra;
};

/// Runs until SIGTERM/SIGINT; returns the process exit code (0 after a graceful shutdown).
int run(const options& opt);

} // namespace ab::bot::serve
