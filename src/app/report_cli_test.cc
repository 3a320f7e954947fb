// `dbinsight report`: time forms, usage errors, and a report printed from a
// config's store holding a known lock-wait episode.
#include "app/report_cli.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/clock.h"
#include "store/store.h"
#include "testing/session_rows.h"
#include "testing/temp_dir.h"

namespace dbinsight::app {
namespace {

TEST(ReportTimeTest, Forms) {
  const WallTime now = FromEpochSeconds(1795763130);
  EXPECT_EQ(ParseReportTime("now", now), now);
  EXPECT_EQ(ToEpochSeconds(*ParseReportTime("-2h", now)), 1795763130 - 7200);
  EXPECT_EQ(ToEpochSeconds(*ParseReportTime("-90s", now)), 1795763130 - 90);
  EXPECT_EQ(ToEpochSeconds(*ParseReportTime("1700000000", now)), 1700000000);
  EXPECT_EQ(ToEpochSeconds(*ParseReportTime("2023-11-14T22:13:20Z", now)), 1700000000);
  EXPECT_FALSE(ParseReportTime("yesterday", now));
  EXPECT_FALSE(ParseReportTime("-2 fortnights", now));
}

class ReportCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tmp = testing::TempDir::Create("dbi-report-cli");
    ASSERT_TRUE(tmp.ok());
    tmp_ = std::move(tmp.value());
    std::ofstream(tmp_->File("dbinsight.yaml"))
        << "store: " << tmp_->File("store") << "\n"
        << "instances:\n  - {id: pg1, engine: postgres, dsn: \"host=127.0.0.1\", vcpus: 2}\n";
    SystemClock clock;
    auto store = store::Store::Open({.directory = tmp_->File("store")}, clock);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    for (int i = 0; i < 300; ++i) {
      model::Sample s{"pg1", FromEpochSeconds(static_cast<double>(t0_ + i)), {}, 0};
      if (i >= 100 && i < 200)
        for (int n = 0; n < 3; ++n)
          s.active.push_back(testing::MakeSessionRow({.wait = "Lock:transactionid", .sql = "update t set v = $1"}));
      ASSERT_TRUE(store.value()->AppendSample(s).ok());
    }
  }
  int Run(ReportCommand c) {
    c.config = tmp_->File("dbinsight.yaml");
    return RunReport(c, out_, err_);
  }
  const int64_t t0_ = 1700000000;
  std::unique_ptr<testing::TempDir> tmp_;
  std::ostringstream out_, err_;
};

TEST_F(ReportCliTest, PrintsTheLockEpisode) {
  ASSERT_EQ(Run({.instance = "pg1", .from = "1700000000", .to = "1700000300"}), 0) << err_.str();
  EXPECT_NE(out_.str().find("[HIGH] LockWaits: Load 3.0 on 2 vCPUs"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("\"update t set v = $1\" waiting on Lock:transactionid"), std::string::npos);
}

TEST_F(ReportCliTest, JsonAndMarkdown) {
  ASSERT_EQ(Run({.instance = "pg1", .from = "1700000000", .to = "1700000300", .format = "json"}), 0);
  EXPECT_NE(out_.str().find("\"type\": \"LockWaits\""), std::string::npos) << out_.str();
  out_.str("");
  ASSERT_EQ(Run({.instance = "pg1", .from = "1700000000", .to = "1700000300", .format = "markdown"}), 0);
  EXPECT_NE(out_.str().find("`update t set v = $1`"), std::string::npos) << out_.str();
}

TEST_F(ReportCliTest, UsageErrors) {
  EXPECT_EQ(Run({.instance = "nope", .from = "-1h", .to = "now"}), 2);
  EXPECT_NE(err_.str().find("--instance"), std::string::npos);
  EXPECT_EQ(Run({.instance = "pg1", .from = "soon", .to = "now"}), 2);
  EXPECT_NE(err_.str().find("--from"), std::string::npos);
  EXPECT_EQ(Run({.instance = "pg1", .from = "now", .to = "-1h"}), 2);
}

}  // namespace
}  // namespace dbinsight::app
