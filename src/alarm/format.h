// The text forms CloudWatch uses inside StateReason, StateReasonData and
// HistoryData: Java-style doubles, its two timestamp layouts, and the few JSON
// pieces those documents are built from (alarm/ builds its JSON by hand: the
// JSON library's door is api/). Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/json_text.h"

namespace dbinsight::alarm {

// A double the way Java's Double.toString writes it, as CloudWatch does in
// reasons and reason data: "80.0", "0.0666851903306472", "1.0E7", "1.5E-4"
// (decimal for 1e-3 <= |v| < 1e7, else d.dddE±n; shortest round-trip digits).
// REQUIRES: v is finite.
std::string JavaDouble(double v);

// "27/11/26 10:00:00": a datapoint's period start inside StateReason (UTC).
std::string ReasonTime(WallTime t);
// "2026-11-27T10:00:00.000+0000": timestamps inside StateReasonData (UTC, ms).
std::string ReasonDataTime(WallTime t);

// "key":value, where value is JSON text.
std::string JsonMember(std::string_view key, std::string_view value);
// {m1,m2,...} and [v1,v2,...] from JSON texts.
std::string JsonObject(const std::vector<std::string>& members);
std::string JsonArray(const std::vector<std::string>& values);

}  // namespace dbinsight::alarm
