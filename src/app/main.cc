// dbinsight: the single binary. Subcommands: serve, anomaly score, notify
// dead-letters|redrive, loadgen, report, top.
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/anomaly_cli.h"
#include "app/loadgen_cli.h"
#include "app/notify_cli.h"
#include "app/report_cli.h"
#include "app/top_cli.h"
#include "config/config.h"
#include "app/serve.h"

int main(int argc, char** argv) {
  CLI::App cli{"dbinsight: database performance insights for PostgreSQL"};
  cli.require_subcommand(1);
  std::string config_path;
  auto* serve = cli.add_subcommand("serve", "Sample the configured instances and serve the APIs");
  serve->add_option("--config,-c", config_path, "YAML config file")->required()->check(CLI::ExistingFile);
  auto* anomaly = cli.add_subcommand("anomaly", "Anomaly detector tools")->require_subcommand(1);
  auto* score = anomaly->add_subcommand(
      "score", "Score a timestamp,value CSV with the streaming detector (no look-ahead): docs/anomaly.md");
  std::string anomaly_in, anomaly_out;
  dbinsight::app::AnomalyScoreOptions anomaly_options;
  score->add_option("--in", anomaly_in, "Input CSV (header with timestamp and value)")->required();
  score->add_option("--out", anomaly_out, "Output CSV: timestamp,value,anomaly_score,label")->required();
  score->add_option("--k", anomaly_options.k, "Band width in standard deviations for the label column")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  auto* notify = cli.add_subcommand("notify", "The notification outbox's dead-letter queue")->require_subcommand(1);
  std::string notify_config;
  std::string message_id;
  auto* dead = notify->add_subcommand("dead-letters", "List deliveries that ran out of attempts");
  dead->add_option("--config,-c", notify_config, "YAML config file (its store holds the outbox)")
      ->required()
      ->check(CLI::ExistingFile);
  auto* redrive = notify->add_subcommand("redrive", "Queue dead deliveries again (all, or one message's)");
  redrive->add_option("--config,-c", notify_config, "YAML config file (its store holds the outbox)")
      ->required()
      ->check(CLI::ExistingFile);
  redrive->add_option("--message-id", message_id, "Only this MessageId");
  dbinsight::app::LoadgenCommand loadgen_command;
  auto* loadgen = dbinsight::app::AddLoadgenCommand(cli, loadgen_command);
  dbinsight::app::ReportCommand report_command;
  auto* report = dbinsight::app::AddReportCommand(cli, report_command);
  dbinsight::app::TopCommand top_command;
  auto* top = dbinsight::app::AddTopCommand(cli, top_command);
  CLI11_PARSE(cli, argc, argv);
  if (top->parsed()) return dbinsight::app::RunTop(top_command, std::cout, std::cerr);
  if (report->parsed()) return dbinsight::app::RunReport(report_command, std::cout, std::cerr);
  if (loadgen->parsed()) return dbinsight::app::RunLoadgen(loadgen_command, std::cout, std::cerr);
  if (dead->parsed() || redrive->parsed()) {
    auto cfg = dbinsight::config::LoadConfig(notify_config);
    dbinsight::Status status = cfg.status();
    if (status.ok()) {
      status = dead->parsed()
                   ? dbinsight::app::ListDeadLetters(cfg->store.directory, std::cout)
                   : dbinsight::app::RedriveDeadLetters(
                         cfg->store.directory, message_id.empty() ? std::nullopt : std::optional(message_id), std::cout);
    }
    if (!status.ok()) std::cerr << status.ToString() << "\n";
    return status.ok() ? 0 : 1;
  }
  if (score->parsed()) {
    const dbinsight::Status status = dbinsight::app::ScoreCsvFile(anomaly_in, anomaly_out, anomaly_options);
    if (!status.ok()) std::cerr << status.ToString() << "\n";
    return status.ok() ? 0 : 1;
  }
  if (serve->parsed()) return dbinsight::app::Serve(config_path);
  return 0;
}
