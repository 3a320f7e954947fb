// StateReason / StateReasonData rendering (wording sources: reason.h).
#include "alarm/reason.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "alarm/format.h"
#include "common/check.h"

namespace dbinsight::alarm {
namespace {

std::string Noun(int count, std::string_view noun) { return fmt::format("{}{}", noun, count == 1 ? "" : "s"); }
std::string_view WasWere(int count) { return count == 1 ? "was" : "were"; }

bool UsesLower(ComparisonOperator op) {
  return op == ComparisonOperator::kLessThanLowerOrGreaterThanUpperThreshold ||
         op == ComparisonOperator::kLessThanLowerThreshold;
}
bool UsesUpper(ComparisonOperator op) {
  return op == ComparisonOperator::kLessThanLowerOrGreaterThanUpperThreshold ||
         op == ComparisonOperator::kGreaterThanUpperThreshold;
}

std::string_view StaticPhrase(ComparisonOperator op) {
  switch (op) {
    case ComparisonOperator::kGreaterThanOrEqualToThreshold:
      return "greater than or equal to";
    case ComparisonOperator::kGreaterThanThreshold:
      return "greater than";
    case ComparisonOperator::kLessThanThreshold:
      return "less than";
    case ComparisonOperator::kLessThanOrEqualToThreshold:
      return "less than or equal to";
    default:
      DBI_CHECK(false && "band operator has no static phrase");
  }
  return {};
}

// "[0.02, 0.03]": one band bound per listed datapoint, in the same order.
std::string Bounds(const std::vector<const EvaluatedPeriod*>& listed, bool lower) {
  std::string out;
  for (const EvaluatedPeriod* p : listed) {
    out += out.empty() ? "" : ", ";
    out += JavaDouble(lower ? *p->data->lower : *p->data->upper);
  }
  return "[" + out + "]";
}

// What the listed datapoints were relative to the threshold or band:
// "greater than the threshold (80.0)", "not less than the lower thresholds
// [..] or not greater than the upper thresholds [..]" (sic, AWS's wording).
std::string Comparison(const AlarmDefinition& def, bool alarm, const std::vector<const EvaluatedPeriod*>& listed) {
  const std::string_view no = alarm ? "" : "not ";
  const ComparisonOperator op = def.comparison_operator;
  if (!IsBandOperator(op)) {
    return fmt::format("{}{} the threshold ({})", no, StaticPhrase(op), JavaDouble(*def.threshold));
  }
  std::string out;
  if (UsesLower(op)) out += fmt::format("{}less than the lower thresholds {}", no, Bounds(listed, true));
  if (UsesLower(op) && UsesUpper(op)) out += " or ";
  if (UsesUpper(op)) out += fmt::format("{}greater than the upper thresholds {}", no, Bounds(listed, false));
  return out;
}

}  // namespace

std::string StateReason(const AlarmDefinition& def, StateValue value, std::span<const EvaluatedPeriod> evaluated) {
  const int n = int(evaluated.size());
  const int received = int(std::count_if(evaluated.begin(), evaluated.end(), [](const auto& p) { return p.data; }));
  const int fills = n - received;
  if (value == StateValue::kInsufficientData) {
    return fmt::format("Insufficient Data: {} {} {} unknown.", fills, Noun(fills, "datapoint"), WasWere(fills));
  }
  const bool alarm = value == StateValue::kAlarm;
  // The datapoints that agree with the new state, newest first.
  std::vector<const EvaluatedPeriod*> listed;
  for (const EvaluatedPeriod& p : evaluated) {
    if (p.data && p.breaching == alarm) listed.push_back(&p);
  }
  const TreatMissingData treat = def.EffectiveTreatMissingData();
  const bool filled = fills > 0 && (treat == TreatMissingData::kBreaching || treat == TreatMissingData::kNotBreaching);
  const std::string fill_text =
      fmt::format("{} missing {} {} treated as [{}]", fills, Noun(fills, "datapoint"), WasWere(fills),
                  treat == TreatMissingData::kBreaching ? "Breaching" : "NonBreaching");
  std::string text = IsBandOperator(def.comparison_operator) ? "Thresholds Crossed: " : "Threshold Crossed: ";

  if (listed.empty()) {
    // Only filled periods agree with the new state. AWS: "no datapoints were
    // received for 2 periods and 2 missing datapoints were treated as
    // [Breaching]." and, with a datapoint that did not count, "1 datapoint was
    // received for 3 periods and 2 missing datapoints were treated as [Breaching]".
    DBI_CHECK(filled);
    return text + fmt::format("{} {} {} received for {} {} and {}.", received == 0 ? "no" : std::to_string(received),
                              Noun(received, "datapoint"), WasWere(received), n, Noun(n, "period"), fill_text);
  }

  const int k = int(listed.size());
  text += def.datapoints_to_alarm ? fmt::format("{} out of the last {} datapoints", k, n)
                                  : fmt::format("{} {}", k, Noun(k, "datapoint"));
  std::string values;
  for (const EvaluatedPeriod* p : listed) {
    values += values.empty() ? "" : ", ";
    values += fmt::format("{} ({})", JavaDouble(*p->data->value), ReasonTime(p->start));
  }
  text += fmt::format(" [{}] {} {}", values, WasWere(k), Comparison(def, alarm, listed));
  if (filled) text += " and " + fill_text;
  if (def.datapoints_to_alarm) {
    // OK needs enough non-breaching datapoints that fewer than M can breach.
    const int minimum = alarm ? def.DatapointsToAlarm() : n - def.DatapointsToAlarm() + 1;
    text += fmt::format(" (minimum {} {} for {} transition)", minimum, Noun(minimum, "datapoint"),
                        alarm ? "OK -> ALARM" : "ALARM -> OK");
  }
  return text + ".";
}

std::string StateReasonData(const AlarmDefinition& def, std::span<const EvaluatedPeriod> evaluated, WallTime now) {
  const ComparisonOperator op = def.comparison_operator;
  const bool band = IsBandOperator(op);
  std::vector<std::string> recent, lowers, uppers, points;
  const EvaluatedPeriod* oldest = nullptr;
  for (auto it = evaluated.rbegin(); it != evaluated.rend(); ++it) {  // recent* lists are oldest first
    if (!it->data) continue;
    if (!oldest) oldest = &*it;
    recent.push_back(JavaDouble(*it->data->value));
    if (band && UsesLower(op)) lowers.push_back(JavaDouble(*it->data->lower));
    if (band && UsesUpper(op)) uppers.push_back(JavaDouble(*it->data->upper));
  }
  for (const EvaluatedPeriod& p : evaluated) {  // evaluatedDatapoints: newest first
    std::vector<std::string> m{JsonMember("timestamp", JsonQuote(ReasonDataTime(p.start)))};
    if (p.data && !band) {
      // A Metrics alarm's value may be an expression: no sample count.
      if (def.metrics.empty()) m.push_back(JsonMember("sampleCount", JavaDouble(p.data->sample_count)));
      m.push_back(JsonMember("value", JavaDouble(*p.data->value)));
    } else if (p.data) {
      m.push_back(JsonMember("value", JavaDouble(*p.data->value)));
      if (UsesLower(op) && UsesUpper(op)) {
        m.push_back(JsonMember("lowerThreshold", JavaDouble(*p.data->lower)));
        m.push_back(JsonMember("upperThreshold", JavaDouble(*p.data->upper)));
      } else {
        m.push_back(JsonMember("threshold", JavaDouble(UsesLower(op) ? *p.data->lower : *p.data->upper)));
      }
    }
    points.push_back(JsonObject(m));
  }

  std::vector<std::string> members{JsonMember("version", JsonQuote("1.0")),
                                   JsonMember("queryDate", JsonQuote(ReasonDataTime(now)))};
  if (oldest) members.push_back(JsonMember("startDate", JsonQuote(ReasonDataTime(oldest->start))));
  if (!band && def.metrics.empty()) members.push_back(JsonMember("statistic", JsonQuote(def.StatisticName())));
  members.push_back(JsonMember("period", std::to_string(def.EvaluationPeriod().count())));
  members.push_back(JsonMember("recentDatapoints", JsonArray(recent)));
  if (band && UsesLower(op)) members.push_back(JsonMember("recentLowerThresholds", JsonArray(lowers)));
  if (band && UsesUpper(op)) members.push_back(JsonMember("recentUpperThresholds", JsonArray(uppers)));
  if (!band) members.push_back(JsonMember("threshold", JavaDouble(*def.threshold)));
  members.push_back(JsonMember("evaluatedDatapoints", JsonArray(points)));
  return JsonObject(members);
}

}  // namespace dbinsight::alarm
