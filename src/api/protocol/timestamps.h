// Parsing of AWS request timestamps. botocore sends epoch seconds as a JSON
// integer; we also accept floats, numeric strings and ISO-8601 strings
// (reference/pi-api.md §1). Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace dbinsight::api::protocol {

// Latest accepted instant (exclusive): 10000-01-01T00:00:00Z, so every value
// we accept also prints as a four-digit-year ISO time.
inline constexpr double kMaxEpochSeconds = 253402300800.0;

// Epoch seconds (finite, 0 <= s < kMaxEpochSeconds) to WallTime, or nullopt.
std::optional<WallTime> FromEpochSecondsChecked(double seconds);

// Accepts "1700000000", "1700000000.25", "2023-11-14", "2023-11-14T22:13:20Z",
// "2023-11-14T22:13:20.250Z", "2023-11-14 22:13:20", "...+01:00", "...-0530",
// "...+01". A time without zone is UTC. nullopt when malformed or out of range.
std::optional<WallTime> ParseTimestampString(std::string_view text);

// "2023-11-14T22:13:20Z", with milliseconds when there are any
// ("...20.250Z"): the query protocol's XML timestamps. REQUIRES: 0 <= seconds
// < kMaxEpochSeconds.
std::string FormatIsoTimestamp(double epoch_seconds);

}  // namespace dbinsight::api::protocol
