// Schedule: an EventBridge schedule expression, as the recipe's rule uses to
// run the analyzer: `rate(15 minutes)` or `cron(0/15 * * * ? *)`
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html).
// Times are UTC, as EventBridge's are. A rate fires on multiples of its
// interval since the epoch (EventBridge counts from the rule's creation; a
// fixed grid makes runs predictable across restarts). cron has six fields:
// minutes, hours, day-of-month, month, day-of-week (1-7 = SUN-SAT, or
// SUN..SAT), year; `*`, lists, ranges, `/` steps, and `?` in one of the two
// day fields. `L`, `W` and `#` are refused with a clear error.
// Value type; thread-compatible.
#pragma once

#include <array>
#include <bitset>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace dbinsight::analysis {

class Schedule {
 public:
  // InvalidArgument naming what is wrong, e.g. "ScheduleExpression: rate
  // unit must be minute(s), hour(s) or day(s)".
  static Result<Schedule> Parse(std::string_view expression);

  // The first firing strictly after t (whole seconds), or nullopt when the
  // schedule never fires again (a cron limited to past years).
  std::optional<WallTime> NextAfter(WallTime t) const;

  const std::string& expression() const { return expression_; }

 private:
  std::string expression_;
  int64_t rate_seconds_ = 0;  // > 0 for rate(...)
  // cron fields as allowed-value sets.
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;      // 1..31
  std::bitset<13> months_;    // 1..12
  std::bitset<8> weekdays_;   // 1..7, 1 = Sunday
  std::bitset<200> years_;    // 1970..2169, offset 1970
  bool any_day_of_month_ = false;  // '*' or '?': only the weekday field restricts
  bool any_weekday_ = false;
};

}  // namespace dbinsight::analysis
