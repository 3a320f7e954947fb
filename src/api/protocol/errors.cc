#include "api/protocol/errors.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "api/protocol/xml_writer.h"

namespace dbinsight::api::protocol {

namespace {

constexpr std::string_view kMissingOpening = "Missing required parameter ";
constexpr std::string_view kCombinationOpening = "Invalid parameter combination: ";

// The vocabulary's finer client error a message asks for, if it has one.
ErrorVocabulary::Entry ClientError(const std::string& message, const ErrorVocabulary& v) {
  if (!v.missing_parameter.code.empty() && message.starts_with(kMissingOpening)) return v.missing_parameter;
  if (!v.invalid_combination.code.empty() && message.starts_with(kCombinationOpening)) return v.invalid_combination;
  return v.invalid_argument;
}

}  // namespace

std::string MissingParameterMessage(std::string_view path) { return fmt::format("{}{}", kMissingOpening, path); }

std::string InvalidCombinationMessage(std::string_view detail) {
  return fmt::format("{}{}", kCombinationOpening, detail);
}

AwsError ToAwsError(const Status& status, const ErrorVocabulary& v) {
  DBI_CHECK(!status.ok());
  ErrorVocabulary::Entry e = v.internal;
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      e = ClientError(status.message(), v);
      break;
    case StatusCode::kNotFound: e = v.not_found; break;
    case StatusCode::kUnavailable: e = v.unavailable; break;
    case StatusCode::kResourceExhausted: e = v.resource_exhausted; break;
    case StatusCode::kOk:  // excluded by the check above
    case StatusCode::kDataLoss:
    case StatusCode::kInternal: e = v.internal; break;
  }
  return AwsError{std::string(e.code), status.message(), e.http_status, e.http_status < 500, std::string(e.json_type)};
}

std::string_view JsonContentType(JsonProtocol protocol) {
  return protocol == JsonProtocol::kJson11 ? "application/x-amz-json-1.1" : "application/x-amz-json-1.0";
}

HttpResponse JsonErrorResponse(const AwsError& error, const std::string& request_id, JsonProtocol protocol) {
  HttpResponse r;
  r.status = error.http_status;
  r.content_type = JsonContentType(protocol);
  const std::string& type =
      protocol == JsonProtocol::kJson10QueryCompatible && !error.json_type.empty() ? error.json_type : error.code;
  nlohmann::json body = {{"__type", type}, {"message", error.message}};
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.headers.emplace("x-amzn-ErrorType", type);
  if (protocol == JsonProtocol::kJson10QueryCompatible)
    r.headers.emplace("x-amzn-query-error", error.code + (error.sender_fault ? ";Sender" : ";Receiver"));
  r.headers.emplace("x-amzn-RequestId", request_id);
  return r;
}

HttpResponse XmlErrorResponse(const AwsError& error, std::string_view xmlns,
                              const std::string& request_id) {
  XmlWriter w;
  w.Open("ErrorResponse", xmlns);
  w.Open("Error");
  w.Element("Type", error.sender_fault ? "Sender" : "Receiver");
  w.Element("Code", error.code);
  w.Element("Message", error.message);
  w.Close();
  w.Element("RequestId", request_id);
  w.Close();
  HttpResponse r;
  r.status = error.http_status;
  r.content_type = "text/xml";
  r.body = w.Take();
  r.headers.emplace("x-amzn-RequestId", request_id);
  return r;
}

}  // namespace dbinsight::api::protocol
