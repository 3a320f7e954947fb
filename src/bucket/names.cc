#include "bucket/names.h"

#include <fmt/format.h>

#include "bucket/failure.h"

namespace dbinsight::bucket {

namespace {

constexpr size_t kMaxKeyBytes = 1024;
constexpr size_t kMaxComponentBytes = 240;  // NAME_MAX 255 less room for our suffixes

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool LooksLikeIpv4(std::string_view name) {
  int dots = 0;
  for (char c : name) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots == 3;
}

std::string EncodeComponent(std::string_view c) {
  std::string out;
  for (size_t i = 0; i < c.size(); ++i) {
    if (c[i] == '%') {
      out += "%25";
    } else if (c[i] == '.' && i == 0) {
      out += "%2E";
    } else {
      out += c[i];
    }
  }
  return out;
}

}  // namespace

Status ValidateBucketName(std::string_view name) {
  auto bad = [&](std::string_view why) {
    return Fail(Failure::kInvalidBucketName, fmt::format("'{}': {}", name, why));
  };
  if (name.size() < 3 || name.size() > 63) return bad("must be 3 to 63 characters long");
  for (char c : name)
    if (!IsLowerAlnum(c) && c != '.' && c != '-') return bad("only a-z, 0-9, '.' and '-' are allowed");
  if (!IsLowerAlnum(name.front()) || !IsLowerAlnum(name.back()))
    return bad("must start and end with a letter or digit");
  if (name.find("..") != std::string_view::npos) return bad("must not contain '..'");
  if (LooksLikeIpv4(name)) return bad("must not be formatted as an IP address");
  return Status::Ok();
}

Status ValidateKey(std::string_view key) {
  auto bad = [&](std::string_view why) { return Fail(Failure::kInvalidKey, fmt::format("'{}': {}", key, why)); };
  if (key.empty() || key.size() > kMaxKeyBytes) return bad("must be 1 to 1024 bytes long");
  for (char c : key)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return bad("must not contain control characters");
  for (size_t start = 0;;) {
    size_t slash = key.find('/', start);
    std::string_view c = key.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (c.empty()) return bad("must not start or end with '/' or contain '//'");
    if (c == "." || c == "..") return bad("must not contain '.' or '..' path components");
    if (EncodeComponent(c).size() > kMaxComponentBytes) return bad("a path component is longer than 240 bytes");
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return Status::Ok();
}

std::vector<std::string> KeyToPath(std::string_view key) {
  std::vector<std::string> out;
  for (size_t start = 0;;) {
    size_t slash = key.find('/', start);
    out.push_back(
        EncodeComponent(key.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start)));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

std::string DecodeComponent(std::string_view encoded) {
  std::string out;
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded.compare(i, 3, "%25") == 0) {
      out += '%';
      i += 2;
    } else if (i == 0 && encoded.compare(0, 3, "%2E") == 0) {
      out += '.';
      i += 2;
    } else {
      out += encoded[i];
    }
  }
  return out;
}

}  // namespace dbinsight::bucket
