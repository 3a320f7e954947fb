#include "store/aggregate.h"

#include <gtest/gtest.h>

#include "store/codec.h"

namespace dbinsight::store {
namespace {

// Combo 1: wait key 1, combo 2: wait key 2; other groups share key 1.
std::vector<ComboKeys> TwoCombos() {
  ComboKeys a{}, b{};
  a.fill(1);
  b.fill(1);
  b[static_cast<int>(model::Group::kWaitEvent)] = 2;
  return {ComboKeys{}, a, b};
}

const KeyStat* Find(const PeriodAgg& agg, model::Group g, uint32_t key) {
  for (const KeyStat& k : agg.groups[static_cast<int>(g)])
    if (k.key == key) return &k;
  return nullptr;
}

TEST(AggregateTest, SecondsRollIntoExactStats) {
  auto combos = TwoCombos();
  // Second 0: 3 sessions of combo 1. Second 1: 1 of combo 1 + 2 of combo 2.
  // Second 2: sampled twice (0.5 s interval): combo 2 seen in both samples.
  std::vector<Second> secs = {{0, 1, 1, {{1, 3}}}, {1, 1, 0, {{1, 1}, {2, 2}}}, {2, 2, 4, {{2, 2}}}};
  PeriodAgg agg = AggregateSeconds(0, secs, combos);
  EXPECT_EQ(agg.seconds, 3u);
  EXPECT_DOUBLE_EQ(agg.load.sum, 3 + 3 + 1);
  EXPECT_DOUBLE_EQ(agg.load.min, 1);
  EXPECT_DOUBLE_EQ(agg.load.max, 3);
  EXPECT_DOUBLE_EQ(agg.idle_in_transaction.sum, 1 + 0 + 2);  // second 2: 4 over 2 samples
  EXPECT_DOUBLE_EQ(agg.idle_in_transaction.max, 2);
  const KeyStat* w1 = Find(agg, model::Group::kWaitEvent, 1);
  ASSERT_TRUE(w1);
  EXPECT_DOUBLE_EQ(w1->sum, 4);
  EXPECT_DOUBLE_EQ(w1->min, 0);  // absent in second 2
  EXPECT_DOUBLE_EQ(w1->max, 3);
  const KeyStat* w2 = Find(agg, model::Group::kWaitEvent, 2);
  ASSERT_TRUE(w2);
  EXPECT_DOUBLE_EQ(w2->sum, 3);
  EXPECT_DOUBLE_EQ(w2->min, 0);
  // A group where both combos share key 1 sees the total.
  const KeyStat* u = Find(agg, model::Group::kUser, 1);
  EXPECT_DOUBLE_EQ(u->min, 1);
  EXPECT_DOUBLE_EQ(u->max, 3);
}

TEST(AggregateTest, MergeKeepsMinExactAcrossParts) {
  auto combos = TwoCombos();
  std::vector<Second> a = {{0, 1, 0, {{1, 2}}}};
  std::vector<Second> b = {{60, 1, 0, {{1, 4}, {2, 1}}}};
  std::vector<PeriodAgg> parts = {AggregateSeconds(0, a, combos), AggregateSeconds(60, b, combos)};
  PeriodAgg m = MergePeriods(0, parts);
  EXPECT_EQ(m.seconds, 2u);
  EXPECT_DOUBLE_EQ(m.load.sum, 7);
  EXPECT_DOUBLE_EQ(m.load.min, 2);
  EXPECT_DOUBLE_EQ(m.load.max, 5);
  EXPECT_DOUBLE_EQ(Find(m, model::Group::kWaitEvent, 1)->min, 2);
  EXPECT_DOUBLE_EQ(Find(m, model::Group::kWaitEvent, 2)->min, 0);  // absent from part a
  EXPECT_DOUBLE_EQ(Find(m, model::Group::kWaitEvent, 2)->max, 1);
  ASSERT_EQ(m.combos.size(), 2u);
  EXPECT_DOUBLE_EQ(m.combos[0].sum, 6);
}

TEST(AggregateTest, EncodingsRoundTrip) {
  auto combos = TwoCombos();
  std::vector<Second> secs = {{100, 1, 1, {{1, 3}, {2, 1}}}, {101, 10, 5, {{2, 7}}}, {105, 1, 0, {}}};
  auto back = DecodeSeconds(EncodeSeconds(secs));
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), 3u);
  EXPECT_EQ((*back)[1].ts, 101);
  EXPECT_EQ((*back)[1].samples, 10u);
  EXPECT_EQ((*back)[1].rows[0].hits, 7u);
  EXPECT_EQ((*back)[1].idle_in_transaction, 5u);
  EXPECT_EQ((*back)[2].ts, 105);
  PeriodAgg agg = AggregateSeconds(60, secs, combos);
  EncodedPeriod enc = EncodePeriod(agg);
  auto p = DecodePeriod(enc.groups, enc.combos, 60);
  ASSERT_TRUE(p.ok());
  EXPECT_DOUBLE_EQ(p->load.sum, agg.load.sum);
  EXPECT_DOUBLE_EQ(p->idle_in_transaction.max, agg.idle_in_transaction.max);
  EXPECT_DOUBLE_EQ(p->groups[0][1].sum, agg.groups[0][1].sum);
  EXPECT_EQ(p->combos.size(), agg.combos.size());
  EXPECT_TRUE(DecodePeriod(enc.groups, "", 60)->combos.empty());
  auto only = DecodePeriod(enc.groups, "", 60, model::Group::kWaitEvent);
  ASSERT_TRUE(only.ok());
  EXPECT_EQ(only->groups[0].size(), agg.groups[0].size());
  EXPECT_TRUE(only->groups[static_cast<int>(model::Group::kUser)].empty());
  EXPECT_FALSE(DecodeSeconds("\xff\xff").ok());
  auto z = codec::Compress("hello hello hello", 3);
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(codec::Decompress(z.value()).value(), "hello hello hello");
  EXPECT_FALSE(codec::Decompress("garbage").ok());
}

}  // namespace
}  // namespace dbinsight::store
