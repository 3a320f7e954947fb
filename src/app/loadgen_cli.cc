// `dbinsight loadgen`; see loadgen_cli.h.
#include "app/loadgen_cli.h"

#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/log.h"
#include "loadgen/scenario.h"

namespace dbinsight::app {

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  const std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  const auto bad = [&] {
    return Status::InvalidArgument("--duration: '" + std::string(text) + "' is not a positive duration like 60s");
  };
  if (ec != std::errc() || value <= 0) return bad();
  if (unit == "ms") return std::chrono::milliseconds(value);
  if (unit.empty() || unit == "s") return std::chrono::milliseconds(std::chrono::seconds(value));
  if (unit == "m") return std::chrono::milliseconds(std::chrono::minutes(value));
  if (unit == "h") return std::chrono::milliseconds(std::chrono::hours(value));
  return bad();
}

CLI::App* AddLoadgenCommand(CLI::App& cli, LoadgenCommand& command) {
  auto* sub = cli.add_subcommand("loadgen", "Run a workload scenario with known ground truth: docs/loadgen.md");
  std::vector<std::string> names;
  for (const loadgen::Scenario& s : loadgen::Scenarios()) names.emplace_back(s.name);
  sub->add_option("--target", command.run.target,
                  "Target DSN: libpq URI or keyword/value conninfo, or mysql://user@host:port/?socket=...");
  sub->add_option("--scenario", command.run.scenario, "Scenario to run (see --list)")->check(CLI::IsMember(names));
  sub->add_option_function<std::string>(
         "--duration",
         [&command](const std::string& text) {
           auto d = ParseDuration(text);
           if (!d.ok()) throw CLI::ValidationError(d.status().message());
           command.run.duration = d.value();
         },
         "How long the clients run, e.g. 60s, 500ms, 2m")
      ->default_str("60s");
  sub->add_option("--clients", command.run.clients, "Client sessions (default: the scenario's)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--scale", command.run.scale, "Multiplies the scenario's table sizes")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  sub->add_flag("--list", command.list, "Print every scenario and the ground truth it promises");
  sub->add_option("--describe", command.describe, "Print one scenario's ground truth as JSON")
      ->check(CLI::IsMember(names));
  return sub;
}

int RunLoadgen(const LoadgenCommand& command, std::ostream& out, std::ostream& err) {
  if (command.list) {
    out << loadgen::ListText();
    return 0;
  }
  if (!command.describe.empty()) {
    out << loadgen::DescribeJson(*loadgen::FindScenario(command.describe)) << "\n";
    return 0;
  }
  if (command.run.target.empty() || command.run.scenario.empty()) {
    err << "loadgen: --target and --scenario are required (or --list / --describe NAME)\n";
    return 2;
  }
  if (Status st = loadgen::Validate(command.run); !st.ok()) {
    err << "loadgen: " << st.message() << "\n";
    return 2;
  }
  // Blocked before any thread starts, so sigwait() below is the one place
  // that sees them; SIGUSR1 is the runner thread saying it is done.
  sigset_t signals;
  sigemptyset(&signals);
  for (const int sig : {SIGINT, SIGTERM, SIGUSR1}) sigaddset(&signals, sig);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  SystemClock clock;
  auto runner = loadgen::Runner::Prepare(command.run, clock);
  if (!runner.ok()) {
    err << "loadgen: " << runner.status().message() << "\n";
    return 1;
  }
  out << runner.value()->truth().ToJson() << std::endl;
  loadgen::RunSummary summary;
  std::jthread run([&](std::stop_token stop) {
    summary = runner.value()->Run(stop);
    kill(getpid(), SIGUSR1);
  });
  int sig = 0;
  sigwait(&signals, &sig);
  if (sig != SIGUSR1) {
    log::Info("loadgen: received {}, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
    run.request_stop();
  }
  run.join();
  out << summary.ToJson() << std::endl;
  return 0;
}

}  // namespace dbinsight::app
