#pragma once
// `access-bot serve`: the composition of the endpoint. Owns every long-lived service (house
// style 7.5 rule 26): configuration, knowledge, HTTP server and client, channel authentication
// with its signing keys, the Connector client and the turn pipeline; runs them on one I/O thread.

#include "bot/config/config.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace ab::bot::serve {

struct options {
    config::settings settings;
    std::optional<std::filesystem::path> knowledge_dir;
    std::vector<std::filesystem::path> train_extra;
};

/// The endpoint as an object, for `run()` and for integration tests.
class endpoint {
public:
    /// Loads knowledge and builds every service; throws on bad configuration.
    explicit endpoint(const options& opt);
    ~endpoint();
    endpoint(const endpoint&) = delete;
    endpoint& operator=(const endpoint&) = delete;

    /// Binds the listener (port 0: any free port) and starts fetching signing keys.
    std::uint16_t start();
    /// Runs the I/O thread until stop; call from one thread.
    void run();
    /// Thread-safe: begins a graceful shutdown; run() returns when it is done.
    void request_stop();
    /// Keys loaded (or local mode).
    bool ready() const;

    /// The I/O context (for signal handling in run()).
    boost::asio::io_context& app_io();

private:
    class app;
    std::unique_ptr<app> app_;
    std::chrono::steady_clock::time_point t0_;
};

/// Runs until SIGTERM/SIGINT; returns the process exit code (0 after a graceful shutdown).
int run(const options& opt);

} // namespace ab::bot::serve
