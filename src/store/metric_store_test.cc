#include "store/metric_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <map>
#include <thread>

#include "testing/manual_clock.h"
#include "testing/temp_dir.h"

namespace dbinsight::store {
namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kT0 = 1699920000;  // a UTC midnight: every tier's period starts here
static_assert(kT0 % kDay == 0);

class MetricStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tmp = testing::TempDir::Create("dbi-mstore");
    ASSERT_TRUE(tmp.ok());
    tmp_ = std::move(tmp.value());
    Reopen();
  }
  void Reopen(StoreOptions options = {}) {
    store_.reset();
    options.directory = tmp_->path().string();
    auto s = MetricStore::Open(options, clock_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s.value());
  }
  // Appends and mirrors the point into the reference model.
  void Put(double t, const std::vector<std::pair<std::string, double>>& points) {
    model::MetricSample s{"pg1", FromEpochSeconds(t), {}};
    for (const auto& [name, v] : points) {
      s.points.push_back({name, v});
      auto sec = static_cast<int64_t>(std::floor(t));
      MetricPeriod& p = ref_[name][sec];
      p.start = sec;
      p.Add(v);
    }
    ASSERT_TRUE(store_->AppendMetricSample(s).ok());
  }
  // What ReadMetric must return, from the reference model.
  std::vector<MetricPeriod> Expected(const std::string& name, int period, int64_t from, int64_t to) {
    std::vector<MetricPeriod> out;
    for (const auto& [sec, p] : ref_[name]) {
      if (sec < from || sec >= to) continue;
      const int64_t start = FloorTo(sec, period);
      if (out.empty() || out.back().start != start) out.push_back({start});
      out.back().Merge(p);
    }
    return out;
  }
  void ExpectReads(const std::string& name, int period, int64_t from, int64_t to) {
    auto got = store_->ReadMetric("pg1", name, period, from, to);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    const auto want = Expected(name, period, from, to);
    ASSERT_EQ(got->size(), want.size()) << name << " period " << period;
    for (size_t i = 0; i < want.size(); ++i) {
      const MetricPeriod& g = (*got)[i];
      const MetricPeriod& w = want[i];
      EXPECT_EQ(std::tie(g.start, g.sum, g.min, g.max, g.count), std::tie(w.start, w.sum, w.min, w.max, w.count))
          << name << " period " << period << " #" << i;
    }
  }

  std::unique_ptr<testing::TempDir> tmp_;
  testing::ManualClock clock_;
  std::unique_ptr<MetricStore> store_;
  std::map<std::string, std::map<int64_t, MetricPeriod>> ref_;
};

// Quarter steps: every sum is exact in any order, so stored aggregates must
// equal the reference exactly at every tier.
double Quarter(int64_t s, int m) { return static_cast<double>((s * 7 + m * 13) % 40 - 10) / 4; }

TEST_F(MetricStoreTest, ExactAggregatesAtEveryTierIncludingTheUnsealedTail) {
  // 2 h 12 min of two metrics: a 10 s gap in both, a minute where only "a"
  // has values, sub-second points, and an unsealed tail reaching into every
  // tier (the last minutes are live rows; the current 5 min, hour and day are
  // rolled up on the fly).
  for (int64_t s = 0; s < 7937; ++s) {
    if (s >= 100 && s < 110) continue;
    if (s >= 600 && s < 660) {
      Put(kT0 + s, {{"a", Quarter(s, 1)}});
      continue;
    }
    Put(kT0 + s, {{"a", Quarter(s, 1)}, {"b", Quarter(s, 2)}});
    if (s % 97 == 5) {
      Put(kT0 + s + 0.25, {{"a", Quarter(s + 1, 1)}, {"b", Quarter(s + 3, 2)}});
      Put(kT0 + s + 0.5, {{"a", Quarter(s + 2, 1)}});
    }
  }
  auto check = [&] {
    for (const std::string name : {"a", "b"}) {
      ExpectReads(name, 1, kT0, kT0 + 8000);
      ExpectReads(name, 1, kT0 + 7900, kT0 + 7950);  // live rows only
      ExpectReads(name, 60, kT0, kT0 + 8040);
      ExpectReads(name, 60, kT0 + 600, kT0 + 1200);
      ExpectReads(name, 300, kT0, kT0 + 8100);
      ExpectReads(name, 3600, kT0, kT0 + 3 * 3600);
      ExpectReads(name, 86400, kT0 - kDay, kT0 + kDay);
    }
  };
  check();
  auto b = store_->ReadMetric("pg1", "b", 60, kT0 + 600, kT0 + 660);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->empty()) << "a minute without values is absent, not zero";
  // Sealing everything and reopening changes nothing a reader sees.
  ASSERT_TRUE(store_->Maintain(FromEpochSeconds(kT0 + 8200)).ok());
  check();
  Reopen();
  check();
}

TEST_F(MetricStoreTest, FullMantissasSurviveBitForBit) {
  const double rate = 1234.0 / 1.000213, tiny = 2.5e-300;
  Put(kT0, {{"r", rate}, {"t", tiny}});
  Put(kT0 + 200, {{"r", 1}});  // seals the first minutes
  for (const char* name : {"r", "t"}) {
    auto got = store_->ReadMetric("pg1", name, 1, kT0, kT0 + 1);
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(got->size(), 1u);
    EXPECT_EQ(got->front().sum, std::string(name) == "r" ? rate : tiny);
  }
}

TEST_F(MetricStoreTest, ReopenKeepsAcknowledgedPointsAndSealState) {
  for (int s = 0; s < 150; ++s) Put(kT0 + s, {{"m", Quarter(s, 0)}});
  Reopen();
  ExpectReads("m", 1, kT0, kT0 + 300);  // minutes 0-1 sealed, minute 2 still live
  // After reopening, sealing resumes where it stopped and late points are
  // still told apart.
  Put(kT0 + 300, {{"m", 1}});
  ASSERT_TRUE(store_->AppendMetricSample({"pg1", FromEpochSeconds(kT0 + 10), {{"m", 99}}}).ok());
  EXPECT_EQ(store_->stats().late_points_dropped, 1);
  ExpectReads("m", 1, kT0, kT0 + 400);
  ExpectReads("m", 60, kT0, kT0 + 600);
}

TEST_F(MetricStoreTest, LatePointsAreDroppedAndCountedGracePointsKept) {
  Put(kT0 + 10, {{"m", 1}});
  Put(kT0 + 70, {{"m", 2}});
  Put(kT0 + 59, {{"m", 3}});                                   // minute 0 is not sealed yet: within the grace
  Put(kT0 + 60 + MetricStore::kSealGraceSeconds, {{"m", 4}});  // seals minute 0
  ASSERT_TRUE(store_->AppendMetricSample({"pg1", FromEpochSeconds(kT0 + 30), {{"m", 5}, {"n", 6}}}).ok());
  EXPECT_EQ(store_->stats().late_points_dropped, 2);
  EXPECT_EQ(store_->stats().points_written, 4);
  ExpectReads("m", 1, kT0, kT0 + 120);
  EXPECT_EQ(store_->MetricNames("pg1"), std::vector<std::string>{"m"});
}

TEST_F(MetricStoreTest, NonFiniteValuesAreRejectedAndCounted) {
  model::MetricSample s{"pg1", FromEpochSeconds(kT0), {{"ok", 1}, {"nan", std::nan("")}, {"inf", INFINITY}}};
  ASSERT_TRUE(store_->AppendMetricSample(s).ok());
  store_->AppendMetrics(model::MetricSample{"pg1", FromEpochSeconds(kT0 + 1), {{"nan", -INFINITY}}});
  EXPECT_EQ(store_->stats().invalid_values_dropped, 3);
  EXPECT_EQ(store_->stats().write_errors, 0);
  EXPECT_EQ(store_->MetricNames("pg1"), std::vector<std::string>{"ok"});
  auto nan = store_->ReadMetric("pg1", "nan", 1, kT0, kT0 + 60);
  ASSERT_TRUE(nan.ok());
  EXPECT_TRUE(nan->empty());
}

TEST_F(MetricStoreTest, MetricNamesArePerInstanceAndSorted) {
  Put(kT0, {{"os.memory.free", 1}, {"db.Transactions.xact_commit", 2}, {"CPUUtilization", 3}});
  ASSERT_TRUE(store_->AppendMetricSample({"other", FromEpochSeconds(kT0), {{"only.other", 1}}}).ok());
  const std::vector<std::string> want = {"CPUUtilization", "db.Transactions.xact_commit", "os.memory.free"};
  EXPECT_EQ(store_->MetricNames("pg1"), want);
  EXPECT_EQ(store_->MetricNames("other"), std::vector<std::string>{"only.other"});
  EXPECT_TRUE(store_->MetricNames("nobody").empty());
  Reopen();
  EXPECT_EQ(store_->MetricNames("pg1"), want);
}

TEST_F(MetricStoreTest, MergedAggregatesInAnyOrderKeepEveryTierExact) {
  // Aggregates (statistic sets) over 2 h 10 min arrive out of order: a first
  // pass in time order with gaps, then the gaps backfilled newest first, long
  // after their minutes, 5-minute periods and the first hour were sealed,
  // with a Maintain() in between sealing the rest.
  auto merge = [&](int64_t s) {
    const double a = Quarter(s, 1), b = Quarter(s, 2);
    const MetricPeriod p{kT0 + s, a + b + 1, std::min(a, b), std::max(a, b) + 1, 3};
    MetricPeriod& r = ref_["agg"][kT0 + s];
    r.start = kT0 + s;
    r.Merge(p);
    const NamedMetricPeriod one[] = {{"agg", p}};
    ASSERT_TRUE(store_->MergeMetricPeriods("pg1", one).ok());
  };
  for (int64_t s = 0; s < 7800; ++s)
    if (s % 7 != 3) merge(s);
  ASSERT_TRUE(store_->Maintain(FromEpochSeconds(kT0 + 7900)).ok());
  for (int64_t s = 7799; s >= 0; --s)
    if (s % 7 == 3) merge(s);
  merge(5);  // a second that already holds an aggregate
  auto check = [&] {
    ExpectReads("agg", 1, kT0, kT0 + 7800);
    ExpectReads("agg", 60, kT0, kT0 + 7800);
    ExpectReads("agg", 300, kT0, kT0 + 7800);
    ExpectReads("agg", 3600, kT0, kT0 + 3 * 3600);
    ExpectReads("agg", 86400, kT0, kT0 + kDay);
  };
  check();
  Reopen();
  check();
  EXPECT_EQ(store_->stats().late_points_dropped, 0);
  // Collector points beside merged ones: one instance, one sealing state.
  Put(kT0 + 7801, {{"agg", 2}});
  ExpectReads("agg", 60, kT0 + 7740, kT0 + 7860);
}

TEST_F(MetricStoreTest, MergeRejectsMalformedAggregatesAndListsInstances) {
  const NamedMetricPeriod bad[] = {{"m", {kT0, 1, 1, 1, 1}}, {"m", {kT0, 1, 2, 1, 1}}};
  EXPECT_EQ(store_->MergeMetricPeriods("cw", bad).code(), StatusCode::kInvalidArgument);
  const NamedMetricPeriod zero[] = {{"m", {kT0, 0, 0, 0, 0}}};
  EXPECT_EQ(store_->MergeMetricPeriods("cw", zero).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(store_->InstanceNames().empty()) << "nothing of a rejected batch is stored";
  const NamedMetricPeriod good[] = {{"m", {kT0, 1, 1, 1, 1}}};
  ASSERT_TRUE(store_->MergeMetricPeriods("cw", good).ok());
  Put(kT0, {{"x", 1}});
  EXPECT_EQ(store_->InstanceNames(), (std::vector<std::string>{"cw", "pg1"}));
  EXPECT_EQ(store_->MetricNames("cw"), std::vector<std::string>{"m"});
}

TEST_F(MetricStoreTest, RetentionDeletesEachTierInTurn) {
  Reopen({.retention = {.one_second = Days(1),
                        .one_minute = Days(2),
                        .five_minute = Days(3),
                        .one_hour = Days(4),
                        .one_day = Days(5)}});
  for (int s = 0; s < 120; ++s) Put(kT0 + s, {{"m", Quarter(s, 0)}});
  auto count = [&](int period) {
    auto r = store_->ReadMetric("pg1", "m", period, kT0, kT0 + kDay);
    EXPECT_TRUE(r.ok());
    int64_t n = 0;
    for (const MetricPeriod& p : r.value()) n += p.count;
    return n;
  };
  for (int period : kTiers) EXPECT_EQ(count(period), 120) << period;
  // Day d + 0.5: tiers kept for fewer than d days are gone, the rest intact.
  for (int d = 1; d <= 5; ++d) {
    ASSERT_TRUE(store_->Maintain(FromEpochSeconds(kT0 + d * kDay + kDay / 2)).ok());
    for (size_t t = 0; t < kTiers.size(); ++t)
      EXPECT_EQ(count(kTiers[t]), static_cast<int64_t>(t) < d ? 0 : 120) << "day " << d << " tier " << kTiers[t];
    EXPECT_EQ(store_->MetricNames("pg1").empty(), d == 5) << d;
  }
}

// --- Per-SQL statistics ------------------------------------------------------

model::StatementDelta Stmt(const std::string& id, const std::string& text, double calls, double time) {
  return {id, "db-" + id, text, {{"calls", calls}, {"total_time", time}}};
}

class StatementStatsTest : public MetricStoreTest {
 protected:
  // Three hours of 60 s intervals ending at kT0 + 60 .. kT0 + 3 h: "A" runs
  // in every interval, "B" in every other one (its text arrives late).
  void WriteThreeHours() {
    for (int64_t end = kT0 + 60; end <= kT0 + 3 * 3600; end += 60) {
      model::StatementStatsSample s{"pg1", FromEpochSeconds(end - 60), FromEpochSeconds(end), {}};
      const int64_t i = (end - kT0) / 60;
      s.statements.push_back(Stmt("A", "select 1", 2, 0.25 * i));
      if (i % 2 == 0) s.statements.push_back(Stmt("B", i < 100 ? "" : "update t set v = $1", 1, 1.5));
      for (const auto& st : s.statements) {
        auto& r = ref_[end][st.tokenized_id];
        for (const auto& [name, v] : st.deltas) r[name] += v;
      }
      ASSERT_TRUE(store_->AppendStatementSample(s).ok());
    }
  }
  // Reference sums of intervals ending in (from, to], per statement ("" = all).
  std::map<std::string, std::map<std::string, double>> Sums(int64_t from, int64_t to) {
    std::map<std::string, std::map<std::string, double>> out;
    for (const auto& [end, stmts] : ref_)
      if (end > from && end <= to)
        for (const auto& [id, sums] : stmts)
          for (const auto& [name, v] : sums) {
            out[id][name] += v;
            out[""][name] += v;
          }
    return out;
  }
  void ExpectTotals(int64_t from, int64_t to) {
    auto got = store_->ReadStatementTotals("pg1", from, to);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    auto want = Sums(from, to);
    int64_t intervals = 0;
    for (const auto& [end, s] : ref_) intervals += end > from && end <= to;
    EXPECT_EQ(got->seconds, 60.0 * intervals);
    ASSERT_EQ(got->statements.size(), want.size() - (want.empty() ? 0 : 1));
    for (const StatementTotals& t : got->statements) {
      EXPECT_EQ(t.tokenized_db_id, "db-" + t.tokenized_id);
      std::map<std::string, double> sums(t.sums.begin(), t.sums.end());
      EXPECT_EQ(sums, want[t.tokenized_id]) << t.tokenized_id << " (" << from - kT0 << ", " << to - kT0 << "]";
    }
  }
  std::map<int64_t, std::map<std::string, std::map<std::string, double>>> ref_;
};

TEST_F(StatementStatsTest, TotalsAndPeriodsOverIntervalsAndHours) {
  WriteThreeHours();
  // Hours 0 and 1 were rolled up as later intervals arrived; hour 2 is not.
  ExpectTotals(kT0, kT0 + 3 * 3600);
  ExpectTotals(kT0 + 1800, kT0 + 2 * 3600 + 900);  // partial hours at both ends
  ExpectTotals(kT0 + 3600, kT0 + 7200);
  ExpectTotals(kT0 - 3600, kT0);  // nothing
  auto totals = store_->ReadStatementTotals("pg1", kT0, kT0 + 3 * 3600);
  ASSERT_TRUE(totals.ok());
  ASSERT_EQ(totals->statements.size(), 2u);
  EXPECT_EQ(totals->statements[0].tokenized_id, "A");
  EXPECT_EQ(totals->statements[0].statement, "select 1");
  EXPECT_EQ(totals->statements[1].statement, "update t set v = $1") << "a later non-empty text fills an empty one";

  for (const auto& [id, period] :
       std::vector<std::pair<std::string, int>>{{"A", 60}, {"B", 300}, {"", 3600}, {"A", 3600}}) {
    auto got = store_->ReadStatementPeriods("pg1", id, period, kT0, kT0 + 3 * 3600);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    std::map<int64_t, std::map<std::string, double>> want;
    std::map<int64_t, double> seconds;
    for (const auto& [end, stmts] : ref_) {
      const int64_t start = FloorTo(end - 1, period);
      seconds[start] += 60;
      for (const auto& [sid, sums] : stmts)
        if (id.empty() || sid == id)
          for (const auto& [name, v] : sums) want[start][name] += v;
    }
    ASSERT_EQ(got->size(), want.size()) << id << " " << period;
    for (const StatementPeriod& p : got.value()) {
      const std::map<std::string, double> sums(p.sums.begin(), p.sums.end());
      EXPECT_EQ(sums, want[p.start]) << id << " " << p.start;
      EXPECT_EQ(p.seconds, seconds[p.start]);
    }
  }
  // Re-opened, and after Maintain rolls up the last hour: the same answers.
  Reopen();
  ASSERT_TRUE(store_->Maintain(FromEpochSeconds(kT0 + 3 * 3600 + MetricStore::kHourSealDelaySeconds)).ok());
  ExpectTotals(kT0, kT0 + 3 * 3600);
  ExpectTotals(kT0 + 1800, kT0 + 2 * 3600 + 900);
  // An interval ending in a rolled-up hour is late: dropped and counted.
  model::StatementStatsSample late{
      "pg1", FromEpochSeconds(kT0 + 3540), FromEpochSeconds(kT0 + 3600), {Stmt("A", "", 1, 1)}};
  ASSERT_TRUE(store_->AppendStatementSample(late).ok());
  EXPECT_EQ(store_->stats().late_intervals_dropped, 1);
  ExpectTotals(kT0, kT0 + 3 * 3600);
}

TEST_F(StatementStatsTest, PastIntervalRetentionWholeHoursRemain) {
  Reopen({.retention = {.one_second = Days(1)}});
  WriteThreeHours();
  ASSERT_TRUE(store_->Maintain(FromEpochSeconds(kT0 + kDay + 4 * 3600)).ok());
  ExpectTotals(kT0, kT0 + 3 * 3600);  // whole hours: from the hourly sums
  auto partial = store_->ReadStatementTotals("pg1", kT0 + 1800, kT0 + 3600);
  ASSERT_TRUE(partial.ok());
  EXPECT_TRUE(partial->statements.empty()) << "part of an hour needs interval rows";
  auto minutes = store_->ReadStatementPeriods("pg1", "A", 60, kT0, kT0 + 3 * 3600);
  ASSERT_TRUE(minutes.ok());
  EXPECT_TRUE(minutes->empty());
  auto hours = store_->ReadStatementPeriods("pg1", "A", 3600, kT0, kT0 + 3 * 3600);
  ASSERT_TRUE(hours.ok());
  EXPECT_EQ(hours->size(), 3u);
  // Past retention.one_hour nothing is left.
  ASSERT_TRUE(store_->Maintain(FromEpochSeconds(kT0 + 800 * kDay)).ok());
  auto none = store_->ReadStatementTotals("pg1", kT0, kT0 + 3 * 3600);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->statements.empty());
  EXPECT_EQ(none->seconds, 0);
}

TEST_F(StatementStatsTest, EmptyIntervalsCoverTimeAndTextsAreStoredOnce) {
  const std::string big(1 << 20, 'x');  // a 1 MB statement text
  for (int i = 1; i <= 5; ++i) {
    model::StatementStatsSample s{"pg1", FromEpochSeconds(kT0 + 60 * (i - 1)), FromEpochSeconds(kT0 + 60 * i), {}};
    if (i != 3) s.statements.push_back(Stmt("big", big, 1, 1));
    ASSERT_TRUE(store_->AppendStatementSample(s).ok());
  }
  int64_t text_bytes = 0, file_bytes = 0;
  for (const auto& [what, bytes] : store_->BytesForTest()) {
    if (what == "statement texts") text_bytes = bytes;
    if (what == "file") file_bytes = bytes;
  }
  EXPECT_EQ(text_bytes, 1 << 20);
  EXPECT_LT(file_bytes, 2 << 20);
  auto all = store_->ReadStatementPeriods("pg1", "", 60, kT0, kT0 + 300);
  auto big_only = store_->ReadStatementPeriods("pg1", "big", 60, kT0, kT0 + 300);
  ASSERT_TRUE(all.ok() && big_only.ok());
  EXPECT_EQ(all->size(), 5u) << "an interval where nothing ran is still covered time";
  EXPECT_EQ(big_only->size(), 4u);
  auto totals = store_->ReadStatementTotals("pg1", kT0, kT0 + 300);
  ASSERT_TRUE(totals.ok());
  EXPECT_EQ(totals->seconds, 300);
  ASSERT_EQ(totals->statements.size(), 1u);
  EXPECT_EQ(totals->statements[0].statement, big);
}

// --- Errors and concurrency ----------------------------------------------------

TEST_F(MetricStoreTest, BadArgumentsAreInvalidArgumentUnknownNamesAreEmpty) {
  Put(kT0, {{"m", 1}});
  EXPECT_EQ(store_->ReadMetric("pg1", "m", 7, kT0, kT0 + 7).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ReadMetric("pg1", "m", 60, kT0 + 1, kT0 + 60).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ReadStatementPeriods("pg1", "", 0, kT0, kT0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ReadStatementPeriods("pg1", "", 60, kT0 + 1, kT0 + 60).status().code(),
            StatusCode::kInvalidArgument);
  model::StatementStatsSample backwards{"pg1", FromEpochSeconds(kT0 + 60), FromEpochSeconds(kT0), {}};
  EXPECT_EQ(store_->AppendStatementSample(backwards).code(), StatusCode::kInvalidArgument);
  for (const auto& [inst, name] : std::vector<std::pair<std::string, std::string>>{{"pg1", "x"}, {"x", "m"}}) {
    auto r = store_->ReadMetric(inst, name, 1, kT0, kT0 + 60);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->empty());
  }
  auto s = store_->ReadStatementPeriods("pg1", "never-seen", 60, kT0, kT0 + 60);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->empty());
}

TEST_F(MetricStoreTest, DiskFullIsCountedAndWritingResumes) {
  Put(kT0, {{"m", 1}});
  ASSERT_TRUE(store_->LimitGrowthForTest(4).ok());
  // Every second brings new metric names, so the file must grow until full.
  Status full;
  int64_t s = 1;
  for (; s < 5000; ++s) {
    model::MetricSample sample{"pg1", FromEpochSeconds(kT0 + s), {{"m", 1}}};
    for (int k = 0; k < 20; ++k)
      sample.points.push_back({"metric." + std::to_string(s * 100 + k) + std::string(100, 'x'), 1.0 * k});
    full = store_->AppendMetricSample(sample);
    if (!full.ok()) break;
  }
  ASSERT_EQ(full.code(), StatusCode::kResourceExhausted) << full.ToString();
  // Through the sink the failure is counted and logged, not returned.
  model::MetricSample more{"pg1", FromEpochSeconds(kT0 + s + 1), {}};
  for (int k = 0; k < 20; ++k) more.points.push_back({"more." + std::to_string(k) + std::string(100, 'x'), 1});
  store_->AppendMetrics(std::move(more));
  EXPECT_EQ(store_->stats().write_errors, 1);
  EXPECT_NE(store_->stats().last_error.find("full"), std::string::npos) << store_->stats().last_error;
  ASSERT_TRUE(store_->LimitGrowthForTest(1 << 20).ok());
  ASSERT_TRUE(store_->AppendMetricSample({"pg1", FromEpochSeconds(kT0 + s + 2), {{"m", 2}}}).ok());
  auto m = store_->ReadMetric("pg1", "m", 1, kT0, kT0 + s + 3);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->size(), static_cast<size_t>(s + 1));  // every acknowledged second, then the one after recovery
  EXPECT_EQ(m->back().sum, 2);
}

TEST_F(MetricStoreTest, ReadersRunConcurrentlyWithTheWriter) {
  Reopen({.read_connections = 2});
  std::atomic<bool> done{false};
  std::atomic<int> errors{0}, reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {  // one more reader than connections: one waits
    readers.emplace_back([&] {
      while (!done) {
        // Every point of "m" is 2: each period's sum is exactly 2 * count,
        // whether it comes from blocks, rollups or live rows.
        for (int period : {1, 60, 300}) {
          auto p = store_->ReadMetric("pg1", "m", period, kT0, kT0 + 600);
          if (!p.ok()) {
            ++errors;
            continue;
          }
          for (const MetricPeriod& x : p.value())
            if (x.sum != 2.0 * x.count || x.min != 2 || x.max != 2) ++errors;
        }
        // One statement with calls = 1 per 60 s interval: calls * 60 = seconds.
        auto t = store_->ReadStatementTotals("pg1", kT0, kT0 + 600);
        if (!t.ok()) {
          ++errors;
          continue;
        }
        double calls = 0;
        for (const StatementTotals& st : t->statements) calls += st.sums.at(0).second;
        if (calls * 60 != t->seconds) ++errors;
        (void)store_->MetricNames("pg1");
        ++reads;
      }
    });
  }
  for (int64_t s = 0; s < 400; ++s) {
    ASSERT_TRUE(store_->AppendMetricSample({"pg1", FromEpochSeconds(kT0 + s), {{"m", 2}, {"n", 1}}}).ok());
    if (s % 60 == 59) {
      model::StatementStatsSample st{"pg1",
                                     FromEpochSeconds(kT0 + s - 59),
                                     FromEpochSeconds(kT0 + s + 1),
                                     {Stmt("q" + std::to_string(s), "select " + std::to_string(s), 1, 1)}};
      ASSERT_TRUE(store_->AppendStatementSample(st).ok());
    }
  }
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(errors, 0);
  EXPECT_GT(reads, 0);
}

}  // namespace
}  // namespace dbinsight::store
