// `dbinsight top`: a live terminal view of one instance's DB load by wait,
// SQL, user, host, database or application, and its top sessions and
// statements, sampled straight from the server (no store, no API): see
// docs/top.md. The instance comes from a config (its DSN and password
// settings; the first instance unless --instance) or from --target DSN
// (engine chosen as `loadgen --target` does). Output that is not a terminal,
// or --once, gets one plain snapshot.
//
// Free functions; RunTop blocks terminal signals in the calling thread while
// the live view runs, so call it from main() before starting other threads.
#pragma once

#include <chrono>
#include <ostream>
#include <string>

namespace CLI {
class App;
}  // namespace CLI

namespace dbinsight::app {

struct TopCommand {
  std::string config;                        // --config FILE
  std::string instance;                      // --instance ID (with --config); empty: the first
  std::string target;                        // --target DSN
  int vcpus = 0;                             // --vcpus (with --target; a config says it per instance)
  bool once = false;                         // --once: one snapshot even on a terminal
  int samples = 5;                           // --samples: how many samples a snapshot averages
  std::chrono::milliseconds window{10'000};  // --window
};

// Adds the `top` subcommand to cli; parsing fills command.
CLI::App* AddTopCommand(CLI::App& cli, TopCommand& command);

// Runs a parsed `top` subcommand. Returns the exit code: 0 done (q, or a
// snapshot printed), 1 no sample could be taken for the snapshot, 2 bad
// usage or config.
int RunTop(const TopCommand& command, std::ostream& out, std::ostream& err);

}  // namespace dbinsight::app
