#include "api/s3/aws_chunked.h"

#include <fmt/format.h>

#include <charconv>

namespace dbinsight::api::s3 {

bool IsAwsChunked(const HttpRequest& request) {
  return request.Header("Content-Encoding").find("aws-chunked") != std::string::npos ||
         request.Header("x-amz-content-sha256").rfind("STREAMING-", 0) == 0;
}

Result<std::string> DecodeAwsChunked(std::string_view body, long long decoded_length) {
  std::string out;
  if (decoded_length > 0) out.reserve(static_cast<size_t>(decoded_length));
  for (;;) {
    size_t eol = body.find("\r\n");
    if (eol == std::string_view::npos) return Status::InvalidArgument("aws-chunked body: chunk header without CRLF");
    std::string_view header = body.substr(0, eol);
    std::string_view hex = header.substr(0, header.find(';'));
    size_t size = 0;
    auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), size, 16);
    if (ec != std::errc() || end != hex.data() + hex.size() || hex.empty())
      return Status::InvalidArgument(fmt::format("aws-chunked body: bad chunk size '{}'", hex));
    body.remove_prefix(eol + 2);
    if (size == 0) break;  // what follows are trailers (checksums), then CRLF
    if (body.size() < size + 2 || body.substr(size, 2) != "\r\n")
      return Status::InvalidArgument("aws-chunked body: chunk shorter than its size");
    out.append(body.substr(0, size));
    body.remove_prefix(size + 2);
  }
  if (decoded_length >= 0 && out.size() != static_cast<size_t>(decoded_length))
    return Status::InvalidArgument(
        fmt::format("aws-chunked body: {} bytes, x-amz-decoded-content-length says {}", out.size(), decoded_length));
  return out;
}

}  // namespace dbinsight::api::s3
