// IncidentStore over a real SQLite file: add, update, close, list, reopen.
#include "analysis/incident_store.h"

#include <gtest/gtest.h>

#include "testing/temp_dir.h"

namespace dbinsight::analysis {
namespace {

Incident Sample(int64_t opened, double load) {
  Incident i;
  i.kind = "high-load";
  i.opened = FromEpochSeconds(static_cast<double>(opened));
  i.peak = load;
  i.value_seconds = load * 10;
  i.seconds = 10;
  i.evidence = LoadEvidence{2, {}, {{"select $1", load * 10}}};
  return i;
}

TEST(IncidentStoreTest, KeepsIncidentsAcrossReopenAndClosesWhatWasLeftOpen) {
  auto tmp = testing::TempDir::Create("dbi-incidents");
  ASSERT_TRUE(tmp.ok());
  const std::string dir = tmp.value()->path().string();
  int64_t first = 0;
  {
    auto store = IncidentStore::Open(dir);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto a = store.value()->Add("pg1", Sample(1700000000, 4));
    ASSERT_TRUE(a.ok());
    first = a.value();
    Incident closed = Sample(1700000000, 5);
    closed.closed = FromEpochSeconds(1700000100);
    ASSERT_TRUE(store.value()->Update(first, closed).ok());
    ASSERT_TRUE(store.value()->Add("pg1", Sample(1700000200, 3)).ok());
    ASSERT_TRUE(store.value()->Add("maria", Sample(1700000300, 6)).ok());
    auto open = store.value()->List(std::nullopt, /*open_only=*/true, 10);
    ASSERT_TRUE(open.ok());
    EXPECT_EQ(open->size(), 2u);
  }
  auto store = IncidentStore::Open(dir);
  ASSERT_TRUE(store.ok());
  auto pg1 = store.value()->List("pg1", false, 10);
  ASSERT_TRUE(pg1.ok());
  ASSERT_EQ(pg1->size(), 2u);
  EXPECT_EQ(ToEpochSeconds(pg1->at(0).opened), 1700000200);  // newest first
  EXPECT_EQ(pg1->at(1).id, first);
  EXPECT_EQ(ToEpochSeconds(*pg1->at(1).closed), 1700000100);
  EXPECT_EQ(pg1->at(1).peak, 5);
  EXPECT_NE(pg1->at(1).summary.find("`select $1`"), std::string::npos);
  ASSERT_TRUE(store.value()->CloseOpen(FromEpochSeconds(1700000400), "dbinsight restarted").ok());
  auto all = store.value()->List(std::nullopt, false, 10);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  for (const auto& i : *all) EXPECT_TRUE(i.closed.has_value());
  EXPECT_EQ(all->at(0).close_note, "dbinsight restarted");
  EXPECT_EQ(all->at(2).close_note, "");
  EXPECT_EQ(store.value()->List(std::nullopt, false, 1)->size(), 1u);
}

}  // namespace
}  // namespace dbinsight::analysis
