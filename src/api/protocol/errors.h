// AWS error shapes and the one mapping from dbinsight StatusCode to AWS error
// codes and HTTP statuses (ARCHITECTURE notes C4: nothing else in the code
// base names AWS errors). Each service declares an ErrorVocabulary constant;
// dispatchers call ToAwsError() and render the protocol's error body.
// Pure functions and constant data; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "api/protocol/http_types.h"
#include "common/status.h"

namespace dbinsight::api::protocol {

struct AwsError {
  std::string code;  // e.g. "InvalidArgumentException", "DBInstanceNotFound"
  std::string message;
  int http_status = 400;
  // Query protocol <Type>: Sender for client mistakes, Receiver for ours.
  bool sender_fault = true;
  // The model's shape name where it differs from the code (CloudWatch's JSON
  // 1.0 sends "InvalidParameterValueException" for code InvalidParameterValue).
  std::string json_type;
};

// How one service names our failure classes. Unknown identifiers are
// NotFound in our code base; services that have no "not found" error (PI)
// map them back onto their invalid-argument error.
struct ErrorVocabulary {
  struct Entry {
    std::string_view code;
    int http_status;
    std::string_view json_type = {};  // AwsError::json_type; empty = code
  };
  Entry invalid_argument;
  Entry not_found;
  Entry unavailable;         // a dependency (store, monitored database) is down
  Entry resource_exhausted;  // throttled / out of space: clients retry later
  Entry internal;            // Internal and DataLoss
  // Finer client errors of services that model them (CloudWatch's
  // MissingParameter, InvalidParameterCombination): an InvalidArgument whose
  // message MissingParameterMessage() / InvalidCombinationMessage() built.
  // StatusCode has one client-error class, so the message's fixed opening is
  // what distinguishes them; the helpers sit beside the mapping below so
  // producer and reader cannot drift. Empty code: the service keeps
  // invalid_argument for them.
  Entry missing_parameter = {};
  Entry invalid_combination = {};
};

// REQUIRES: !status.ok(). 5xx errors are Receiver faults; others Sender.
AwsError ToAwsError(const Status& status, const ErrorVocabulary& vocabulary);

// "Missing required parameter <path>" (botocore's wording).
std::string MissingParameterMessage(std::string_view path);
// "Invalid parameter combination: <detail>", e.g. "Invalid parameter
// combination: MetricData[0].Value and MetricData[0].Values are mutually exclusive".
std::string InvalidCombinationMessage(std::string_view detail);

// Protocol-level errors that precede any handler (no Status involved).
inline constexpr std::string_view kUnknownOperation = "UnknownOperationException";
inline constexpr std::string_view kInvalidAction = "InvalidAction";
inline constexpr std::string_view kMissingAction = "MissingAction";

// The JSON protocols: 1.1 (PI) and 1.0 the way CloudWatch's newer model uses
// it: awsQueryCompatible, so besides __type (the shape name) the query
// protocol's code travels in "x-amzn-query-error: <code>;Sender", which
// botocore prefers; old (query) and new (JSON) clients then see one code.
enum class JsonProtocol { kJson11, kJson10QueryCompatible };

// The Content-Type of that protocol's bodies.
std::string_view JsonContentType(JsonProtocol protocol);

// JSON error: {"__type": code (1.0: json_type if set), "message": text} plus
// the x-amzn-ErrorType header botocore also understands.
HttpResponse JsonErrorResponse(const AwsError& error, const std::string& request_id,
                               JsonProtocol protocol = JsonProtocol::kJson11);

// Query protocol error: <ErrorResponse xmlns=...><Error><Type>Sender</Type>
// <Code>..</Code><Message>..</Message></Error><RequestId>..</RequestId>.
HttpResponse XmlErrorResponse(const AwsError& error, std::string_view xmlns,
                              const std::string& request_id);

}  // namespace dbinsight::api::protocol
