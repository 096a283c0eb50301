// Command-line parsing shared by losslab's executables: a bad argument prints CLI11's message
// ("--jobs: Value 0 not in range 1 to 1024", "Run with --help ...") and exits 2, as a bad config
// does, rather than CLI11's own codes (105, 109, ...); --help and --version exit 0.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>

namespace losslab::runner {

constexpr int kExitBadArguments = 2;

// nullopt: the arguments were parsed, go on; otherwise the exit code to return from main.
inline std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : kExitBadArguments;
  }
}

}  // namespace losslab::runner
