// Text codec for detector state; see codec.h.
#include "anomaly/codec.h"

#include <fmt/format.h>

#include <charconv>

namespace dbinsight::anomaly::codec {

namespace {

std::string_view NextToken(std::string_view& in) {
  size_t begin = in.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) {
    in = {};
    return {};
  }
  size_t end = in.find_first_of(" \t\r\n", begin);
  if (end == std::string_view::npos) end = in.size();
  std::string_view token = in.substr(begin, end - begin);
  in.remove_prefix(end);
  return token;
}

template <typename T>
Status TakeNumber(std::string_view& in, std::string_view what, T& v) {
  std::string_view token = NextToken(in);
  auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
  if (token.empty() || ec != std::errc() || ptr != token.data() + token.size()) {
    return Status::InvalidArgument(fmt::format("anomaly state: bad {} '{}'", what, token));
  }
  return Status::Ok();
}

}  // namespace

void PutDouble(std::string& out, double v) {
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  DBI_CHECK(ec == std::errc());
  out.append(buf, ptr);
  out.push_back(' ');
}

void PutInt(std::string& out, int64_t v) {
  out += std::to_string(v);
  out.push_back(' ');
}

void PutWord(std::string& out, std::string_view word) {
  out += word;
  out.push_back(' ');
}

Status TakeDouble(std::string_view& in, std::string_view what, double& v) { return TakeNumber(in, what, v); }

Status TakeInt(std::string_view& in, std::string_view what, int64_t& v) { return TakeNumber(in, what, v); }

Status ExpectWord(std::string_view& in, std::string_view word) {
  std::string_view token = NextToken(in);
  if (token != word) {
    return Status::InvalidArgument(fmt::format("anomaly state: expected '{}', got '{}'", word, token));
  }
  return Status::Ok();
}

Status ExpectEnd(std::string_view in) {
  std::string_view rest = NextToken(in);
  if (!rest.empty()) return Status::InvalidArgument(fmt::format("anomaly state: trailing '{}'", rest));
  return Status::Ok();
}

}  // namespace dbinsight::anomaly::codec
