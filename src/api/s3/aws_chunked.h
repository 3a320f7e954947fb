// Decoding of S3's aws-chunked request bodies. Newer SDKs (botocore >= 1.36,
// aws-cli 1.37+) send PutObject and UploadPart bodies as
//   <hex size>[;chunk-signature=<sig>]\r\n<bytes>\r\n ... 0\r\n<trailers>\r\n\r\n
// with Content-Encoding: aws-chunked, x-amz-decoded-content-length and the
// checksum in a trailer (x-amz-trailer: x-amz-checksum-crc32). Signatures
// and checksums are not verified (docs/api-coverage.md). Pure functions;
// thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "api/protocol/http_types.h"
#include "common/status.h"

namespace dbinsight::api::s3 {

// True when the request body is aws-chunked (Content-Encoding names it, or
// x-amz-content-sha256 is one of the STREAMING-* payload kinds).
bool IsAwsChunked(const HttpRequest& request);

// The payload of an aws-chunked body. InvalidArgument when the framing is
// broken or the length differs from decoded_length (when >= 0).
Result<std::string> DecodeAwsChunked(std::string_view body, long long decoded_length);

}  // namespace dbinsight::api::s3
