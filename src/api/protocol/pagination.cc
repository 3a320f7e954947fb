#include "api/protocol/pagination.h"

#include <fmt/format.h>

#include <charconv>

#include "api/protocol/utf8.h"

namespace dbinsight::api::protocol {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64Url(std::string_view in) {
  std::string out;
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  size_t rest = in.size() - i;
  if (rest) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (rest == 2) v |= uint8_t(in[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> UnBase64Url(std::string_view in) {
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const char* p = std::char_traits<char>::find(kAlphabet, 64, c);
    if (!p) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(p - kAlphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

Status BadToken(std::string_view parameter, std::string_view token, std::string_view why) {
  return Status::InvalidArgument(
      fmt::format("Invalid value for parameter {}, value: {}, {}", parameter, EchoValue(token), why));
}

}  // namespace

uint64_t Fingerprint(std::string_view canonical_request) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : canonical_request) h = (h ^ c) * 1099511628211ULL;
  return h;
}

std::string EncodePageToken(size_t offset, uint64_t fingerprint) {
  return Base64Url(fmt::format("p1:{}:{:016x}", offset, fingerprint));
}

Result<size_t> DecodePageToken(std::string_view token, uint64_t fingerprint,
                               std::string_view parameter) {
  auto raw = UnBase64Url(token);
  if (!raw || raw->rfind("p1:", 0) != 0) return BadToken(parameter, token, "not a token this service issued");
  std::string_view rest = std::string_view(*raw).substr(3);
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos) return BadToken(parameter, token, "not a token this service issued");
  size_t offset = 0;
  auto [p, ec] = std::from_chars(rest.data(), rest.data() + colon, offset);
  if (ec != std::errc() || p != rest.data() + colon)
    return BadToken(parameter, token, "not a token this service issued");
  if (rest.substr(colon + 1) != fmt::format("{:016x}", fingerprint))
    return BadToken(parameter, token, "the token was issued for a different request");
  return offset;
}

PageSlice Paginate(size_t total, const PageRequest& page) {
  PageSlice s;
  s.begin = std::min(page.offset, total);
  if (!page.max_results || *page.max_results <= 0) {
    s.end = total;
    return s;
  }
  s.end = std::min(total, s.begin + static_cast<size_t>(*page.max_results));
  if (s.end < total) s.next_token = EncodePageToken(s.end, page.fingerprint);
  return s;
}

}  // namespace dbinsight::api::protocol
