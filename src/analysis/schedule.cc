#include "analysis/schedule.h"

#include <charconv>
#include <cmath>
#include <ctime>
#include <vector>

namespace dbinsight::analysis {
namespace {

Status Bad(std::string_view why) { return Status::InvalidArgument("ScheduleExpression: " + std::string(why)); }

std::vector<std::string_view> Split(std::string_view s, char by) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t at = s.find(by, start);
    out.push_back(s.substr(start, at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

std::optional<int> Number(std::string_view s) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// A value of a field: a number, or a month/weekday name.
std::optional<int> Value(std::string_view s, const char* const* names, int first) {
  if (auto n = Number(s)) return n;
  if (names == nullptr) return std::nullopt;
  for (int i = 0; names[i] != nullptr; ++i) {
    std::string_view name = names[i];
    if (s.size() == name.size() && std::equal(s.begin(), s.end(), name.begin(), [](char a, char b) {
          return std::toupper(static_cast<unsigned char>(a)) == b;
        }))
      return first + i;
  }
  return std::nullopt;
}

constexpr const char* kMonths[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                   "JUL", "AUG", "SEP", "OCT", "NOV", "DEC", nullptr};
constexpr const char* kWeekdays[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", nullptr};

// Sets the bits of `field` (values lo..hi) that one cron field allows.
template <size_t N>
Status Field(std::string_view text, std::string_view what, int lo, int hi, const char* const* names,
             std::bitset<N>& out, int offset = 0) {
  for (std::string_view part : Split(text, ',')) {
    int step = 1;
    if (auto slash = part.find('/'); slash != std::string_view::npos) {
      auto s = Number(part.substr(slash + 1));
      if (!s || *s < 1) return Bad(std::string(what) + ": bad step in '" + std::string(text) + "'");
      step = *s;
      part = part.substr(0, slash);
    }
    int from = lo, to = hi;
    if (part != "*") {
      auto dash = part.find('-');
      auto a = Value(part.substr(0, dash), names, lo);
      if (!a) return Bad(std::string(what) + ": '" + std::string(text) + "' is not a valid value");
      from = *a;
      to = *a;
      if (dash != std::string_view::npos) {
        auto b = Value(part.substr(dash + 1), names, lo);
        if (!b) return Bad(std::string(what) + ": '" + std::string(text) + "' is not a valid range");
        to = *b;
      } else if (step > 1) {
        to = hi;  // "0/15": from 0 every 15
      }
    }
    if (from < lo || to > hi || from > to)
      return Bad(std::string(what) + ": '" + std::string(text) + "' is outside " + std::to_string(lo) + "-" +
                 std::to_string(hi));
    for (int v = from; v <= to; v += step) out.set(v - offset);
  }
  return Status::Ok();
}

}  // namespace

Result<Schedule> Schedule::Parse(std::string_view e) {
  Schedule s;
  s.expression_ = std::string(e);
  auto inner = [&e](std::string_view prefix) -> std::optional<std::string_view> {
    if (e.size() < prefix.size() + 1 || e.substr(0, prefix.size()) != prefix || e.back() != ')') return std::nullopt;
    return e.substr(prefix.size(), e.size() - prefix.size() - 1);
  };
  if (auto rate = inner("rate(")) {
    auto parts = Split(*rate, ' ');
    if (parts.size() != 2) return Bad("expected rate(VALUE UNIT), e.g. rate(15 minutes)");
    auto n = Number(parts[0]);
    if (!n || *n < 1) return Bad("rate value must be a positive whole number");
    const std::string_view unit = parts[1];
    int64_t unit_seconds = 0;
    if (unit == "minute" || unit == "minutes") unit_seconds = 60;
    else if (unit == "hour" || unit == "hours") unit_seconds = 3600;
    else if (unit == "day" || unit == "days") unit_seconds = 86400;
    else return Bad("rate unit must be minute(s), hour(s) or day(s)");
    // EventBridge's rule: the singular unit for 1, the plural otherwise.
    if ((*n == 1) != (unit.back() != 's'))
      return Bad(*n == 1 ? "use the singular unit for a value of 1, e.g. rate(1 minute)"
                         : "use the plural unit for a value above 1, e.g. rate(15 minutes)");
    s.rate_seconds_ = *n * unit_seconds;
    return s;
  }
  auto cron = inner("cron(");
  if (!cron) return Bad("expected rate(...) or cron(...)");
  auto f = Split(*cron, ' ');
  if (f.size() != 6) return Bad("cron needs six fields: minutes hours day-of-month month day-of-week year");
  for (auto field : f)
    if (field.find_first_of("LW#") != std::string_view::npos)
      return Bad("cron: L, W and # are not supported; list the days instead");
  if ((f[2] == "?") == (f[4] == "?")) return Bad("cron: exactly one of day-of-month and day-of-week must be '?'");
  DBI_RETURN_IF_ERROR(Field(f[0], "cron minutes", 0, 59, nullptr, s.minutes_));
  DBI_RETURN_IF_ERROR(Field(f[1], "cron hours", 0, 23, nullptr, s.hours_));
  s.any_day_of_month_ = f[2] == "?" || f[2] == "*";
  if (f[2] != "?") DBI_RETURN_IF_ERROR(Field(f[2], "cron day-of-month", 1, 31, nullptr, s.days_));
  DBI_RETURN_IF_ERROR(Field(f[3], "cron month", 1, 12, kMonths, s.months_));
  s.any_weekday_ = f[4] == "?" || f[4] == "*";
  if (f[4] != "?") DBI_RETURN_IF_ERROR(Field(f[4], "cron day-of-week", 1, 7, kWeekdays, s.weekdays_));
  DBI_RETURN_IF_ERROR(Field(f[5], "cron year", 1970, 2169, nullptr, s.years_, 1970));
  return s;
}

std::optional<WallTime> Schedule::NextAfter(WallTime t) const {
  const auto now = static_cast<int64_t>(std::floor(ToEpochSeconds(t)));
  if (rate_seconds_ > 0) return FromEpochSeconds(static_cast<double>((now / rate_seconds_ + 1) * rate_seconds_));
  // Minute by minute would be simple but slow for sparse schedules: skip
  // whole days that cannot match, then minutes within a matching day.
  int64_t minute = now / 60 + 1;
  const int64_t limit = minute + int64_t{200} * 366 * 24 * 60;
  while (minute < limit) {
    const time_t secs = static_cast<time_t>(minute * 60);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    const int year = tm.tm_year + 1900;
    if (year - 1970 >= 200) return std::nullopt;
    const bool day_ok = months_.test(tm.tm_mon + 1) && years_.test(year - 1970) &&
                        (any_day_of_month_ || days_.test(tm.tm_mday)) && (any_weekday_ || weekdays_.test(tm.tm_wday + 1));
    if (!day_ok) {
      minute += (24 * 60) - (tm.tm_hour * 60 + tm.tm_min);  // next midnight
      continue;
    }
    if (hours_.test(tm.tm_hour) && minutes_.test(tm.tm_min)) return FromEpochSeconds(static_cast<double>(minute * 60));
    ++minute;
  }
  return std::nullopt;
}

}  // namespace dbinsight::analysis
