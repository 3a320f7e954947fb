// `dbinsight anomaly score`: runs the streaming anomaly detector
// (anomaly/scorer.h) over a `timestamp,value` CSV, as the NAB benchmark
// expects (docs/anomaly.md). Each row is scored before the next is read, so
// there is no look-ahead. Free functions, no shared state.
#pragma once

#include <istream>
#include <ostream>
#include <string>

#include "anomaly/options.h"
#include "common/status.h"

namespace dbinsight::app {

struct AnomalyScoreOptions {
  anomaly::ScorerOptions scorer;
  // Band width in scales for the `label` column: 1 when the value lies
  // outside expected +- k x scale. Default: 2, as ANOMALY_DETECTION_BAND(m, 2).
  double k = 2.0;
};

// Reads `in` (header with `timestamp` and `value` columns; timestamps
// `YYYY-MM-DD HH:MM:SS[.ffffff]` or with a `T`, UTC) and writes
// `timestamp,value,anomaly_score,label`: one row per input row, in order, with
// the timestamp and value text copied unchanged. Duplicate and backward
// timestamps are scored like any row. InvalidArgument naming the line on a
// malformed row; rows before it have been written.
Status ScoreCsv(std::istream& in, std::ostream& out, const AnomalyScoreOptions& options);

// ScoreCsv from file `in_path` to file `out_path` (created or replaced).
// NotFound / Unavailable when a file cannot be opened or written.
Status ScoreCsvFile(const std::string& in_path, const std::string& out_path, const AnomalyScoreOptions& options);

}  // namespace dbinsight::app
