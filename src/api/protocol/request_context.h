// What the protocol layer knows about a caller, passed to every handler:
// the request id it answers with and the SigV4 credential scope. Signatures
// are not verified (docs/api-coverage.md: auth is not enforced by default);
// the scope is parsed only to route query-protocol calls that lack a Version
// and to echo the region. Plain values.
#pragma once

#include <string>
#include <string_view>

namespace dbinsight::api::protocol {

struct RequestContext {
  std::string request_id;
  // From "Authorization: AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, ...";
  // empty when the header is absent or not SigV4.
  std::string access_key;
  std::string region;
  std::string service;
};

// Fills access_key/region/service from an Authorization header value.
// Tolerant: anything unparsable leaves the fields empty.
void ParseAuthorization(std::string_view header, RequestContext& context);

}  // namespace dbinsight::api::protocol
