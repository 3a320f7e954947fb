#include "api/protocol/request_context.h"

#include <vector>

namespace dbinsight::api::protocol {

void ParseAuthorization(std::string_view header, RequestContext& context) {
  constexpr std::string_view kKey = "Credential=";
  size_t at = header.find(kKey);
  if (header.rfind("AWS4-HMAC-SHA256", 0) != 0 || at == std::string_view::npos) return;
  std::string_view scope = header.substr(at + kKey.size());
  scope = scope.substr(0, scope.find_first_of(", "));
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t slash = scope.find('/', start);
    parts.push_back(scope.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  // AKID / yyyymmdd / region / service / aws4_request
  if (parts.size() != 5 || parts[4] != "aws4_request") return;
  context.access_key = parts[0];
  context.region = parts[2];
  context.service = parts[3];
}

}  // namespace dbinsight::api::protocol
