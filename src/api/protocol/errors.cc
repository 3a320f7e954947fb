#include "api/protocol/errors.h"

#include <nlohmann/json.hpp>

#include "api/protocol/xml_writer.h"

namespace dbinsight::api::protocol {

AwsError ToAwsError(const Status& status, const ErrorVocabulary& v) {
  DBI_CHECK(!status.ok());
  ErrorVocabulary::Entry e = v.internal;
  switch (status.code()) {
    case StatusCode::kInvalidArgument: e = v.invalid_argument; break;
    case StatusCode::kNotFound: e = v.not_found; break;
    case StatusCode::kUnavailable: e = v.unavailable; break;
    case StatusCode::kResourceExhausted: e = v.resource_exhausted; break;
    case StatusCode::kOk:  // excluded by the check above
    case StatusCode::kDataLoss:
    case StatusCode::kInternal: e = v.internal; break;
  }
  return AwsError{std::string(e.code), status.message(), e.http_status, e.http_status < 500};
}

HttpResponse JsonErrorResponse(const AwsError& error, const std::string& request_id) {
  HttpResponse r;
  r.status = error.http_status;
  r.content_type = "application/x-amz-json-1.1";
  nlohmann::json body = {{"__type", error.code}, {"message", error.message}};
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.headers.emplace("x-amzn-ErrorType", error.code);
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
