#include "api/protocol/query_dispatcher.h"

#include <fmt/format.h>

#include <charconv>

#include "api/protocol/utf8.h"
#include "api/protocol/xml_writer.h"
#include "common/log.h"

namespace dbinsight::api::protocol {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> Decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      int hi = i + 2 < s.size() ? HexValue(s[i + 1]) : -1;
      int lo = hi >= 0 ? HexValue(s[i + 2]) : -1;
      if (lo < 0) return Status::InvalidArgument(fmt::format("Malformed form encoding near '{}'", EchoValue(s.substr(i, 3))));
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

Result<QueryParams> ParseFormEncoded(std::string_view text) {
  QueryParams params;
  while (!text.empty()) {
    size_t amp = text.find('&');
    std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto key = Decode(pair.substr(0, eq));
    if (!key.ok()) return key.status();
    auto value = Decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!value.ok()) return value.status();
    params.insert_or_assign(std::move(key).value(), std::move(value).value());
  }
  return params;
}

QueryDispatcher::QueryDispatcher(std::string signing_name, std::string version, std::string xmlns,
                                 const ErrorVocabulary& errors)
    : signing_name_(std::move(signing_name)), version_(std::move(version)), xmlns_(std::move(xmlns)), errors_(errors) {}

void QueryDispatcher::Register(std::string action, QueryHandler handler, const ErrorVocabulary* errors) {
  if (errors != nullptr) action_errors_.insert_or_assign(action, errors);
  handlers_.insert_or_assign(std::move(action), std::move(handler));
}

void QueryDispatcher::RegisterNoOutput(std::string action,
                                       std::function<Status(const QueryParams&, const RequestContext&)> handler) {
  no_output_.insert(action);
  Register(
      std::move(action),
      [handler = std::move(handler)](const QueryParams& params, const RequestContext& context) -> Result<std::string> {
        DBI_RETURN_IF_ERROR(handler(params, context));
        return std::string();
      });
}

bool QueryDispatcher::Accepts(const QueryParams& params, const RequestContext& context) const {
  auto v = params.find("Version");
  if (v != params.end()) return v->second == version_;
  return context.service == signing_name_;
}

HttpResponse QueryDispatcher::Dispatch(const QueryParams& params, const RequestContext& context) const {
  auto a = params.find("Action");
  auto it = a == params.end() ? handlers_.end() : handlers_.find(a->second);
  if (it == handlers_.end()) {
    HttpResponse r = UnknownActionResponse(params, context.request_id);
    return r;
  }
  const std::string& action = a->second;
  Result<std::string> result = Status::Internal("handler did not run");
  try {
    result = it->second(params, context);
  } catch (const std::exception& e) {
    log::Error("{} {}: handler threw: {}", action, context.request_id, e.what());
    result = Status::Internal(fmt::format("Internal error (request {})", context.request_id));
  }
  if (!result.ok()) {
    auto own = action_errors_.find(action);
    AwsError error = ToAwsError(result.status(), own == action_errors_.end() ? errors_ : *own->second);
    if (error.http_status >= 500) log::Warn("{} {}: {}", action, context.request_id, result.status().ToString());
    return XmlErrorResponse(error, xmlns_, context.request_id);
  }
  XmlWriter w;
  w.Open(action + "Response", xmlns_);
  if (!no_output_.contains(action)) {
    w.Open(action + "Result");
    w.Raw(result.value());
    w.Close();
  }
  w.Open("ResponseMetadata");
  w.Element("RequestId", context.request_id);
  w.Close();
  w.Close();
  HttpResponse r;
  r.content_type = "text/xml";
  r.body = w.Take();
  r.headers.emplace("x-amzn-RequestId", context.request_id);
  return r;
}

HttpResponse UnknownActionResponse(const QueryParams& params, const std::string& request_id) {
  auto a = params.find("Action");
  AwsError error;
  if (a == params.end()) {
    error = AwsError{std::string(kMissingAction), "The request is missing an Action parameter.", 400, true};
  } else {
    auto v = params.find("Version");
    error = AwsError{std::string(kInvalidAction),
                     fmt::format("The action {} is not valid for this endpoint{}.", EchoValue(a->second),
                                 v == params.end() ? "" : fmt::format(" (Version {})", EchoValue(v->second))),
                     400, true};
  }
  return XmlErrorResponse(error, "", request_id);
}

Result<std::optional<int64_t>> QueryInt(const QueryParams& params, std::string_view name, int64_t min, int64_t max) {
  auto it = params.find(name);
  if (it == params.end()) return std::optional<int64_t>();
  const std::string& s = it->second;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < min || v > max)
    return Status::InvalidArgument(
        fmt::format("Invalid value {} for {}. Must be between {} and {}.", EchoValue(s), name, min, max));
  return std::optional<int64_t>(v);
}

}  // namespace dbinsight::api::protocol
