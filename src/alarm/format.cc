// CloudWatch text forms: Java doubles, reason timestamps, JSON pieces.
#include "alarm/format.h"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <cmath>

#include "common/check.h"

namespace dbinsight::alarm {
namespace {

struct Civil {
  int year;
  unsigned month, day;
  int64_t hour, minute, second, millis;
};

Civil ToCivil(WallTime t) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(t);
  const auto day = floor<days>(ms);
  const year_month_day ymd{day};
  const hh_mm_ss hms{ms - day};
  return {int(ymd.year()),       unsigned(ymd.month()), unsigned(ymd.day()),     hms.hours().count(),
          hms.minutes().count(), hms.seconds().count(), hms.subseconds().count()};
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += ',';
    out += p;
  }
  return out;
}

}  // namespace

std::string JavaDouble(double v) {
  DBI_CHECK(std::isfinite(v));
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  // Shortest round-trip digits in the form d[.ddd]e(+|-)xx, as Java 19+ picks them.
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, std::fabs(v), std::chars_format::scientific);
  DBI_CHECK(ec == std::errc());
  const std::string_view sci(buf, end - buf);
  const size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exponent = 0;
  std::string_view exp_text = sci.substr(e + 1);
  const bool negative_exp = exp_text[0] == '-';
  exp_text.remove_prefix(1);
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);
  if (negative_exp) exponent = -exponent;

  std::string out = v < 0 ? "-" : "";
  const double magnitude = std::fabs(v);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    if (exponent < 0) {
      out += "0." + std::string(-exponent - 1, '0') + digits;
    } else if (int(digits.size()) <= exponent + 1) {
      out += digits + std::string(exponent + 1 - digits.size(), '0') + ".0";
    } else {
      out += digits.substr(0, exponent + 1) + "." + digits.substr(exponent + 1);
    }
  } else {
    out += digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0") + "E" + std::to_string(exponent);
  }
  return out;
}

std::string ReasonTime(WallTime t) {
  const Civil c = ToCivil(t);
  return fmt::format("{:02}/{:02}/{:02} {:02}:{:02}:{:02}", c.day, c.month, c.year % 100, c.hour, c.minute, c.second);
}

std::string ReasonDataTime(WallTime t) {
  const Civil c = ToCivil(t);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+0000", c.year, c.month, c.day, c.hour, c.minute,
                     c.second, c.millis);
}

std::string JsonMember(std::string_view key, std::string_view value) {
  return JsonQuote(key) + ":" + std::string(value);
}

std::string JsonObject(const std::vector<std::string>& members) { return "{" + Join(members) + "}"; }
std::string JsonArray(const std::vector<std::string>& values) { return "[" + Join(values) + "]"; }

}  // namespace dbinsight::alarm
