// GetMetricData metric math: parsing, static checking and evaluation of
// expressions such as "m1*2", "(m1+m2)/2", "SUM([m1, m2])", "AVG(METRICS())",
// "m1 - AVG(m1)". Values are scalars, time series (timestamp -> value) or
// arrays of series; the supported functions are SUM, AVG, MIN, MAX (of a
// series: a scalar; of an array: a series), ABS, METRICS() (every metric
// query's series) and ANOMALY_DETECTION_BAND(id, k) (a band: the whole
// expression of its query, never an operand; the MetricEngine computes it,
// band.h). Arithmetic on two series keeps the timestamps both have; a
// non-finite result (x/0) is no data point. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace dbinsight::metrics {

struct Expr {
  enum class Kind { kNumber, kId, kNegate, kBinary, kCall, kArray };
  Kind kind = Kind::kNumber;
  double number = 0;       // kNumber
  std::string text;        // kId: the id; kBinary: "+", "-", "*" or "/"; kCall: the function
  std::vector<Expr> args;  // kNegate: 1, kBinary: 2, kCall: arguments, kArray: elements
  size_t position = 0;     // of the node's first character, for messages
};

// InvalidArgument "syntax error at character N: ..." when malformed.
Result<Expr> ParseExpression(std::string_view text);

// kBand: ANOMALY_DETECTION_BAND's lower and upper series.
enum class ValueKind { kScalar, kSeries, kArray, kBand };

// What an expression yields, given what each id it names yields (nullopt:
// no such id). InvalidArgument naming the id or function for unknown ids,
// unknown functions, arguments of the wrong kind, and a band that is not a
// whole expression or whose arguments are not (id[, positive number]).
Result<ValueKind> Check(const Expr& expr, const std::function<std::optional<ValueKind>(std::string_view id)>& kind_of);

// ANOMALY_DETECTION_BAND(metric_id, k) as a whole expression.
struct BandCall {
  std::string metric_id;
  double k = 2;  // standard deviations; the default when omitted
};
// The band call `expr` is; nullopt for any other expression.
// REQUIRES: Check() accepted it.
std::optional<BandCall> AsBandCall(const Expr& expr);

using Series = std::map<int64_t, double>;  // epoch second -> value

struct Value {
  ValueKind kind = ValueKind::kScalar;
  double scalar = 0;
  Series series;
  std::vector<Series> array;
};

// REQUIRES: Check() accepted the expression with kinds matching `lookup`,
// and it is not a band (AsBandCall is nullopt).
// lookup(id) is the value of a referenced id; `metrics` is METRICS().
Value Evaluate(const Expr& expr, const std::function<const Value&(std::string_view id)>& lookup,
               std::span<const Series> metrics);

}  // namespace dbinsight::metrics
