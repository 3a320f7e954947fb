// JsonDispatcher: the AWS JSON 1.1 or 1.0 protocol (errors.h JsonProtocol)
// for one service. Requests are POST / with "X-Amz-Target:
// <prefix>.<Operation>" and a JSON object body;
// the dispatcher parses the body, calls the operation's handler and renders
// its result or error (errors.h). Register() every operation before serving;
// after that Dispatch() is const and safe to call from many threads.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "api/protocol/errors.h"
#include "api/protocol/http_types.h"
#include "api/protocol/request_context.h"
#include "common/status.h"

namespace dbinsight::api::protocol {

// Returns the response body object, or a Status that ToAwsError maps.
using JsonHandler = std::function<Result<nlohmann::json>(const nlohmann::json& body, const RequestContext&)>;

class JsonDispatcher {
 public:
  // target_prefix: e.g. "PerformanceInsightsv20180227". The vocabulary must
  // outlive the dispatcher (services declare it constexpr).
  JsonDispatcher(std::string target_prefix, const ErrorVocabulary& errors,
                 JsonProtocol protocol = JsonProtocol::kJson11);

  // errors: the operation's own vocabulary when it names failures apart from
  // the service's (CloudWatch's dashboard operations); must outlive the
  // dispatcher. nullptr: the service's.
  void Register(std::string operation, JsonHandler handler, const ErrorVocabulary* errors = nullptr);

  // True when target is "<prefix>.<anything>".
  bool Accepts(std::string_view target) const;

  // REQUIRES: Accepts(request's X-Amz-Target). Never throws: a handler's
  // exception becomes the vocabulary's internal error (500).
  HttpResponse Dispatch(const HttpRequest& request, const RequestContext& context) const;

  const ErrorVocabulary& errors() const { return errors_; }

 private:
  std::string prefix_;
  const ErrorVocabulary& errors_;
  JsonProtocol protocol_;
  std::map<std::string, JsonHandler, std::less<>> handlers_;
  std::map<std::string, const ErrorVocabulary*, std::less<>> operation_errors_;
};

// 400 UnknownOperationException for a target no dispatcher accepts.
HttpResponse UnknownOperationResponse(std::string_view target, const std::string& request_id,
                                      JsonProtocol protocol = JsonProtocol::kJson11);

}  // namespace dbinsight::api::protocol
