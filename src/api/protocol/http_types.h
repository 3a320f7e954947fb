// Wire-neutral HTTP request/response values exchanged between api::Server and
// the protocol dispatchers, so no header of ours exposes cpp-httplib. Plain
// values; the server builds one HttpRequest per call and reads back one
// HttpResponse. Not shared between threads.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace dbinsight::api {

// Header names compare case-insensitively (HTTP rules).
struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};
using HeaderMap = std::map<std::string, std::string, CaseInsensitiveLess>;

struct HttpRequest {
  std::string method;  // "GET", "POST"
  std::string path;    // "/" or "/healthz", without the query string
  std::string query;   // raw query string without '?', still percent-encoded
  HeaderMap headers;
  std::string body;    // already inflated if the client sent gzip
  std::string remote_addr;

  // Empty when absent.
  std::string Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  HeaderMap headers;  // extra headers, e.g. x-amzn-RequestId
};

}  // namespace dbinsight::api
