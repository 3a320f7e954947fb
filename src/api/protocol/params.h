// Request-parameter validation for the JSON protocols, and for query-protocol
// forms once QueryParamsToJson (query_json.h) has unflattened them. An
// ObjectReader reads the members of one JSON object, checking presence, JSON
// type, ranges, lengths, enums and the service model's patterns, and records the first
// violation in a shared ParamErrors with the member's full path, e.g.
// "MetricQueries[0].GroupBy.Limit". Messages follow botocore's own wording
// ("Invalid value for parameter X, value: V, valid max value: 25"), so a
// client sees server-side checks phrased like the ones its SDK makes.
// Unknown members are ignored: newer SDKs may send members this server does
// not model yet, and AWS services ignore them too (docs/api-coverage.md).
// A null member counts as absent. Readers borrow the JSON and the
// ParamErrors: both must outlive them. Not thread-safe; one per request.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "api/protocol/errors.h"
#include "common/clock.h"
#include "common/status.h"

namespace dbinsight::api::protocol {

// The patterns of the PI service model (new model; the old one was looser and
// clients check none of them), and CloudWatch's rule for names and values.
enum class Pattern {
  kAny,
  kNonBlank,    // RequestString ".*\S.*"
  kIdentifier,  // IdentifierString "^[a-zA-Z0-9-]+$"
  kSanitized,   // SanitizedString "^[a-zA-Z0-9-_\.:/*)( ]+$"
  kNextToken,   // NextToken "^[a-zA-Z0-9_=-]+$"
  kPrintable,   // CloudWatch names and dimension values: ASCII without control characters, not blank
};
std::string_view PatternText(Pattern p);
bool MatchesPattern(std::string_view value, Pattern p);

struct StringRule {
  bool required = false;
  size_t min_length = 0;
  size_t max_length = std::numeric_limits<size_t>::max();
  Pattern pattern = Pattern::kAny;
  std::span<const std::string_view> allowed = {};  // enum values; empty = any
};

struct IntRule {
  bool required = false;
  int64_t min = std::numeric_limits<int64_t>::min();
  int64_t max = std::numeric_limits<int64_t>::max();
  std::span<const int64_t> allowed = {};  // documented values; empty = any in range
};

struct ListRule {
  bool required = false;
  size_t min_items = 0;
  size_t max_items = std::numeric_limits<size_t>::max();
};

// The first validation failure of a request (InvalidArgument), or OK.
class ParamErrors {
 public:
  void Add(Status status) {
    if (first_.ok()) first_ = std::move(status);
  }
  bool ok() const { return first_.ok(); }
  const Status& status() const { return first_; }

 private:
  Status first_;
};

// Where a request's JSON came from. kQuery: a form unflattened by
// QueryParamsToJson, whose scalars are all strings: numbers, booleans and
// timestamps are parsed from them, "" (the form of an empty list) is an empty
// list, and list elements are named the query way ("MetricData.member.1.Unit",
// as AWS's own query services name them) instead of "MetricData[0].Unit".
enum class InputStyle { kJson, kQuery };

class ObjectReader {
 public:
  // Records a type error when `value` is not a JSON object (the reader then
  // behaves as if the object were empty). `path` is "" for the request body.
  // Readers of members inherit the style.
  ObjectReader(const nlohmann::json& value, std::string path, ParamErrors& errors,
               InputStyle style = InputStyle::kJson);

  // Each getter returns nullopt when the member is absent or invalid; an
  // invalid or missing-but-required member is recorded in errors().
  std::optional<std::string> String(std::string_view name, const StringRule& rule);
  std::optional<int64_t> Int(std::string_view name, const IntRule& rule);
  // A finite number (JSON int or float).
  std::optional<double> Double(std::string_view name, bool required);
  std::optional<bool> Bool(std::string_view name, bool required);
  // Epoch seconds (JSON int or float) or a string ParseTimestampString takes.
  std::optional<WallTime> Timestamp(std::string_view name, bool required);
  std::optional<std::vector<std::string>> StringList(std::string_view name, const ListRule& list,
                                                     const StringRule& item);
  std::optional<std::vector<double>> DoubleList(std::string_view name, const ListRule& list);
  std::optional<std::map<std::string, std::string>> StringMap(std::string_view name, bool required,
                                                              const StringRule& key,
                                                              const StringRule& value);
  std::optional<ObjectReader> Object(std::string_view name, bool required);
  // Readers for each element, with paths "Name[i]" (query: "Name.member.i+1").
  // Empty when absent/invalid.
  std::vector<ObjectReader> ObjectList(std::string_view name, const ListRule& rule);

  // Records "Invalid value for parameter <path.name>, value: <value>, <detail>".
  void InvalidValue(std::string_view name, std::string_view value, std::string_view detail);

  std::string PathOf(std::string_view name) const;
  // The path of element i of the list at `list_path`, in this reader's style.
  std::string ElementPath(std::string_view list_path, size_t i) const;
  ParamErrors& errors() { return *errors_; }
  InputStyle style() const { return style_; }

 private:
  // The member, or nullptr when absent or null (recording it if required).
  const nlohmann::json* Find(std::string_view name, bool required);
  // The member as a list checked against `rule` (a query-style "" is an empty
  // list), or nullptr when absent or invalid.
  const nlohmann::json* FindList(std::string_view name, const ListRule& rule);
  // A number from a JSON number or, query style, a numeric string; records a
  // type error otherwise.
  std::optional<double> Number(const std::string& path, const nlohmann::json& v);
  bool CheckString(const std::string& path, const std::string& value, const StringRule& rule);
  void TypeError(const std::string& path, const nlohmann::json& value, std::string_view expected);

  const nlohmann::json* object_;  // nullptr when the value was not an object
  std::string path_;
  ParamErrors* errors_;
  InputStyle style_;
};

}  // namespace dbinsight::api::protocol
