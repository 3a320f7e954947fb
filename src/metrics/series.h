// CloudWatch metric identity and where each metric lives in the metric store.
// Custom metrics (PutMetricData) are stored under an instance key derived
// from (namespace, dimension set) and a metric name carrying the unit, both
// built with ASCII separators that CloudWatch forbids in names and values
// (api/cloudwatch rejects control characters), so keys are injective and
// never equal a configured instance id (those have no ':'). AWS/RDS metrics
// with exactly DBInstanceIdentifier=<id> are the collector-recorded instance
// metrics of <id> (model::InstanceMetrics()). Value types and pure functions;
// thread-safe.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dbinsight::metrics {

inline constexpr std::string_view kRdsNamespace = "AWS/RDS";
inline constexpr std::string_view kRdsInstanceDimension = "DBInstanceIdentifier";
// The unit a datum without one is stored under (CloudWatch's "None").
inline constexpr std::string_view kNoUnit = "None";

struct Dimension {
  std::string name;
  std::string value;
  friend auto operator<=>(const Dimension&, const Dimension&) = default;
};

// One CloudWatch metric: a namespace, a name and its whole dimension set,
// sorted by name with unique names (CloudWatch treats every distinct set as
// a metric of its own).
struct MetricId {
  std::string ns;
  std::string name;
  std::vector<Dimension> dimensions;
  friend auto operator<=>(const MetricId&, const MetricId&) = default;
};

// The store instance key of a custom metric's namespace and dimensions:
// "cw:" + namespace, then "\x1f" + name + "\x1e" + value per dimension.
// REQUIRES: dimensions sorted by name.
std::string CustomSeriesKey(std::string_view ns, const std::vector<Dimension>& dimensions);
// The namespace and dimensions of a CustomSeriesKey; nullopt for any other
// key (an instance id).
std::optional<std::pair<std::string, std::vector<Dimension>>> ParseCustomSeriesKey(std::string_view key);

// The store metric name of a custom metric with a unit: name + "\x1f" + unit
// (CloudWatch keeps data of different units apart).
std::string CustomStoredName(std::string_view name, std::string_view unit);
// {name, unit} of a CustomStoredName; nullopt otherwise.
std::optional<std::pair<std::string, std::string>> ParseCustomStoredName(std::string_view stored);

// The instance id when `metric` is AWS/RDS with exactly the dimension
// DBInstanceIdentifier; nullopt otherwise.
std::optional<std::string> RdsInstance(const MetricId& metric);

}  // namespace dbinsight::metrics
