// Unit tests of `dbinsight anomaly score`'s CSV handling: one output row per
// input row with text copied unchanged (duplicates, backward steps), the
// NAB timestamp format, and errors that name the line.
#include "app/anomaly_cli.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "common/status.h"

namespace dbinsight::app {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A 5-minute series of `rows` (< 288) rows around 10, with a spike at `spike_row`.
std::string Series(int rows, int spike_row) {
  std::string csv = "timestamp,value\n";
  for (int i = 0; i < rows; ++i) {
    csv += fmt::format("2014-04-10 {:02}:{:02}:00,{}\n", i * 5 / 60, i * 5 % 60,
                       i == spike_row ? "90.5" : (i % 2 ? "10.25" : "9.75"));
  }
  return csv;
}

TEST(AnomalyCliTest, OneRowPerInputRowTextUnchanged) {
  const std::string csv =
      "timestamp,value\n"
      "2014-04-10 00:00:00,1.5\n"
      "2014-04-10 00:05:00,2\n"
      "2014-04-10 00:05:00,2.0\n"  // duplicate timestamp
      "2014-04-10 00:01:00,3e0\n"  // backward step
      "2014-04-10T00:10:00.250000,nan\r\n";
  std::istringstream in(csv);
  std::ostringstream out;
  ASSERT_TRUE(ScoreCsv(in, out, {}).ok());
  const std::vector<std::string> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0], "timestamp,value,anomaly_score,label");
  EXPECT_EQ(lines[1], "2014-04-10 00:00:00,1.5,0,0");
  EXPECT_EQ(lines[3], "2014-04-10 00:05:00,2.0,0,0");
  EXPECT_EQ(lines[4], "2014-04-10 00:01:00,3e0,0,0");
  EXPECT_EQ(lines[5], "2014-04-10T00:10:00.250000,nan,0,0");
}

TEST(AnomalyCliTest, SpikeGetsHighScoreAndLabel) {
  std::istringstream in(Series(200, 150));
  std::ostringstream out;
  ASSERT_TRUE(ScoreCsv(in, out, {}).ok());
  const std::vector<std::string> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 201u);
  const std::string& spike = lines[151];
  EXPECT_EQ(spike.substr(spike.size() - 2), ",1") << spike;
  const size_t score_at = spike.find(',', spike.find(',') + 1) + 1;
  EXPECT_GT(std::stod(spike.substr(score_at)), 0.75) << spike;
  EXPECT_EQ(lines[100].substr(lines[100].size() - 2), ",0") << lines[100];
}

TEST(AnomalyCliTest, ColumnsFoundByHeaderName) {
  std::istringstream in("value,timestamp\n5,2014-04-10 00:00:00\n");
  std::ostringstream out;
  ASSERT_TRUE(ScoreCsv(in, out, {}).ok());
  EXPECT_EQ(Lines(out.str()).at(1), "2014-04-10 00:00:00,5,0,0");
}

TEST(AnomalyCliTest, MalformedInputNamesTheLine) {
  std::ostringstream out;
  std::istringstream bad_time("timestamp,value\n2014-04-10 00:00:00,1\n2014-13-10 00:05:00,1\n");
  Status s = ScoreCsv(bad_time, out, {});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("line 3"), std::string::npos) << s.message();
  std::istringstream bad_value("timestamp,value\n2014-04-10 00:00:00,abc\n");
  s = ScoreCsv(bad_value, out, {});
  EXPECT_NE(s.message().find("line 2"), std::string::npos) << s.message();
  std::istringstream no_header("time,val\n");
  EXPECT_FALSE(ScoreCsv(no_header, out, {}).ok());
  std::istringstream empty("");
  EXPECT_FALSE(ScoreCsv(empty, out, {}).ok());
  EXPECT_EQ(ScoreCsvFile("/nonexistent/in.csv", "/tmp/unused.csv", {}).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace dbinsight::app
