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
};

// How one service names our failure classes. Unknown identifiers are
// NotFound in our code base; services that have no "not found" error (PI)
// map them back onto their invalid-argument error.
struct ErrorVocabulary {
  struct Entry {
    std::string_view code;
    int http_status;
  };
  Entry invalid_argument;
  Entry not_found;
  Entry unavailable;         // a dependency (store, monitored database) is down
  Entry resource_exhausted;  // throttled / out of space: clients retry later
  Entry internal;            // Internal and DataLoss
};

// REQUIRES: !status.ok(). 5xx errors are Receiver faults; others Sender.
AwsError ToAwsError(const Status& status, const ErrorVocabulary& vocabulary);

// Protocol-level errors that precede any handler (no Status involved).
inline constexpr std::string_view kUnknownOperation = "UnknownOperationException";
inline constexpr std::string_view kInvalidAction = "InvalidAction";
inline constexpr std::string_view kMissingAction = "MissingAction";

// JSON 1.0/1.1 error: {"__type": code, "message": text} plus the
// x-amzn-ErrorType header botocore also understands.
HttpResponse JsonErrorResponse(const AwsError& error, const std::string& request_id);

// Query protocol error: <ErrorResponse xmlns=...><Error><Type>Sender</Type>
// <Code>..</Code><Message>..</Message></Error><RequestId>..</RequestId>.
HttpResponse XmlErrorResponse(const AwsError& error, std::string_view xmlns,
                              const std::string& request_id);

}  // namespace dbinsight::api::protocol
