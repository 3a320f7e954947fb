// Render: what each frame shows, and that any terminal size gets lines that
// fit (width and height) and hold no control characters.
#include "top/layout.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "top/test_samples.h"
#include "top/text.h"

namespace dbinsight::top {
namespace {

using testing::At;
using testing::Row;

std::string Joined(const std::vector<Line>& lines) {
  std::string all;
  for (const Line& l : lines) all += l.text + "\n";
  return all;
}

class LayoutTest : public ::testing::Test {
 protected:
  // A lock chain (3 waiters, an idle blocker), some CPU, and 30 busy
  // sessions whose statement holds newlines, an escape and wide characters.
  void SetUp() override {
    for (int sec = 0; sec < 10; ++sec) {
      std::vector<model::SessionRow> rows;
      for (int p = 1; p <= 3; ++p)
        rows.push_back(Row({.pid = p,
                            .wait = "Lock:transactionid",
                            .statement = "UPDATE lg_accounts SET waiter_hits = waiter_hits + $1 WHERE id = $2",
                            .user = "loadgen",
                            .application = "dbinsight-loadgen"}));
      for (int p = 100; p < 130; ++p)
        rows.push_back(Row({.pid = p,
                            .wait = "CPU",
                            .statement = "SELECT\n\x1b[2J \xe6\x97\xa5\xe6\x9c\xac name FROM a_rather_long_table_name "
                                         "WHERE x = $1 AND y = $2 ORDER BY z LIMIT $3"}));
      model::Sample s = At(sec, std::move(rows));
      for (int p = 1; p <= 3; ++p)
        s.lock_waits.push_back({.waiter_pid = p,
                                .blocker_pid = 42,
                                .wait_seconds = 3.0 + sec,
                                .blocker_state = "idle in transaction",
                                .blocker_statement = "UPDATE lg_accounts SET blocker_hits = $1",
                                .blocker_user = "loadgen",
                                .blocker_state_seconds = 60.0 + sec});
      window_.Add(s);
    }
    header_ = {.instance = "demo-pg", .engine = "postgres", .version = "15.18", .vcpus = 2};
  }

  static void ExpectFits(const std::vector<Line>& lines, Size size) {
    EXPECT_LE(static_cast<int>(lines.size()), size.height) << size.width << "x" << size.height;
    for (const Line& l : lines) {
      EXPECT_LE(DisplayWidth(l.text), size.width) << size.width << "x" << size.height << ": " << l.text;
      for (const char c : l.text)
        ASSERT_FALSE(static_cast<unsigned char>(c) < 0x20 || c == 0x7f) << "control character in: " << l.text;
    }
  }

  LoadWindow window_{std::chrono::seconds(10)};
  Header header_;
  ViewState state_;
};

TEST_F(LayoutTest, At80x24) {
  const Size size{80, 24};
  const auto lines = Render(header_, window_, state_, size, true);
  ExpectFits(lines, size);
  EXPECT_EQ(static_cast<int>(lines.size()), 24);  // every row used: 33 sessions to show
  EXPECT_EQ(lines[0].style, Style::kHeader);
  EXPECT_EQ(lines[0].text, "08:00:09 UTC  demo-pg  postgres 15.18  dbinsight top");
  EXPECT_EQ(lines[1].text.substr(0, 34), "AAS 33.00 / 2 vCPUs (1650%)  windo");
  const std::string all = Joined(lines);
  EXPECT_NE(all.find("Lock:transactionid"), std::string::npos) << all;
  EXPECT_NE(all.find("waiter_hits"), std::string::npos) << all;
  EXPECT_NE(all.find("idle in"), std::string::npos) << all;  // the blocker, first of the sessions
  EXPECT_NE(all.find("PID"), std::string::npos);
  EXPECT_NE(all.find("TOP SQL"), std::string::npos);
  EXPECT_EQ(lines.back().style, Style::kTitle);
  EXPECT_NE(lines.back().text.find("q quit"), std::string::npos);
  // Load 30 of 33 on CPU: 91%, then the lock.
  EXPECT_NE(all.find("CPU                30.00   91%"), std::string::npos) << all;
  EXPECT_NE(all.find("Lock:transactionid  3.00    9%"), std::string::npos) << all;
}

TEST_F(LayoutTest, At40x10) {
  const Size size{40, 10};
  const auto lines = Render(header_, window_, state_, size, true);
  ExpectFits(lines, size);
  EXPECT_EQ(static_cast<int>(lines.size()), 10);
  EXPECT_NE(lines[0].text.find("demo-pg"), std::string::npos);
  EXPECT_EQ(lines[1].text.substr(0, 9), "AAS 33.00");
  const std::string all = Joined(lines);
  // All three sections keep a title and a row.
  EXPECT_NE(all.find("WAIT"), std::string::npos) << all;
  EXPECT_NE(all.find("PID"), std::string::npos) << all;
  EXPECT_NE(all.find("TOP SQL"), std::string::npos) << all;
  EXPECT_EQ(all.find("APP"), std::string::npos) << all;  // dropped for room
}

TEST_F(LayoutTest, At200x60ShowsEverySession) {
  const Size size{200, 60};
  const auto lines = Render(header_, window_, state_, size, true);
  ExpectFits(lines, size);
  const std::string all = Joined(lines);
  for (const int pid : {1, 2, 3, 42, 100, 129}) {
    const bool shown = std::any_of(lines.begin(), lines.end(), [&](const Line& l) {
      return l.text.substr(l.text.find_first_not_of(' '), std::to_string(pid).size() + 1) == std::to_string(pid) + " ";
    });
    EXPECT_TRUE(shown) << pid << "\n" << all;
  }
  EXPECT_NE(all.find("dbinsight-lo"), std::string::npos);  // APP fits now
  EXPECT_NE(all.find("1m09s"), std::string::npos) << all;  // the blocker's time idle in transaction
  EXPECT_NE(all.find("ORDER BY z LIMIT $3"), std::string::npos) << all;
}

TEST_F(LayoutTest, EverySizeFits) {
  for (int w = 1; w <= 90; w += 3)
    for (int h = 1; h <= 30; ++h) {
      for (const Slice slice : {Slice::kWaits, Slice::kSql}) {
        ViewState s;
        s.slice = slice;
        ExpectFits(Render(header_, window_, s, {w, h}, true), {w, h});
      }
      ViewState help;
      help.help = true;
      ExpectFits(Render(header_, window_, help, {w, h}, true), {w, h});
    }
}

TEST_F(LayoutTest, SqlSliceListsStatementsAsBars) {
  state_.slice = Slice::kSql;
  const auto lines = Render(header_, window_, state_, {120, 40}, true);
  const std::string all = Joined(lines);
  EXPECT_NE(all.find("SQL STATEMENT"), std::string::npos) << all;
  EXPECT_NE(all.find("UPDATE lg_accounts SET waiter_hits"), std::string::npos) << all;
  EXPECT_EQ(all.find("TOP SQL"), std::string::npos) << all;  // no second statement table
  EXPECT_NE(lines[1].text.find("slice sql"), std::string::npos);
}

TEST_F(LayoutTest, PausedHelpErrorAndEmpty) {
  state_.paused = true;
  auto lines = Render(header_, window_, state_, {80, 24}, true);
  EXPECT_EQ(lines[0].text.rfind("[PAUSED] 08:00:09 UTC  demo-pg", 0), 0u) << lines[0].text;
  state_.help = true;
  const std::string help = Joined(Render(header_, window_, state_, {80, 24}, true));
  EXPECT_NE(help.find("o  sort: load, time (sessions), name"), std::string::npos) << help;
  EXPECT_EQ(help.find("PID"), std::string::npos);

  LoadWindow empty(std::chrono::seconds(10));
  header_.error = "connection refused\n(port 1)";
  lines = Render(header_, empty, ViewState{}, {80, 24}, false);
  EXPECT_EQ(lines[2].style, Style::kError);
  EXPECT_EQ(lines[2].text, "sampling failed: connection refused (port 1)");
  const std::string all = Joined(lines);
  EXPECT_NE(all.find("(waiting for the first sample)"), std::string::npos) << all;
  EXPECT_EQ(all.find("q quit"), std::string::npos);  // a snapshot has no key line
}

TEST(FormatSecondsTest, Units) {
  EXPECT_EQ(FormatSeconds(0.4, false), "0s");
  EXPECT_EQ(FormatSeconds(59, true), "59s+");
  EXPECT_EQ(FormatSeconds(245, false), "4m05s");
  EXPECT_EQ(FormatSeconds(3 * 3600 + 7 * 60 + 5, false), "3h07m");
}

}  // namespace
}  // namespace dbinsight::top
