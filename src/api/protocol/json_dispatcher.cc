#include "api/protocol/json_dispatcher.h"

#include <fmt/format.h>

#include "api/protocol/utf8.h"
#include "common/log.h"

namespace dbinsight::api::protocol {

JsonDispatcher::JsonDispatcher(std::string target_prefix, const ErrorVocabulary& errors, JsonProtocol protocol)
    : prefix_(std::move(target_prefix)), errors_(errors), protocol_(protocol) {}

void JsonDispatcher::Register(std::string operation, JsonHandler handler, const ErrorVocabulary* errors) {
  if (errors != nullptr) operation_errors_.insert_or_assign(operation, errors);
  handlers_.insert_or_assign(std::move(operation), std::move(handler));
}

bool JsonDispatcher::Accepts(std::string_view target) const {
  return target.size() > prefix_.size() && target.substr(0, prefix_.size()) == prefix_ &&
         target[prefix_.size()] == '.';
}

HttpResponse JsonDispatcher::Dispatch(const HttpRequest& request, const RequestContext& context) const {
  std::string target = request.Header("X-Amz-Target");
  std::string_view operation = std::string_view(target).substr(prefix_.size() + 1);
  auto it = handlers_.find(operation);
  if (it == handlers_.end()) return UnknownOperationResponse(target, context.request_id, protocol_);
  auto own = operation_errors_.find(operation);
  const ErrorVocabulary& errors = own == operation_errors_.end() ? errors_ : *own->second;

  auto invalid = [&](std::string message) {
    return JsonErrorResponse(ToAwsError(Status::InvalidArgument(std::move(message)), errors), context.request_id,
                             protocol_);
  };
  // botocore always sends at least "{}"; treat an empty body the same way.
  nlohmann::json body = nlohmann::json::object();
  if (request.body.find_first_not_of(" \t\r\n") != std::string::npos) {
    body = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded())
      return invalid("Malformed request body: not valid JSON (SerializationException)");
    if (!body.is_object())
      return invalid(fmt::format("Malformed request body: expected a JSON object, got {}", body.type_name()));
  }

  Result<nlohmann::json> result = Status::Internal("handler did not run");
  try {
    result = it->second(body, context);
  } catch (const std::exception& e) {
    log::Error("{} {}: handler threw: {}", target, context.request_id, e.what());
    result = Status::Internal(fmt::format("Internal error (request {})", context.request_id));
  }
  if (!result.ok()) {
    AwsError error = ToAwsError(result.status(), errors);
    if (error.http_status >= 500) log::Warn("{} {}: {}", target, context.request_id, result.status().ToString());
    return JsonErrorResponse(error, context.request_id, protocol_);
  }
  HttpResponse r;
  r.content_type = JsonContentType(protocol_);
  r.body = result.value().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.headers.emplace("x-amzn-RequestId", context.request_id);
  return r;
}

HttpResponse UnknownOperationResponse(std::string_view target, const std::string& request_id, JsonProtocol protocol) {
  std::string message = target.empty() ? std::string("Missing X-Amz-Target header")
                                       : fmt::format("Unknown operation {}", EchoValue(target));
  return JsonErrorResponse(AwsError{std::string(kUnknownOperation), message, 400, true}, request_id, protocol);
}

}  // namespace dbinsight::api::protocol
