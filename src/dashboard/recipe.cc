#include "dashboard/recipe.h"

#include <fmt/format.h>

#include <initializer_list>
#include <nlohmann/json.hpp>

namespace dbinsight::dashboard {
namespace {

using nlohmann::json;

constexpr int kWidth = 12;
constexpr int kHeight = 6;
constexpr int kPeriod = 300;

// One metric row per name, later rows with CloudWatch's "." shorthand.
json MetricRows(std::string_view ns, std::initializer_list<std::string_view> names, std::string_view instance_id) {
  json rows = json::array();
  for (std::string_view name : names) {
    rows.push_back(rows.empty() ? json::array({ns, name, "DBInstanceIdentifier", instance_id})
                                : json::array({".", name, ".", "."}));
  }
  return rows;
}

json Widget(std::string_view type, int index, json properties) {
  return {{"type", type},    {"x", (index % 2) * kWidth}, {"y", (index / 2) * kHeight},
          {"width", kWidth}, {"height", kHeight},         {"properties", std::move(properties)}};
}

json MetricProperties(std::string_view title, json metrics, std::string_view region) {
  return {
      {"title", title},    {"view", "timeSeries"},         {"stacked", false}, {"region", region}, {"stat", "Average"},
      {"period", kPeriod}, {"metrics", std::move(metrics)}};
}

}  // namespace

std::string RdsPerformanceDashboardName(std::string_view instance_id) {
  return fmt::format("RDS-Performance-{}", instance_id);
}

std::string RdsPerformanceDashboard(std::string_view instance_id, std::string_view region) {
  json widgets = json::array();
  widgets.push_back(Widget(
      "metric", 0,
      MetricProperties(
          fmt::format("{}: connections, CPU and latency", instance_id),
          MetricRows("AWS/RDS", {"DatabaseConnections", "CPUUtilization", "ReadLatency", "WriteLatency"}, instance_id),
          region)));
  widgets.push_back(Widget(
      "metric", 1,
      MetricProperties(fmt::format("{}: high-load events and problematic queries", instance_id),
                       MetricRows("RDS/PerformanceInsights", {"HighLoadEvents", "ProblematicQueries"}, instance_id),
                       region)));
  widgets.push_back(Widget(
      "metric", 2,
      MetricProperties(
          fmt::format("{}: I/O", instance_id),
          MetricRows("AWS/RDS", {"ReadIOPS", "WriteIOPS", "ReadThroughput", "WriteThroughput"}, instance_id), region)));
  widgets.push_back(
      Widget("log", 3,
             {{"title", fmt::format("{}: recent slow-query log entries", instance_id)},
              {"region", region},
              {"view", "table"},
              {"query", fmt::format("SOURCE '/aws/rds/instance/{}/slowquery' | fields @timestamp, @message "
                                    "| sort @timestamp desc | limit 50",
                                    instance_id)}}));
  return json{{"widgets", std::move(widgets)}}.dump();
}

}  // namespace dbinsight::dashboard
