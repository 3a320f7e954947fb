// The naming rules of the bucket store: which bucket names and object keys
// are accepted, and how a key maps onto a path below its bucket directory
// (docs/store-format.md, "Buckets"). A key can never name anything outside
// its bucket: components are validated ("", ".", ".." and control
// characters are refused) and encoded so that no encoded component starts
// with '.', which leaves every dot-name in the tree to the store's own files.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace dbinsight::bucket {

// S3's rules for new buckets: 3-63 characters of a-z, 0-9, '.', '-', starting
// and ending with a letter or digit, no "..", not shaped like an IPv4 address.
// InvalidArgument (Failure::kInvalidBucketName) naming the rule otherwise.
Status ValidateBucketName(std::string_view name);

// Keys: 1-1024 bytes, '/'-separated components that are neither empty nor
// "." nor "..", no control characters (XML 1.0 cannot carry them), each
// component at most 240 bytes once encoded (the file-name limit).
// InvalidArgument (Failure::kInvalidKey) otherwise.
Status ValidateKey(std::string_view key);

// The key's path components as directory names: '%' becomes "%25" and a
// leading '.' "%2E". REQUIRES: ValidateKey(key).ok().
std::vector<std::string> KeyToPath(std::string_view key);

// Inverse of one encoded component.
std::string DecodeComponent(std::string_view encoded);

}  // namespace dbinsight::bucket
