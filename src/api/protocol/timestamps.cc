#include "api/protocol/timestamps.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <string>

namespace dbinsight::api::protocol {

namespace {

// Reads exactly n digits at s[pos]; advances pos.
bool Digits(std::string_view s, size_t& pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  pos += n;
  return true;
}

std::optional<WallTime> ParseEpochString(std::string_view s) {
  // from_chars for double rejects leading '+' and whitespace, which is what
  // we want; also reject "inf"/"nan" spellings by requiring digits only.
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.') return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return FromEpochSecondsChecked(v);
}

}  // namespace

std::optional<WallTime> FromEpochSecondsChecked(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0 || seconds >= kMaxEpochSeconds) return std::nullopt;
  return FromEpochSeconds(seconds);
}

std::optional<WallTime> ParseTimestampString(std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (s.find('-') == std::string_view::npos) return ParseEpochString(s);

  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!Digits(s, pos, 4, year) || pos >= s.size() || s[pos++] != '-' || !Digits(s, pos, 2, month) ||
      pos >= s.size() || s[pos++] != '-' || !Digits(s, pos, 2, day))
    return std::nullopt;
  double fraction = 0;
  int offset_minutes = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
    ++pos;
    if (!Digits(s, pos, 2, hour) || pos >= s.size() || s[pos++] != ':' || !Digits(s, pos, 2, minute))
      return std::nullopt;
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!Digits(s, pos, 2, second)) return std::nullopt;
      if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
        ++pos;
        double scale = 0.1;
        size_t start = pos;
        while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
          fraction += (s[pos] - '0') * scale;
          scale /= 10;
          ++pos;
        }
        if (pos == start) return std::nullopt;
      }
    }
    if (pos < s.size()) {
      char z = s[pos];
      if (z == 'Z' || z == 'z') {
        ++pos;
      } else if (z == '+' || z == '-') {
        ++pos;
        int oh = 0, om = 0;
        if (!Digits(s, pos, 2, oh)) return std::nullopt;
        if (pos < s.size() && s[pos] == ':') ++pos;
        if (pos < s.size() && !Digits(s, pos, 2, om)) return std::nullopt;
        if (oh > 23 || om > 59) return std::nullopt;
        offset_minutes = (z == '+' ? 1 : -1) * (oh * 60 + om);
      } else {
        return std::nullopt;
      }
    }
    if (pos != s.size()) return std::nullopt;
  }
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(month),
                                  std::chrono::day(day)};
  if (!ymd.ok()) return std::nullopt;
  auto days = std::chrono::sys_days(ymd).time_since_epoch().count();
  double epoch = static_cast<double>(days) * 86400.0 + hour * 3600 + minute * 60 + second -
                 offset_minutes * 60 + fraction;
  return FromEpochSecondsChecked(epoch);
}

std::string FormatIsoTimestamp(double epoch_seconds) {
  const auto millis = static_cast<int64_t>(std::llround(epoch_seconds * 1000));
  const int64_t seconds = millis / 1000;
  const auto days = std::chrono::sys_days(std::chrono::days(seconds / 86400));
  const std::chrono::year_month_day ymd(days);
  const int64_t in_day = seconds % 86400;
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(ymd.year()),
                                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), in_day / 3600,
                                in_day / 60 % 60, in_day % 60);
  if (millis % 1000 != 0) out += fmt::format(".{:03}", millis % 1000);
  return out + "Z";
}

}  // namespace dbinsight::api::protocol
