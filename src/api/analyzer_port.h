// api::AnalyzerPort: what the Lambda and EventBridge APIs (lambda/, events/)
// need from the scheduled reference analyzer, which lives in app/ above this
// layer: its per-instance function names, its schedule as one EventBridge
// rule, and a callback that runs one analysis now. app/ fills it from its
// ScheduledAnalyzer (serve.cc). Plain data plus one function; `run` must be
// safe to call from many API worker threads at once.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace dbinsight::api {

struct AnalyzerFunction {
  std::string name;         // Lambda function name, e.g. "dbinsight-analyzer-orders"
  std::string instance_id;  // the monitored instance it analyzes
  std::string bucket;       // where its reports go (shown as the function's environment)
};

struct AnalyzerPort {
  std::vector<AnalyzerFunction> functions;  // one per instance
  std::string rule_name;                    // the EventBridge rule that runs them all
  std::string schedule;                     // its ScheduleExpression, e.g. "rate(15 minutes)"
  bool enabled = true;                      // rule State ENABLED / DISABLED
  std::string region = "us-east-1";         // for ARNs
  std::string account_id = "000000000000";
  // Analyzes instance_id as of `now` (stores the report, publishes the
  // counts) and returns the report's JSON document. Empty: no analyzer, and
  // the Lambda and EventBridge operations are left out.
  std::function<Result<std::string>(const std::string& instance_id, WallTime now)> run;
};

// "arn:aws:lambda:<region>:<account>:function:<name>": what Lambda errors and
// EventBridge targets name a function by.
inline std::string FunctionArn(const AnalyzerPort& port, const std::string& name) {
  return "arn:aws:lambda:" + port.region + ":" + port.account_id + ":function:" + name;
}

}  // namespace dbinsight::api
