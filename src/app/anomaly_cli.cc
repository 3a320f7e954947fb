// `dbinsight anomaly score`; see anomaly_cli.h.
#include "app/anomaly_cli.h"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <fstream>
#include <optional>
#include <string_view>
#include <vector>

#include "anomaly/scorer.h"
#include "common/clock.h"

namespace dbinsight::app {

namespace {

std::vector<std::string_view> SplitCsv(std::string_view line) {
  std::vector<std::string_view> fields;
  while (true) {
    const size_t comma = line.find(',');
    fields.push_back(line.substr(0, comma));
    if (comma == std::string_view::npos) return fields;
    line.remove_prefix(comma + 1);
  }
}

std::string_view Trim(std::string_view s) {
  const size_t begin = s.find_first_not_of(" \t\r\"");
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(" \t\r\"") - begin + 1);
}

bool ParseInt(std::string_view s, int& v) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// "YYYY-MM-DD HH:MM:SS" (or 'T' between), optional fraction, no zone: UTC.
std::optional<WallTime> ParseTimestamp(std::string_view s) {
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!ParseInt(s.substr(0, 4), y) || !ParseInt(s.substr(5, 2), mo) || !ParseInt(s.substr(8, 2), d) ||
      !ParseInt(s.substr(11, 2), h) || !ParseInt(s.substr(14, 2), mi) || !ParseInt(s.substr(17, 2), sec)) {
    return std::nullopt;
  }
  std::chrono::microseconds fraction{0};
  if (s.size() > 19) {
    std::string_view digits = s.substr(20);
    int micros = 0;
    if (s[19] != '.' || digits.empty() || digits.size() > 6 || !ParseInt(digits, micros)) return std::nullopt;
    for (size_t i = digits.size(); i < 6; ++i) micros *= 10;
    fraction = std::chrono::microseconds(micros);
  }
  const std::chrono::year_month_day date{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                                         std::chrono::day(static_cast<unsigned>(d))};
  if (!date.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  return WallTime(std::chrono::sys_days(date).time_since_epoch() + std::chrono::hours(h) + std::chrono::minutes(mi) +
                  std::chrono::seconds(sec) + fraction);
}

std::optional<double> ParseValue(std::string_view s) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// Shortest text that reads back as the same double: no score ties are
// created by rounding (NAB's optimiser sweeps every distinct score).
std::string FormatScore(double v) {
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, ptr);
}

}  // namespace

Status ScoreCsv(std::istream& in, std::ostream& out, const AnomalyScoreOptions& options) {
  DBI_RETURN_IF_ERROR(options.scorer.Validate());
  std::string line;
  if (!std::getline(in, line)) return Status::InvalidArgument("anomaly score: empty input (no header line)");
  std::optional<size_t> time_col, value_col;
  const std::vector<std::string_view> header = SplitCsv(line);
  for (size_t i = 0; i < header.size(); ++i) {
    if (Trim(header[i]) == "timestamp") time_col = i;
    if (Trim(header[i]) == "value") value_col = i;
  }
  if (!time_col || !value_col) {
    return Status::InvalidArgument("anomaly score: header needs 'timestamp' and 'value' columns, got: " + line);
  }
  const size_t needed = std::max(*time_col, *value_col) + 1;
  anomaly::Scorer scorer(options.scorer);
  out << "timestamp,value,anomaly_score,label\n";
  for (int line_no = 2; std::getline(in, line); ++line_no) {
    if (Trim(line).empty()) continue;
    const std::vector<std::string_view> fields = SplitCsv(line);
    if (fields.size() < needed) {
      return Status::InvalidArgument(fmt::format("anomaly score: line {}: expected {} fields", line_no, needed));
    }
    const std::string_view ts_text = Trim(fields[*time_col]);
    const std::string_view value_text = Trim(fields[*value_col]);
    const std::optional<WallTime> ts = ParseTimestamp(ts_text);
    if (!ts)
      return Status::InvalidArgument(fmt::format("anomaly score: line {}: bad timestamp '{}'", line_no, ts_text));
    const std::optional<double> value = ParseValue(value_text);
    if (!value)
      return Status::InvalidArgument(fmt::format("anomaly score: line {}: bad value '{}'", line_no, value_text));
    const anomaly::Scored scored = scorer.Score(*ts, *value);
    const bool outside = scored.prediction.Standardized(*value) > options.k;
    out << ts_text << ',' << value_text << ',' << FormatScore(scored.score) << ',' << (outside ? 1 : 0) << '\n';
  }
  if (in.bad()) return Status::Unavailable("anomaly score: read error");
  return Status::Ok();
}

Status ScoreCsvFile(const std::string& in_path, const std::string& out_path, const AnomalyScoreOptions& options) {
  std::ifstream in(in_path);
  if (!in) return Status::NotFound("anomaly score: cannot open " + in_path);
  std::ofstream out(out_path, std::ios::trunc);
  if (!out) return Status::Unavailable("anomaly score: cannot create " + out_path);
  DBI_RETURN_IF_ERROR(ScoreCsv(in, out, options));
  out.flush();
  if (!out) return Status::Unavailable("anomaly score: write failed: " + out_path);
  return Status::Ok();
}

}  // namespace dbinsight::app
