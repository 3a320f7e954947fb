// `dbinsight report --config FILE --instance ID --from TIME --to TIME
// [--format text|markdown|json]`: a root-cause report (analysis/root_cause.h)
// of one configured instance over a window, printed. Opens the config's
// stores beside a running server (SQLite WAL: readers never block it) and
// writes nothing to them; the report is not stored (the PI API's
// CreatePerformanceAnalysisReport stores its reports). Free functions.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace CLI {
class App;
}  // namespace CLI

namespace dbinsight::app {

struct ReportCommand {
  std::string config;
  std::string instance;
  std::string from;
  std::string to;
  std::string format = "text";  // text | markdown | json
};

// A TIME: "now", "-2h" / "-30m" / "-90s" (that long before now), epoch
// seconds, or ISO-8601 ("2026-11-27T02:13:05Z", "2026-11-27 02:13"; UTC when
// no zone is given). nullopt when malformed.
std::optional<WallTime> ParseReportTime(std::string_view text, WallTime now);

// Adds the `report` subcommand to cli; parsing fills command.
CLI::App* AddReportCommand(CLI::App& cli, ReportCommand& command);

// Runs a parsed `report` subcommand. Returns the exit code: 0 printed,
// 1 the analysis failed (store unreadable), 2 bad usage (unknown instance,
// bad time, empty window).
int RunReport(const ReportCommand& command, std::ostream& out, std::ostream& err);

}  // namespace dbinsight::app
