// Schedule against EventBridge's documented examples.
#include "analysis/schedule.h"

#include <gtest/gtest.h>

namespace dbinsight::analysis {
namespace {

// 2026-11-27 07:05:30 UTC, a Friday.
const WallTime kFriday = FromEpochSeconds(1795763130);

int64_t Next(std::string_view e, WallTime t = kFriday) {
  auto s = Schedule::Parse(e);
  EXPECT_TRUE(s.ok()) << e << ": " << s.status().ToString();
  auto n = s->NextAfter(t);
  EXPECT_TRUE(n.has_value()) << e;
  return n ? static_cast<int64_t>(ToEpochSeconds(*n)) : -1;
}

TEST(ScheduleTest, RatesFireOnTheirGrid) {
  EXPECT_EQ(Next("rate(15 minutes)"), 1795763700);  // 07:15:00
  EXPECT_EQ(Next("rate(1 minute)"), 1795763160);    // 07:06:00
  EXPECT_EQ(Next("rate(1 hour)"), 1795766400);      // 08:00:00
  EXPECT_EQ(Next("rate(2 days)"), 1795910400);      // 2026-11-29 00:00 (even days since the epoch)
  // Strictly after: a run at 07:15:00 schedules 07:30:00.
  EXPECT_EQ(Next("rate(15 minutes)", FromEpochSeconds(1795763700)), 1795764600);
}

TEST(ScheduleTest, CronFields) {
  EXPECT_EQ(Next("cron(0/15 * * * ? *)"), 1795763700);      // 07:15
  EXPECT_EQ(Next("cron(0 10 * * ? *)"), 1795773600);        // 10:00 today
  EXPECT_EQ(Next("cron(15 12 * * ? *)"), 1795781700);       // 12:15 today
  EXPECT_EQ(Next("cron(0 18 ? * MON-FRI *)"), 1795802400);  // Friday 18:00
  EXPECT_EQ(Next("cron(0 8 1 * ? *)"), 1796112000);         // 2026-12-01 08:00
  EXPECT_EQ(Next("cron(0/10 * ? * MON-FRI *)"), 1795763400);
  EXPECT_EQ(Next("cron(0 9 ? * SUN *)"), 1795942800);       // Sunday 2026-11-29 09:00
  EXPECT_EQ(Next("cron(0 0 1 JAN ? 2027)"), 1798761600);
  auto past = Schedule::Parse("cron(0 0 1 1 ? 2020)");
  ASSERT_TRUE(past.ok());
  EXPECT_FALSE(past->NextAfter(kFriday).has_value());
}

TEST(ScheduleTest, ErrorsSayWhatIsWrong) {
  for (const char* bad : {"rate(15 minute)", "rate(1 minutes)", "rate(0 minutes)", "rate(5 weeks)", "every 5 min",
                          "cron(0 10 * * *)", "cron(0 10 * * MON *)", "cron(0 10 ? * ? *)", "cron(61 * * * ? *)",
                          "cron(0 10 L * ? *)", "cron(0 10 ? * 6#3 *)", "cron(0 10 ? * FUNDAY *)"}) {
    auto s = Schedule::Parse(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.status().message().rfind("ScheduleExpression: ", 0), 0u) << s.status().message();
  }
}

}  // namespace
}  // namespace dbinsight::analysis
