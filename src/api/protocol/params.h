// Request-parameter validation for the JSON protocols. An ObjectReader reads
// the members of one JSON object, checking presence, JSON type, ranges,
// lengths, enums and the service model's patterns, and records the first
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

#include "common/clock.h"
#include "common/status.h"

namespace dbinsight::api::protocol {

// The patterns of the PI service model (new model; the old one was looser and
// clients check none of them).
enum class Pattern {
  kAny,
  kNonBlank,    // RequestString ".*\S.*"
  kIdentifier,  // IdentifierString "^[a-zA-Z0-9-]+$"
  kSanitized,   // SanitizedString "^[a-zA-Z0-9-_\.:/*)( ]+$"
  kNextToken,   // NextToken "^[a-zA-Z0-9_=-]+$"
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

class ObjectReader {
 public:
  // Records a type error when `value` is not a JSON object (the reader then
  // behaves as if the object were empty). `path` is "" for the request body.
  ObjectReader(const nlohmann::json& value, std::string path, ParamErrors& errors);

  // Each getter returns nullopt when the member is absent or invalid; an
  // invalid or missing-but-required member is recorded in errors().
  std::optional<std::string> String(std::string_view name, const StringRule& rule);
  std::optional<int64_t> Int(std::string_view name, const IntRule& rule);
  // Epoch seconds (JSON int or float) or a string ParseTimestampString takes.
  std::optional<WallTime> Timestamp(std::string_view name, bool required);
  std::optional<std::vector<std::string>> StringList(std::string_view name, const ListRule& list,
                                                     const StringRule& item);
  std::optional<std::map<std::string, std::string>> StringMap(std::string_view name, bool required,
                                                              const StringRule& key,
                                                              const StringRule& value);
  std::optional<ObjectReader> Object(std::string_view name, bool required);
  // Readers for each element, with paths "Name[i]". Empty when absent/invalid.
  std::vector<ObjectReader> ObjectList(std::string_view name, const ListRule& rule);

  // Records "Invalid value for parameter <path.name>, value: <value>, <detail>".
  void InvalidValue(std::string_view name, std::string_view value, std::string_view detail);

  std::string PathOf(std::string_view name) const;
  ParamErrors& errors() { return *errors_; }

 private:
  // The member, or nullptr when absent or null (recording it if required).
  const nlohmann::json* Find(std::string_view name, bool required);
  bool CheckString(const std::string& path, const std::string& value, const StringRule& rule);
  void TypeError(const std::string& path, const nlohmann::json& value, std::string_view expected);

  const nlohmann::json* object_;  // nullptr when the value was not an object
  std::string path_;
  ParamErrors* errors_;
};

// Messages shared with hand-written checks.
std::string MissingParameterMessage(std::string_view path);

}  // namespace dbinsight::api::protocol
