#include "metrics/series.h"

namespace dbinsight::metrics {

namespace {

constexpr std::string_view kCustomPrefix = "cw:";
constexpr char kFieldSeparator = '\x1f';  // before each dimension; before the unit
constexpr char kValueSeparator = '\x1e';  // between a dimension's name and value

}  // namespace

std::string CustomSeriesKey(std::string_view ns, const std::vector<Dimension>& dimensions) {
  std::string key(kCustomPrefix);
  key += ns;
  for (const Dimension& d : dimensions) {
    key += kFieldSeparator;
    key += d.name;
    key += kValueSeparator;
    key += d.value;
  }
  return key;
}

std::optional<std::pair<std::string, std::vector<Dimension>>> ParseCustomSeriesKey(std::string_view key) {
  if (!key.starts_with(kCustomPrefix)) return std::nullopt;
  key.remove_prefix(kCustomPrefix.size());
  size_t end = key.find(kFieldSeparator);
  std::pair<std::string, std::vector<Dimension>> out{std::string(key.substr(0, end)), {}};
  while (end != std::string_view::npos) {
    key.remove_prefix(end + 1);
    end = key.find(kFieldSeparator);
    std::string_view field = key.substr(0, end);
    size_t eq = field.find(kValueSeparator);
    if (eq == std::string_view::npos) return std::nullopt;
    out.second.push_back({std::string(field.substr(0, eq)), std::string(field.substr(eq + 1))});
  }
  return out;
}

std::string CustomStoredName(std::string_view name, std::string_view unit) {
  std::string out(name);
  out += kFieldSeparator;
  out += unit;
  return out;
}

std::optional<std::pair<std::string, std::string>> ParseCustomStoredName(std::string_view stored) {
  size_t sep = stored.find(kFieldSeparator);
  if (sep == std::string_view::npos) return std::nullopt;
  return std::pair<std::string, std::string>(stored.substr(0, sep), stored.substr(sep + 1));
}

std::optional<std::string> RdsInstance(const MetricId& metric) {
  if (metric.ns != kRdsNamespace || metric.dimensions.size() != 1 || metric.dimensions[0].name != kRdsInstanceDimension)
    return std::nullopt;
  return metric.dimensions[0].value;
}

}  // namespace dbinsight::metrics
