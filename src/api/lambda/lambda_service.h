// LambdaService: the Lambda REST-JSON subset that makes the scheduled
// reference analyzer look like the recipe's analysis Lambda, one function per
// instance (AnalyzerPort): Invoke (POST /2015-03-31/functions/{name}/invocations)
// runs the analysis now and answers what the recipe's handler returns,
// {"statusCode": 200, "body": "<report JSON>"}; GetFunction and ListFunctions
// describe the functions. Requests are routed here by Accepts() (SigV4
// credential scope "lambda", or an unsigned request under /2015-03-31/functions).
// Coverage and choices: docs/api-coverage.md ("Lambda"). Borrows the port,
// which must outlive it. Thread-safe: no state of its own; the port's run is.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "api/analyzer_port.h"
#include "api/protocol/http_types.h"
#include "common/clock.h"

namespace dbinsight::api::lambda {

inline constexpr std::string_view kSigningName = "lambda";
inline constexpr std::string_view kFunctionsPath = "/2015-03-31/functions";

// Signed for Lambda, or unsigned and under kFunctionsPath.
bool Accepts(const HttpRequest& request);

class LambdaService {
 public:
  // now: the time an Invoke without a "time" in its payload analyzes up to.
  LambdaService(const AnalyzerPort& port, std::function<WallTime()> now) : port_(port), now_(std::move(now)) {}

  // One Lambda request. Errors are Lambda's: the x-amzn-ErrorType header and
  // {"Type": "User"|"Service", "message": ...}. Never throws.
  HttpResponse Serve(const HttpRequest& request, const std::string& request_id) const;

 private:
  HttpResponse Invoke(const HttpRequest& request, const AnalyzerFunction& function,
                      const std::string& request_id) const;

  const AnalyzerPort& port_;
  std::function<WallTime()> now_;
};

}  // namespace dbinsight::api::lambda
