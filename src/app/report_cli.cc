#include "app/report_cli.h"

#include <CLI/CLI.hpp>

#include "analysis/root_cause.h"
#include "api/protocol/timestamps.h"
#include "app/loadgen_cli.h"
#include "app/serve.h"
#include "config/config.h"
#include "pi/query_engine.h"
#include "store/metric_store.h"
#include "store/store.h"

namespace dbinsight::app {

std::optional<WallTime> ParseReportTime(std::string_view text, WallTime now) {
  if (text == "now") return now;
  if (!text.empty() && text.front() == '-') {
    auto ago = ParseDuration(text.substr(1));
    if (!ago.ok()) return std::nullopt;
    return now - std::chrono::duration_cast<WallTime::duration>(ago.value());
  }
  return api::protocol::ParseTimestampString(text);
}

CLI::App* AddReportCommand(CLI::App& cli, ReportCommand& command) {
  auto* report = cli.add_subcommand("report", "Root-cause report of an instance over a window (docs/analysis.md)");
  report->add_option("--config,-c", command.config, "YAML config file (its store is read)")
      ->required()
      ->check(CLI::ExistingFile);
  report->add_option("--instance", command.instance, "Instance id from the config")->required();
  report->add_option("--from", command.from, "Window start: now, -2h, epoch seconds or ISO-8601 (UTC)")->required();
  report->add_option("--to", command.to, "Window end (exclusive), same forms")->required();
  report->add_option("--format", command.format, "Output: text, markdown or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "markdown", "json"}));
  return report;
}

int RunReport(const ReportCommand& command, std::ostream& out, std::ostream& err) {
  auto cfg = config::LoadConfig(command.config);
  if (!cfg.ok()) {
    err << cfg.status().ToString() << "\n";
    return 2;
  }
  const config::InstanceConfig* instance = nullptr;
  for (const config::InstanceConfig& ic : cfg->instances)
    if (ic.info.id == command.instance) instance = &ic;
  if (!instance) {
    err << "--instance: no instance " << command.instance << " in " << command.config << "\n";
    return 2;
  }
  SystemClock clock;
  const WallTime now = clock.Now();
  auto from = ParseReportTime(command.from, now);
  auto to = ParseReportTime(command.to, now);
  if (!from || !to) {
    err << (!from ? "--from: cannot read time " + command.from : "--to: cannot read time " + command.to) << "\n";
    return 2;
  }
  if (!(*from < *to)) {
    err << "--to must be later than --from\n";
    return 2;
  }
  auto store = store::Store::Open(cfg->store, clock);
  if (!store.ok()) {
    err << "cannot open store: " << store.status().ToString() << "\n";
    return 1;
  }
  auto metrics = store::MetricStore::Open(cfg->store, clock);
  if (!metrics.ok()) {
    err << "cannot open metric store: " << metrics.status().ToString() << "\n";
    return 1;
  }
  pi::QueryEngine engine(*store.value(), *metrics.value());
  auto report = analysis::AnalyzeWindow(engine, instance->info, *from, *to, {},
                                        MakeIndexAdvisors(cfg->instances)(instance->info.id));
  if (!report.ok()) {
    err << report.status().ToString() << "\n";
    return 1;
  }
  if (command.format == "json") {
    out << report->ToJson() << "\n";
  } else {
    out << report->Render(command.format == "markdown" ? analysis::TextFormat::kMarkdown
                                                       : analysis::TextFormat::kPlainText);
  }
  return 0;
}

}  // namespace dbinsight::app
