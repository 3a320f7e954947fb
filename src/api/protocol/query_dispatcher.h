// QueryDispatcher: the AWS query protocol (form-encoded
// "Action=..&Version=.." bodies, XML responses) for one service, e.g. RDS
// API 2014-10-31. Query services all share POST /; a request belongs to the
// dispatcher whose Version it names (or, without Version, whose SigV4 signing
// name it was signed for). Register() before serving; then const and safe to
// call from many threads.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "api/protocol/errors.h"
#include "api/protocol/http_types.h"
#include "api/protocol/request_context.h"
#include "common/status.h"

namespace dbinsight::api::protocol {

// Decoded form parameters, e.g. {"Action": "DescribeDBInstances",
// "Filters.Filter.1.Name": "engine"}. A repeated key keeps its last value.
using QueryParams = std::map<std::string, std::string, std::less<>>;

// Decodes application/x-www-form-urlencoded text ('+' is a space).
// InvalidArgument on a malformed %-escape.
Result<QueryParams> ParseFormEncoded(std::string_view text);

// Returns the inner XML of <ActionResult> (built with XmlWriter), or a Status
// that ToAwsError maps with the service's vocabulary.
using QueryHandler = std::function<Result<std::string>(const QueryParams& params, const RequestContext&)>;

class QueryDispatcher {
 public:
  // signing_name: "rds"; version: "2014-10-31";
  // xmlns: "http://rds.amazonaws.com/doc/2014-10-31/". The vocabulary must
  // outlive the dispatcher.
  QueryDispatcher(std::string signing_name, std::string version, std::string xmlns,
                  const ErrorVocabulary& errors);

  // errors: the action's own vocabulary (see JsonDispatcher::Register);
  // nullptr: the service's.
  void Register(std::string action, QueryHandler handler, const ErrorVocabulary* errors = nullptr);
  // An operation without output (SNS DeleteTopic): its response has no
  // <ActionResult> element, as AWS sends it.
  void RegisterNoOutput(std::string action,
                        std::function<Status(const QueryParams& params, const RequestContext&)> handler);

  bool Accepts(const QueryParams& params, const RequestContext& context) const;

  // REQUIRES: Accepts(params, context). Never throws.
  HttpResponse Dispatch(const QueryParams& params, const RequestContext& context) const;

 private:
  std::string signing_name_;
  std::string version_;
  std::string xmlns_;
  const ErrorVocabulary& errors_;
  std::map<std::string, QueryHandler, std::less<>> handlers_;
  std::set<std::string, std::less<>> no_output_;
  std::map<std::string, const ErrorVocabulary*, std::less<>> action_errors_;
};

// 400 MissingAction / InvalidAction ErrorResponse for a query request that no
// dispatcher accepts.
HttpResponse UnknownActionResponse(const QueryParams& params, const std::string& request_id);

// Reads an optional integer parameter in [min, max]; InvalidArgument naming
// it otherwise ("Invalid value 5 for MaxRecords. Must be between 20 and 100.").
Result<std::optional<int64_t>> QueryInt(const QueryParams& params, std::string_view name, int64_t min,
                                        int64_t max);

}  // namespace dbinsight::api::protocol
