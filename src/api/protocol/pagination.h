// MaxResults/NextToken pagination shared by every list-returning operation.
// Tokens are opaque to clients but simple for us: base64url of the next
// offset plus a fingerprint of the request they were issued for, so a token
// replayed against a different request is rejected instead of silently
// skipping items. Output alphabet [A-Za-z0-9_=-] matches PI's NextToken
// pattern. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace dbinsight::api::protocol {

struct PageRequest {
  // nullopt (or 0, which AWS' models allow): no limit, everything in one page.
  std::optional<int> max_results;
  size_t offset = 0;
  uint64_t fingerprint = 0;
};

struct PageSlice {
  size_t begin = 0;
  size_t end = 0;  // exclusive
  std::optional<std::string> next_token;
};

// Stable 64-bit FNV-1a hash of the request's canonical text (callers drop the
// paging members first).
uint64_t Fingerprint(std::string_view canonical_request);

std::string EncodePageToken(size_t offset, uint64_t fingerprint);

// InvalidArgument naming `parameter` (e.g. "NextToken", "Marker") when the
// token is malformed or was issued for another request.
Result<size_t> DecodePageToken(std::string_view token, uint64_t fingerprint,
                               std::string_view parameter);

// The items [begin, end) of a list of `total` items to return, and the token
// for the rest. An offset past the end (the list shrank) gives an empty page.
PageSlice Paginate(size_t total, const PageRequest& page);

}  // namespace dbinsight::api::protocol
