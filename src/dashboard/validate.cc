// Dashboard body validation over nlohmann-json: one Validator walks the body
// and records messages in the wording of CloudWatch's schema errors
// ("Should have required property 'markdown'", "Should be <= 24").
#include "dashboard/validate.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

namespace dbinsight::dashboard {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 4> kRenderedTypes = {"metric", "text", "log", "alarm"};
constexpr std::array<std::string_view, 2> kStoredTypes = {"explorer", "custom"};  // CloudWatch's other types
constexpr std::array<std::string_view, 6> kMetricViews = {"timeSeries", "singleValue", "gauge", "bar", "pie", "table"};
constexpr std::array<std::string_view, 4> kLogViews = {"table", "timeSeries", "bar", "pie"};
constexpr std::array<std::string_view, 2> kBackgrounds = {"solid", "transparent"};
constexpr std::array<std::string_view, 2> kPeriodOverrides = {"auto", "inherit"};
constexpr std::array<std::string_view, 2> kAxes = {"left", "right"};
constexpr std::array<std::string_view, 3> kAlarmSorts = {"default", "stateUpdatedTimestamp", "timestamp"};
constexpr std::array<std::string_view, 3> kAlarmStates = {"ALARM", "INSUFFICIENT_DATA", "OK"};
constexpr std::array<std::string_view, 5> kStandardStats = {"SampleCount", "Average", "Sum", "Minimum", "Maximum"};
constexpr std::array<std::string_view, 5> kTopLevel = {"widgets", "start", "end", "periodOverride", "variables"};
constexpr std::array<std::string_view, 6> kWidgetMembers = {"type", "x", "y", "width", "height", "properties"};
constexpr std::array<std::string_view, 11> kMetricOptions = {
    "accountId", "color", "expression", "id", "label", "period", "region", "stat", "visible", "yAxis", "unit"};
constexpr std::string_view kNotAnObject = "Should be a valid JSON object";
constexpr size_t kMaxDimensions = 30;
constexpr size_t kMaxAlarms = 100;
constexpr int64_t kGridColumns = 24;
constexpr int64_t kMaxHeight = 1000;

template <size_t N>
bool OneOf(const std::array<std::string_view, N>& values, std::string_view v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

template <size_t N>
std::string List(const std::array<std::string_view, N>& values) {
  return fmt::format("{}", fmt::join(values, ", "));
}

// "p99", "tm90", "TM(10%:90%)", "IQM", ... as CloudWatch's statistics grammar has them.
bool IsStatistic(std::string_view s) {
  if (OneOf(kStandardStats, s) || s == "IQM") return true;
  for (std::string_view prefix : {"p", "tm", "wm", "tc", "ts", "pr"}) {
    if (!s.starts_with(prefix) || s.size() == prefix.size()) continue;
    std::string_view rest = s.substr(prefix.size());
    if (std::all_of(rest.begin(), rest.end(),
                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; }))
      return true;
  }
  for (std::string_view prefix : {"TM(", "WM(", "TC(", "TS(", "PR("})
    if (s.starts_with(prefix) && s.ends_with(')')) return true;
  return false;
}

std::string Pointer(std::string_view parent, std::string_view member) { return fmt::format("{}/{}", parent, member); }
std::string Pointer(std::string_view parent, size_t index) { return fmt::format("{}/{}", parent, index); }

class Validator {
 public:
  Validation Take() && { return std::move(out_); }

  void Body(const json& body) {
    if (!body.is_object()) return Error("", std::string(kNotAnObject));
    for (const auto& [key, value] : body.items())
      if (!OneOf(kTopLevel, key)) Warn(Pointer("", key), fmt::format("Unknown property '{}' is ignored", key));
    const json* widgets = Member(body, "", "widgets", json::value_t::array, true);
    OptionalString(body, "", "start");
    OptionalString(body, "", "end");
    OptionalEnum(body, "", "periodOverride", kPeriodOverrides);
    Member(body, "", "variables", json::value_t::array, false);
    if (widgets == nullptr) return;
    if (widgets->size() > kMaxWidgets)
      return Error("/widgets", fmt::format("Should NOT have more than {} items", kMaxWidgets));
    for (size_t i = 0; i < widgets->size(); ++i) Widget((*widgets)[i], Pointer("/widgets", i));
  }

 private:
  void Error(std::string path, std::string message) { out_.errors.push_back({std::move(path), std::move(message)}); }
  void Warn(std::string path, std::string message) { out_.warnings.push_back({std::move(path), std::move(message)}); }

  // The member when present with the JSON type wanted (numbers: any number
  // type for value_t::number_float), else nullptr after recording why.
  const json* Member(const json& object, const std::string& path, std::string_view name, json::value_t type,
                     bool required) {
    auto it = object.find(name);
    if (it == object.end() || it->is_null()) {
      if (required) Error(path, fmt::format("Should have required property '{}'", name));
      return nullptr;
    }
    const bool matches = type == json::value_t::number_float     ? it->is_number()
                         : type == json::value_t::number_integer ? it->is_number_integer()
                                                                 : it->type() == type;
    if (!matches) {
      const char* expected = type == json::value_t::number_float     ? "number"
                             : type == json::value_t::number_integer ? "integer"
                                                                     : json(type).type_name();
      Error(Pointer(path, name), fmt::format("Should be {}", expected));
      return nullptr;
    }
    return &*it;
  }

  std::optional<std::string> OptionalString(const json& object, const std::string& path, std::string_view name,
                                            bool required = false) {
    const json* v = Member(object, path, name, json::value_t::string, required);
    if (v == nullptr) return std::nullopt;
    return v->get<std::string>();
  }

  template <size_t N>
  void OptionalEnum(const json& object, const std::string& path, std::string_view name,
                    const std::array<std::string_view, N>& allowed) {
    std::optional<std::string> v = OptionalString(object, path, name);
    if (v && !OneOf(allowed, *v))
      Error(Pointer(path, name), fmt::format("Should be equal to one of the allowed values: {}", List(allowed)));
  }

  void Range(const json& object, const std::string& path, std::string_view name, int64_t min, int64_t max) {
    const json* v = Member(object, path, name, json::value_t::number_integer, false);
    if (v == nullptr) return;
    const auto n = v->get<int64_t>();
    if (n < min) Error(Pointer(path, name), fmt::format("Should be >= {}", min));
    if (n > max) Error(Pointer(path, name), fmt::format("Should be <= {}", max));
  }

  // 1, 5, 10, 30 or a multiple of 60 seconds, as CloudWatch's periods are.
  void Period(const json& object, const std::string& path) {
    const json* v = Member(object, path, "period", json::value_t::number_integer, false);
    if (v == nullptr) return;
    const auto p = v->get<int64_t>();
    if (p < 1 || (p % 60 != 0 && p != 1 && p != 5 && p != 10 && p != 30))
      Error(Pointer(path, "period"), "Should be 1, 5, 10, 30 or a multiple of 60");
  }

  void Stat(const json& object, const std::string& path) {
    std::optional<std::string> stat = OptionalString(object, path, "stat");
    if (stat && !IsStatistic(*stat))
      Warn(Pointer(path, "stat"), fmt::format("Unknown statistic '{}'; the widget shows no data for it", *stat));
  }

  void Widget(const json& widget, const std::string& path) {
    if (!widget.is_object()) return Error(path, "Should be object");
    for (const auto& [key, value] : widget.items())
      if (!OneOf(kWidgetMembers, key)) Warn(Pointer(path, key), fmt::format("Unknown property '{}' is ignored", key));
    Range(widget, path, "x", 0, kGridColumns - 1);
    Range(widget, path, "y", 0, std::numeric_limits<int64_t>::max());
    Range(widget, path, "width", 1, kGridColumns);
    Range(widget, path, "height", 1, kMaxHeight);
    std::optional<std::string> type = OptionalString(widget, path, "type", true);
    const json* properties = Member(widget, path, "properties", json::value_t::object, true);
    if (!type) return;
    if (OneOf(kStoredTypes, *type)) {
      return Warn(Pointer(path, "type"),
                  fmt::format("Widget type '{}' is stored as given; dbinsight does not render it", *type));
    }
    if (!OneOf(kRenderedTypes, *type)) {
      return Error(Pointer(path, "type"), fmt::format("Should be equal to one of the allowed values: {}, {}",
                                                      List(kRenderedTypes), List(kStoredTypes)));
    }
    if (properties == nullptr) return;
    const std::string props = Pointer(path, "properties");
    if (*type == "metric") return MetricWidget(*properties, props);
    if (*type == "text") {
      OptionalString(*properties, props, "markdown", true);
      return OptionalEnum(*properties, props, "background", kBackgrounds);
    }
    if (*type == "log") {
      OptionalString(*properties, props, "query", true);
      OptionalString(*properties, props, "region");
      OptionalString(*properties, props, "title");
      return OptionalEnum(*properties, props, "view", kLogViews);
    }
    AlarmWidget(*properties, props);
  }

  void MetricWidget(const json& p, const std::string& path) {
    OptionalString(p, path, "region", true);
    OptionalString(p, path, "title");
    OptionalEnum(p, path, "view", kMetricViews);
    Stat(p, path);
    Period(p, path);
    Member(p, path, "stacked", json::value_t::boolean, false);
    if (const json* axes = Member(p, path, "yAxis", json::value_t::object, false)) {
      const std::string axes_path = Pointer(path, "yAxis");
      for (std::string_view side : kAxes) {
        const json* axis = Member(*axes, axes_path, side, json::value_t::object, false);
        if (axis == nullptr) continue;
        const std::string axis_path = Pointer(axes_path, side);
        Member(*axis, axis_path, "min", json::value_t::number_float, false);
        Member(*axis, axis_path, "max", json::value_t::number_float, false);
        OptionalString(*axis, axis_path, "label");
        Member(*axis, axis_path, "showUnits", json::value_t::boolean, false);
      }
    }
    const json* metrics = Member(p, path, "metrics", json::value_t::array, true);
    if (metrics == nullptr) return;
    const std::string metrics_path = Pointer(path, "metrics");
    if (metrics->size() > kMaxMetricsPerWidget)
      return Error(metrics_path, fmt::format("Should NOT have more than {} items", kMaxMetricsPerWidget));
    std::vector<std::string> previous;  // the last metric row's strings, for "."
    for (size_t i = 0; i < metrics->size(); ++i) MetricRow((*metrics)[i], Pointer(metrics_path, i), previous);
  }

  // [Namespace, MetricName, DimName, DimValue, ..., {options}], or
  // [{"expression": ..., ...}]. "." repeats the previous row's string at the
  // same position.
  void MetricRow(const json& row, const std::string& path, std::vector<std::string>& previous) {
    if (!row.is_array()) return Error(path, "Should be array");
    if (row.empty()) return Error(path, "Should NOT have fewer than 1 items");
    const json* options = row.back().is_object() ? &row.back() : nullptr;
    const size_t strings = row.size() - (options != nullptr ? 1 : 0);
    bool has_expression = false;
    if (options != nullptr) has_expression = MetricOptions(*options, Pointer(path, strings));
    std::vector<std::string> values;
    for (size_t j = 0; j < strings; ++j) {
      if (!row[j].is_string()) return Error(Pointer(path, j), "Should be string");
      std::string v = row[j].get<std::string>();
      if (v == ".") {
        if (j >= previous.size())
          return Error(Pointer(path, j), "'.' repeats the previous metric's value at this position, but it has none");
        v = previous[j];
      }
      if (v.empty()) return Error(Pointer(path, j), "Should NOT be shorter than 1 characters");
      values.push_back(std::move(v));
    }
    if (has_expression) {
      if (strings != 0) Error(path, "An expression row holds only its options object");
      return;
    }
    if (strings < 2 || strings % 2 != 0) {
      return Error(path,
                   "Should hold a namespace, a metric name and dimension name/value pairs, then optionally "
                   "an options object");
    }
    if (values[0].front() == ':') Error(Pointer(path, 0), "A namespace must not start with ':'");
    if ((strings - 2) / 2 > kMaxDimensions)
      Error(path, fmt::format("Should NOT have more than {} dimensions", kMaxDimensions));
    for (size_t j = 0; j < strings; ++j) {
      const size_t limit = j >= 2 && j % 2 == 1 ? 1024 : 255;  // dimension values: 1024
      if (values[j].size() > limit)
        Error(Pointer(path, j), fmt::format("Should NOT be longer than {} characters", limit));
    }
    previous = std::move(values);
  }

  // Returns whether the options make the row an expression.
  bool MetricOptions(const json& o, const std::string& path) {
    for (const auto& [key, value] : o.items())
      if (!OneOf(kMetricOptions, key)) Warn(Pointer(path, key), fmt::format("Unknown property '{}' is ignored", key));
    for (std::string_view name : {"accountId", "color", "label", "region", "unit"}) OptionalString(o, path, name);
    if (std::optional<std::string> id = OptionalString(o, path, "id")) {
      const bool valid = !id->empty() && std::islower(static_cast<unsigned char>(id->front())) &&
                         std::all_of(id->begin(), id->end(),
                                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
      if (!valid) Error(Pointer(path, "id"), "Should start with a lowercase letter and hold only letters, digits, '_'");
    }
    Stat(o, path);
    Period(o, path);
    Member(o, path, "visible", json::value_t::boolean, false);
    if (std::optional<std::string> axis = OptionalString(o, path, "yAxis"); axis && !OneOf(kAxes, *axis))
      Error(Pointer(path, "yAxis"), fmt::format("Should be equal to one of the allowed values: {}", List(kAxes)));
    std::optional<std::string> expression = OptionalString(o, path, "expression");
    if (expression && expression->empty())
      Error(Pointer(path, "expression"), "Should NOT be shorter than 1 characters");
    return expression.has_value();
  }

  void AlarmWidget(const json& p, const std::string& path) {
    OptionalString(p, path, "title");
    OptionalEnum(p, path, "sortBy", kAlarmSorts);
    if (const json* states = Member(p, path, "states", json::value_t::array, false)) {
      for (size_t i = 0; i < states->size(); ++i) {
        const json& s = (*states)[i];
        if (!s.is_string() || !OneOf(kAlarmStates, s.get<std::string>()))
          Error(Pointer(Pointer(path, "states"), i),
                fmt::format("Should be equal to one of the allowed values: {}", List(kAlarmStates)));
      }
    }
    const json* alarms = Member(p, path, "alarms", json::value_t::array, true);
    if (alarms == nullptr) return;
    const std::string alarms_path = Pointer(path, "alarms");
    if (alarms->empty()) return Error(alarms_path, "Should NOT have fewer than 1 items");
    if (alarms->size() > kMaxAlarms)
      return Error(alarms_path, fmt::format("Should NOT have more than {} items", kMaxAlarms));
    for (size_t i = 0; i < alarms->size(); ++i) {
      const json& arn = (*alarms)[i];
      // arn:aws:cloudwatch:<region>:<account>:alarm:<name>
      if (!arn.is_string() || !arn.get<std::string>().starts_with("arn:aws:cloudwatch:") ||
          arn.get<std::string>().find(":alarm:") == std::string::npos)
        Error(Pointer(alarms_path, i), "Should be an alarm ARN: arn:aws:cloudwatch:<region>:<account>:alarm:<name>");
    }
  }

  Validation out_;
};

}  // namespace

bool IsValidName(std::string_view name, bool allow_dot) {
  if (name.size() > kMaxNameLength || (name.empty() && !allow_dot)) return false;
  return std::all_of(name.begin(), name.end(), [allow_dot](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || (allow_dot && c == '.');
  });
}

Validation ValidateBody(std::string_view body) {
  Validator v;
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    Validation out;
    out.errors.push_back({"", std::string(kNotAnObject)});
    return out;
  }
  v.Body(parsed);
  return std::move(v).Take();
}

Result<std::vector<ValidationMessage>> CheckBody(std::string_view body) {
  if (body.size() > kMaxBodyBytes)
    return Status::InvalidArgument(fmt::format("The field DashboardBody must be at most {} bytes", kMaxBodyBytes));
  Validation v = ValidateBody(body);
  if (v.errors.empty()) return std::move(v.warnings);
  if (v.errors.front().message == kNotAnObject)
    return Status::InvalidArgument("The field DashboardBody must be a valid JSON object");
  json list = json::array();
  for (const ValidationMessage& m : v.errors) list.push_back({{"dataPath", m.data_path}, {"message", m.message}});
  // "there are 1 validation errors" is CloudWatch's own wording.
  return Status::InvalidArgument(
      fmt::format("The dashboard body is invalid, there are {} validation errors:\n{}", v.errors.size(), list.dump(2)));
}

}  // namespace dbinsight::dashboard
