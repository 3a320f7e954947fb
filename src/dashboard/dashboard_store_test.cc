// DashboardStore: put/replace, get, prefix listing, all-or-nothing delete,
// and that dashboards survive a reopen.
#include "dashboard/dashboard_store.h"

#include <gtest/gtest.h>

#include "testing/temp_dir.h"

namespace dbinsight::dashboard {
namespace {

WallTime At(int64_t ms) { return FromEpochSeconds(static_cast<double>(ms) / 1000); }

class DashboardStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tmp = testing::TempDir::Create("dbi-dashboards");
    ASSERT_TRUE(tmp.ok());
    tmp_ = std::move(tmp).value();
    Reopen();
  }
  void Reopen() {
    store_.reset();
    auto s = DashboardStore::Open(tmp_->path().string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  std::vector<std::string> Names(const std::string& prefix) {
    auto list = store_->List(prefix);
    EXPECT_TRUE(list.ok());
    std::vector<std::string> out;
    for (const Dashboard& d : list.value()) out.push_back(d.name);
    return out;
  }

  std::unique_ptr<testing::TempDir> tmp_;
  std::unique_ptr<DashboardStore> store_;
};

TEST_F(DashboardStoreTest, PutGetReplaceAndReopen) {
  ASSERT_TRUE(store_->Put("db-perf", R"({"widgets":[]})", At(1700000000123)).ok());
  auto missing = store_->Get("other");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  ASSERT_TRUE(store_->Put("db-perf", R"({"widgets":[],"start":"-PT6H"})", At(1700000060000)).ok());
  Reopen();
  auto got = store_->Get("db-perf");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  const Dashboard& d = **got;
  EXPECT_EQ(d.name, "db-perf");
  EXPECT_EQ(d.body, R"({"widgets":[],"start":"-PT6H"})");
  EXPECT_EQ(d.size, 30);
  EXPECT_EQ(ToEpochMillis(d.last_modified), 1700000060000);
}

TEST_F(DashboardStoreTest, ListsByPrefixInNameOrder) {
  for (const char* name : {"RDS-Performance-b", "RDS-Performance-a", "ops", "RDS_x"})
    ASSERT_TRUE(store_->Put(name, "{}", At(1000)).ok());
  EXPECT_EQ(Names(""), (std::vector<std::string>{"RDS-Performance-a", "RDS-Performance-b", "RDS_x", "ops"}));
  EXPECT_EQ(Names("RDS-"), (std::vector<std::string>{"RDS-Performance-a", "RDS-Performance-b"}));
  // '_' is literal, not a LIKE wildcard.
  EXPECT_EQ(Names("RDS_"), (std::vector<std::string>{"RDS_x"}));
  EXPECT_TRUE(Names("nothing").empty());
  auto list = store_->List("ops");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].size, 2);
  EXPECT_TRUE((*list)[0].body.empty());
}

TEST_F(DashboardStoreTest, DeleteIsAllOrNothing) {
  ASSERT_TRUE(store_->Put("a", "{}", At(1000)).ok());
  ASSERT_TRUE(store_->Put("b", "{}", At(1000)).ok());
  const std::vector<std::string> some_missing = {"a", "x", "b", "y"};
  Status st = store_->Delete(some_missing);
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_EQ(st.message(), "The specified dashboard does not exist: x, y");
  EXPECT_EQ(Names(""), (std::vector<std::string>{"a", "b"}));

  const std::vector<std::string> both = {"a", "b"};
  ASSERT_TRUE(store_->Delete(both).ok());
  Reopen();
  EXPECT_TRUE(Names("").empty());
}

}  // namespace
}  // namespace dbinsight::dashboard
