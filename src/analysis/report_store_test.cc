// ReportStore on a real SQLite file: the life of a report, ids, tags,
// per-instance scoping, reopening, and concurrent creates.
#include "analysis/report_store.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <thread>

#include "testing/temp_dir.h"

namespace dbinsight::analysis {
namespace {

class ReportStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tmp = testing::TempDir::Create("dbi-report-store");
    ASSERT_TRUE(tmp.ok());
    tmp_ = std::move(tmp.value());
    auto s = ReportStore::Open(tmp_->path().string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s.value());
  }
  std::unique_ptr<testing::TempDir> tmp_;
  std::unique_ptr<ReportStore> store_;
};

TEST_F(ReportStoreTest, CreateFinishGetListDelete) {
  auto id = store_->Create("pg1", FromEpochSeconds(1000), FromEpochSeconds(100), FromEpochSeconds(200),
                           {{"team", "db"}, {"empty", ""}});
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_TRUE(std::regex_match(*id, std::regex("report-[0-9a-f]{17}"))) << *id;
  auto got = store_->Get("pg1", *id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->status, ReportStatus::kRunning);
  EXPECT_EQ(ToEpochSeconds((*got)->start), 100);
  EXPECT_EQ(ToEpochSeconds((*got)->end), 200);
  EXPECT_EQ(ToEpochSeconds((*got)->create_time), 1000);
  EXPECT_EQ((*got)->tags, (std::vector<std::pair<std::string, std::string>>{{"team", "db"}, {"empty", ""}}));

  ASSERT_TRUE(store_->Finish(*id, ReportStatus::kSucceeded, "{\"x\":1}", "").ok());
  got = store_->Get("pg1", *id);
  EXPECT_EQ((*got)->status, ReportStatus::kSucceeded);
  EXPECT_EQ((*got)->report_json, "{\"x\":1}");
  // Another instance does not see it.
  EXPECT_FALSE(store_->Get("pg2", *id)->has_value());
  EXPECT_EQ(store_->Delete("pg2", *id).code(), StatusCode::kNotFound);

  auto second = store_->Create("pg1", FromEpochSeconds(2000), FromEpochSeconds(100), FromEpochSeconds(200), {});
  ASSERT_TRUE(second.ok());
  auto list = store_->List("pg1");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, *second);  // newest first
  EXPECT_TRUE((*list)[0].report_json.empty());

  ASSERT_TRUE(store_->Delete("pg1", *id).ok());
  EXPECT_FALSE(store_->Get("pg1", *id)->has_value());
  EXPECT_EQ(store_->Finish(*id, ReportStatus::kFailed, "", "gone").code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->List("pg1")->size(), 1u);
}

TEST_F(ReportStoreTest, SurvivesReopening) {
  auto id = store_->Create("pg1", FromEpochSeconds(1), FromEpochSeconds(1), FromEpochSeconds(2), {{"k", "v"}});
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(store_->Finish(*id, ReportStatus::kFailed, "", "engine said no").ok());
  store_.reset();
  auto reopened = ReportStore::Open(tmp_->path().string());
  ASSERT_TRUE(reopened.ok());
  auto got = reopened.value()->Get("pg1", *id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->status, ReportStatus::kFailed);
  EXPECT_EQ((*got)->error, "engine said no");
  EXPECT_EQ((*got)->tags.size(), 1u);
}

TEST_F(ReportStoreTest, ConcurrentCreatesGetDistinctIds) {
  std::vector<std::thread> threads;
  std::vector<std::vector<std::string>> ids(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        auto id = store_->Create("pg1", FromEpochSeconds(i), FromEpochSeconds(0), FromEpochSeconds(1), {});
        if (id.ok()) ids[t].push_back(*id);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& v : ids) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), 100u);
  EXPECT_EQ(store_->List("pg1")->size(), 100u);
}

}  // namespace
}  // namespace dbinsight::analysis
