// `dbinsight loadgen`: runs a loadgen scenario (loadgen/runner.h) against a
// target, or prints the scenario catalogue (--list, --describe NAME). While a
// scenario runs, stdout carries two JSON lines, `started` (the ground truth,
// flushed as soon as the clients are in place) and `finished`; log lines
// (not starting with `{`) may come between them. SIGINT/SIGTERM stop the run
// early with the same orderly cleanup. docs/loadgen.md.
//
// Free functions; RunLoadgen blocks SIGINT/SIGTERM/SIGUSR1 in the calling
// thread when it runs a scenario, so call it from main() before starting
// other threads.
#pragma once

#include <chrono>
#include <ostream>
#include <string>
#include <string_view>

#include "common/status.h"
#include "loadgen/runner.h"

namespace CLI {
class App;
}  // namespace CLI

namespace dbinsight::app {

struct LoadgenCommand {
  loadgen::RunOptions run;
  bool list = false;
  std::string describe;  // scenario name; empty: not asked
};

// "60s", "500ms", "2m", "1h", or a bare number of seconds. InvalidArgument
// for anything else or a non-positive value.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

// Adds the `loadgen` subcommand to cli; parsing fills command.
CLI::App* AddLoadgenCommand(CLI::App& cli, LoadgenCommand& command);

// Runs a parsed `loadgen` subcommand. Returns the process exit code: 0 done,
// 1 the run failed (target unreachable, setup error), 2 bad usage.
int RunLoadgen(const LoadgenCommand& command, std::ostream& out, std::ostream& err);

}  // namespace dbinsight::app
