#include "api/lambda/lambda_service.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "api/protocol/errors.h"
#include "api/protocol/params.h"
#include "api/protocol/query_dispatcher.h"
#include "api/protocol/request_context.h"

namespace dbinsight::api::lambda {
namespace {

constexpr std::string_view kLatest = "$LATEST";

// How a failed analysis shows as the function's own error (errorType): the
// kind of failure, as a Python Lambda shows its exception class.
constexpr protocol::ErrorVocabulary kFunctionErrors = {
    .invalid_argument = {"InvalidArgument", 200},
    .not_found = {"NotFound", 200},
    .unavailable = {"Unavailable", 200},
    .resource_exhausted = {"ResourceExhausted", 200},
    .internal = {"Internal", 200},
};

HttpResponse Json(int status, const nlohmann::json& body, const std::string& request_id) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.headers.emplace("x-amzn-RequestId", request_id);
  return r;
}

HttpResponse Empty(int status, const std::string& request_id) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace("x-amzn-RequestId", request_id);
  return r;
}

// Lambda's error shape: botocore reads the code from x-amzn-ErrorType and
// the text from "message"; "Type" says whose fault it is.
HttpResponse Error(int status, std::string_view code, const std::string& message, const std::string& request_id) {
  HttpResponse r = Json(status, {{"Type", status >= 500 ? "Service" : "User"}, {"message", message}}, request_id);
  r.headers.emplace("x-amzn-ErrorType", std::string(code));
  return r;
}

nlohmann::json Configuration(const AnalyzerPort& port, const AnalyzerFunction& f) {
  return {{"FunctionName", f.name},
          {"FunctionArn", FunctionArn(port, f.name)},
          {"Description", "dbinsight reference performance analysis of " + f.instance_id},
          {"Version", kLatest},
          {"State", "Active"},
          {"LastUpdateStatus", "Successful"},
          {"PackageType", "Zip"},
          {"Environment", {{"Variables", {{"DB_INSTANCE_IDENTIFIER", f.instance_id}, {"S3_BUCKET", f.bucket}}}}}};
}

}  // namespace

bool Accepts(const HttpRequest& request) {
  protocol::RequestContext context;
  protocol::ParseAuthorization(request.Header("Authorization"), context);
  if (context.service == kSigningName) return true;
  return request.Header("Authorization").empty() && request.path.rfind(kFunctionsPath, 0) == 0;
}

HttpResponse LambdaService::Serve(const HttpRequest& request, const std::string& request_id) const {
  // /2015-03-31/functions[/<name>[/invocations]]; httplib has percent-decoded
  // the path, so an ARN's colons arrive as colons.
  auto unknown = [&] {
    return Error(404, "UnknownOperationException", fmt::format("Unknown operation {} {}", request.method, request.path),
                 request_id);
  };
  std::string_view rest = std::string_view(request.path);
  if (rest.rfind(kFunctionsPath, 0) != 0) return unknown();
  rest.remove_prefix(kFunctionsPath.size());
  if (rest.empty() || rest == "/") {
    if (request.method != "GET") return unknown();
    nlohmann::json list = nlohmann::json::array();
    for (const AnalyzerFunction& f : port_.functions) list.push_back(Configuration(port_, f));
    return Json(200, {{"Functions", std::move(list)}}, request_id);
  }
  std::string_view name = rest.substr(1);
  const size_t slash = name.find('/');
  const bool invocations = slash != std::string_view::npos;
  if (invocations ? name.substr(slash) != "/invocations" || request.method != "POST" : request.method != "GET")
    return unknown();
  name = name.substr(0, slash);

  // A name, a partial ARN ("123456789012:function:name") or a full one, any
  // of them with ":qualifier"; or the Qualifier query parameter.
  if (size_t at = name.find(":function:"); at != std::string_view::npos) name.remove_prefix(at + 10);
  std::string qualifier;
  if (size_t colon = name.find(':'); colon != std::string_view::npos) {
    qualifier = std::string(name.substr(colon + 1));
    name = name.substr(0, colon);
  }
  if (auto params = protocol::ParseFormEncoded(request.query); params.ok() && params->count("Qualifier"))
    qualifier = params->at("Qualifier");
  const AnalyzerFunction* function = nullptr;
  for (const AnalyzerFunction& f : port_.functions)
    if (f.name == name) function = &f;
  // Only $LATEST exists: the analyzer has no published versions or aliases.
  if (function == nullptr || !(qualifier.empty() || qualifier == kLatest))
    return Error(
        404, "ResourceNotFoundException",
        "Function not found: " + FunctionArn(port_, std::string(name)) + (qualifier.empty() ? "" : ":" + qualifier),
        request_id);
  if (!invocations) return Json(200, {{"Configuration", Configuration(port_, *function)}}, request_id);
  return Invoke(request, *function, request_id);
}

HttpResponse LambdaService::Invoke(const HttpRequest& request, const AnalyzerFunction& function,
                                   const std::string& request_id) const {
  std::string type = request.Header("X-Amz-Invocation-Type");
  if (type.empty()) type = "RequestResponse";
  if (type != "RequestResponse" && type != "Event" && type != "DryRun")
    return Error(400, "InvalidParameterValueException",
                 "Invalid value for InvocationType: " + type + ", valid values: RequestResponse, Event, DryRun",
                 request_id);
  // The payload is the event the function gets: any JSON, empty meaning {}.
  nlohmann::json event = nlohmann::json::object();
  if (!request.body.empty()) {
    event = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    if (event.is_discarded())
      return Error(400, "InvalidRequestContentException", "Could not parse request body into json", request_id);
  }
  if (type == "DryRun") return Empty(204, request_id);

  // An EventBridge scheduled event carries "time" (ISO-8601; epoch seconds
  // also taken): the analysis then covers the hour before it, as a scheduled
  // run at that time would. Without one it runs as of now.
  protocol::ParamErrors errors;
  std::optional<WallTime> time;
  if (event.is_object()) time = protocol::ObjectReader(event, "", errors).Timestamp("time", false);
  const Result<std::string> report =
      errors.ok() ? port_.run(function.instance_id, time.value_or(now_())) : Result<std::string>(errors.status());

  if (type == "Event") {
    // Run to completion before answering (the caller only waits for the
    // acceptance); a failure is the analyzer's to log and retry.
    return Empty(202, request_id);
  }
  HttpResponse r;
  if (report.ok()) {
    r = Json(200, {{"statusCode", 200}, {"body", report.value()}}, request_id);
  } else {
    // The function failed, not the call: Lambda answers 200 and flags it.
    const protocol::AwsError e = protocol::ToAwsError(report.status(), kFunctionErrors);
    r = Json(200,
             {{"errorMessage", e.message},
              {"errorType", e.code},
              {"requestId", request_id},
              {"stackTrace", nlohmann::json::array()}},
             request_id);
    r.headers.emplace("X-Amz-Function-Error", "Unhandled");
  }
  r.headers.emplace("X-Amz-Executed-Version", std::string(kLatest));
  return r;
}

}  // namespace dbinsight::api::lambda
