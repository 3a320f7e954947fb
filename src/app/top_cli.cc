// `dbinsight top`; see top_cli.h.
#include "app/top_cli.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>

#include "app/loadgen_cli.h"
#include "app/serve.h"
#include "common/log.h"
#include "config/config.h"
#include "loadgen/session.h"
#include "top/live.h"
#include "top/terminal.h"

namespace dbinsight::app {

namespace {

// What top's own sessions are called on the server.
constexpr std::string_view kTopApplication = "dbinsight-top";

// The instance to watch, as serve would configure it, and what the header
// calls it (never with a password).
struct Watched {
  config::InstanceConfig instance;
  std::string label;
};

Result<Watched> FromConfig(const TopCommand& command) {
  auto cfg = config::LoadConfig(command.config);
  if (!cfg.ok()) return cfg.status();
  if (cfg->instances.empty()) return Status::InvalidArgument(command.config + ": no instances");
  if (command.instance.empty()) return Watched{cfg->instances.front(), cfg->instances.front().info.id};
  std::string ids;
  for (const config::InstanceConfig& ic : cfg->instances) {
    if (ic.info.id == command.instance) return Watched{ic, ic.info.id};
    ids += (ids.empty() ? "" : ", ") + ic.info.id;
  }
  return Status::NotFound("--instance " + command.instance + ": not in " + command.config + " (" + ids + ")");
}

Result<Watched> FromTarget(const TopCommand& command) {
  auto target = loadgen::ParseTarget(command.target);
  if (!target.ok()) return target.status();
  Watched w;
  w.label = log::RedactDsn(command.target);
  config::InstanceConfig& ic = w.instance;
  ic.info.id = "target";
  ic.info.engine = std::string(loadgen::EngineName(target->engine));
  ic.info.vcpus = command.vcpus;
  ic.connect = target->postgres;
  ic.connect.application_name = std::string(kTopApplication);  // a fallback: the DSN's own wins
  ic.mysql = target->mariadb;
  // ParseTarget names sessions after loadgen unless the URI names them.
  if (ic.mysql.program_name == loadgen::kApplicationName) ic.mysql.program_name = std::string(kTopApplication);
  return w;
}

// Columns of a snapshot: $COLUMNS when a shell exported it, else 120.
int SnapshotWidth() {
  const char* columns = std::getenv("COLUMNS");
  const int n = columns ? std::atoi(columns) : 0;
  return n > 0 ? n : 120;
}

}  // namespace

CLI::App* AddTopCommand(CLI::App& cli, TopCommand& command) {
  auto* sub = cli.add_subcommand("top", "Live terminal view of DB load, top sessions and statements: docs/top.md");
  auto* config = sub->add_option("--config,-c", command.config, "YAML config file (its instance's DSN and password)")
                     ->check(CLI::ExistingFile);
  sub->add_option("--instance", command.instance, "Instance id in the config (default: the first)")->needs(config);
  auto* target = sub->add_option("--target", command.target,
                                 "DSN: libpq URI or keyword/value conninfo, or mysql://user@host:port/?socket=...")
                     ->excludes(config);
  sub->add_option("--vcpus", command.vcpus, "vCPUs of the target, shown beside the load")
      ->needs(target)
      ->check(CLI::PositiveNumber);
  sub->add_flag("--once", command.once, "Print one snapshot and exit (also when stdout is not a terminal)");
  sub->add_option("--samples", command.samples, "Samples a snapshot averages, one per sample interval")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  sub->add_option_function<std::string>(
         "--window",
         [&command](const std::string& text) {
           auto d = ParseDuration(text);
           if (!d.ok()) throw CLI::ValidationError(d.status().message());
           command.window = d.value();
         },
         "How far back loads are averaged, e.g. 10s, 1m")
      ->default_str("10s");
  return sub;
}

int RunTop(const TopCommand& command, std::ostream& out, std::ostream& err) {
  if (command.config.empty() == command.target.empty()) {
    err << "top: give --config FILE or --target DSN\n";
    return 2;
  }
  auto watched = command.config.empty() ? FromTarget(command) : FromConfig(command);
  if (!watched.ok()) {
    err << "top: " << watched.status().message() << "\n";
    return 2;
  }
  // Log lines would land in the middle of the screen (or the snapshot);
  // sampling failures show in the header instead.
  log::SetLevel(log::Level::kError);
  const config::InstanceConfig& ic = watched->instance;
  sql::NormalizerCache normalizer;
  std::unique_ptr<collect::Sampler> sampler = MakeSampler(ic, normalizer);
  SystemClock clock;
  const top::Header header{.instance = watched->label, .engine = ic.info.engine, .vcpus = ic.info.vcpus};
  const top::LiveOptions options{.window = command.window, .interval = ic.sampler.interval};
  if (!command.once && top::IsTerminal(STDIN_FILENO) && top::IsTerminal(STDOUT_FILENO)) {
    if (Status st = top::RunInteractive(*sampler, clock, header, options, STDIN_FILENO, STDOUT_FILENO); !st.ok()) {
      err << "top: " << st.message() << "\n";
      return 1;
    }
    return 0;
  }
  if (Status st = top::PrintSnapshot(*sampler, clock, header, options, command.samples, SnapshotWidth(), out);
      !st.ok()) {
    err << "top: " << st.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace dbinsight::app
