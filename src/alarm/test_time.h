// Test-only: a UTC calendar time as a WallTime, so alarm tests can write the
// instants AWS's examples show. Header-only, pure, thread-safe.
#pragma once

#include <chrono>

#include "common/clock.h"

namespace dbinsight::alarm {

inline WallTime Utc(int year, unsigned month, unsigned day, int hour, int minute, int second, int millis = 0) {
  using namespace std::chrono;
  const sys_days date{std::chrono::year(year) / std::chrono::month(month) / std::chrono::day(day)};
  return WallTime(date + hours(hour) + minutes(minute) + seconds(second) + milliseconds(millis));
}

}  // namespace dbinsight::alarm
