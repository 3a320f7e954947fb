#include "analysis/index_advice.h"

#include <fmt/format.h>

#include "analysis/markdown.h"

namespace dbinsight::analysis {
namespace {

// 74M, 1.2k, 950: counts a reader takes in at a glance.
std::string Count(double v) {
  if (v >= 1e9) return fmt::format("{:.1f}G", v / 1e9);
  if (v >= 1e6) return fmt::format("{:.1f}M", v / 1e6);
  if (v >= 1e4) return fmt::format("{:.0f}k", v / 1e3);
  return fmt::format("{:.0f}", v);
}

}  // namespace

std::string DescribeIndexAdvice(const model::IndexAdvice& a) {
  std::string cols;
  for (const std::string& c : a.columns) cols += (cols.empty() ? "" : ", ") + c;
  std::string text = fmt::format("Index {}: {} — ", CodeSpan(a.table + " (" + cols + ")"), CodeSpan(a.create_index));
  if (a.calls > 0)
    text += fmt::format("the statement ran {} times, {} of them without an index, examining {} rows per call; ",
                        Count(static_cast<double>(a.calls)), Count(static_cast<double>(a.calls_without_index)),
                        Count(a.rows_examined_per_call));
  if (a.live_rows > 0) text += fmt::format("{} live rows; ", Count(a.live_rows));
  if (a.counts_rows) {
    text += fmt::format("full scans of the table read {} rows since the server started ({} through indexes).",
                        Count(static_cast<double>(a.seq_rows_read)), Count(static_cast<double>(a.index_rows_read)));
  } else {
    text += fmt::format("{} sequential scans read {} rows since the statistics were reset ({} index scans).",
                        Count(static_cast<double>(a.seq_scans)), Count(static_cast<double>(a.seq_rows_read)),
                        Count(static_cast<double>(a.index_scans)));
  }
  if (!a.plan.empty())
    text += fmt::format(" The planner's {}plan: {}.", a.counts_rows ? "" : "generic ", CodeSpan(a.plan));
  if (a.cost_before && a.cost_after)
    text += fmt::format(" With a hypothetical index (hypopg) the statement's cost falls from {:.0f} to {:.0f}: {}.",
                        *a.cost_before, *a.cost_after, CodeSpan(a.hypothetical_plan));
  for (const std::string& n : a.notes) text += " (" + n + ".)";
  return text;
}

}  // namespace dbinsight::analysis
