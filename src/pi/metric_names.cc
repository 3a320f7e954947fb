#include "pi/metric_names.h"

#include "model/metric_catalog.h"

namespace dbinsight::pi {

Result<ParsedMetric> ParseMetric(const std::string& metric, const std::string& param) {
  auto dot = metric.rfind('.');
  if (dot == std::string::npos)
    return Status::InvalidArgument(param + ": metric " + metric + " needs a statistic suffix (.avg, .min, .max, .sum)");
  std::string base = metric.substr(0, dot), stat = metric.substr(dot + 1);
  ParsedMetric out{base, Stat::kAvg};
  if (stat == "avg") out.stat = Stat::kAvg;
  else if (stat == "min") out.stat = Stat::kMin;
  else if (stat == "max") out.stat = Stat::kMax;
  else if (stat == "sum") out.stat = Stat::kSum;
  else return Status::InvalidArgument(param + ": unknown statistic ." + stat + " in " + metric + " (use .avg, .min, .max or .sum)");
  // Every session is sampled, so sampled load equals load.
  if (base == "db.load" || base == "db.sampledload") return out;
  if (base == kIdleInTransactionMetric) {
    out.series = Series::kIdleInTransaction;
    return out;
  }
  if (!model::FindMetricInfo(base))
    return Status::InvalidArgument(param + ": metric " + metric + " is not available for this instance "
                                   "(see ListAvailableResourceMetrics)");
  if (base.rfind(kStatementStatsPrefix, 0) == 0) {
    // PI allows only .avg. A per-second rate also has a natural .sum (its
    // integral: the count over the range), which we serve; per-call values
    // have none.
    const bool per_sec = base.ends_with("_per_sec");
    if (out.stat != Stat::kAvg && !(per_sec && out.stat == Stat::kSum))
      return Status::InvalidArgument(param + ": per-SQL statistic " + base + " supports only .avg" +
                                     (per_sec ? " and .sum" : ""));
    out.series = Series::kStatementStat;
    return out;
  }
  out.series = Series::kStored;
  return out;
}

StatementStat ParseStatementStat(const ParsedMetric& metric) {
  std::string name = metric.base.substr(std::string_view(kStatementStatsPrefix).size());
  StatementStat out;
  out.sum = metric.stat == Stat::kSum;
  constexpr std::string_view kPerCall = "_per_call", kPerSec = "_per_sec";
  if (name.ends_with(kPerCall)) {
    out.per_call = true;
    name.resize(name.size() - kPerCall.size());
  } else if (name.ends_with(kPerSec)) {
    name.resize(name.size() - kPerSec.size());
  }
  // PostgreSQL's latency per call is PI's "avg_latency"; MySQL names it
  // after the summed timer (sum_timer_wait_per_call).
  out.counter = name == "avg_latency" ? "total_time" : name;
  return out;
}

}  // namespace dbinsight::pi
