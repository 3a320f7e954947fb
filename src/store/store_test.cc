#include "store/store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <thread>

#include "store/sqlite.h"
#include "testing/session_rows.h"
#include "testing/temp_dir.h"

namespace dbinsight::store {
namespace {

class TempDirFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tmp = testing::TempDir::Create("dbi-store");
    ASSERT_TRUE(tmp.ok());
    tmp_ = std::move(tmp.value());
    dir_ = tmp_->path().string();
  }
  std::unique_ptr<testing::TempDir> tmp_;
  std::string dir_;
  SystemClock clock_;
};

model::Sample At(double t, int sleepers, int lockers) {
  model::Sample s;
  s.instance_id = "pg1";
  s.time = FromEpochSeconds(t);
  for (int i = 0; i < sleepers; ++i) s.active.push_back(testing::MakeSessionRow({.wait = "Timeout:PgSleep", .sql = "select pg_sleep($1)"}));
  for (int i = 0; i < lockers; ++i) s.active.push_back(testing::MakeSessionRow({.wait = "Lock:transactionid", .sql = "update t set v = $1"}));
  return s;
}

model::LockWait Wait(int64_t waiter, double waited) {
  return {.waiter_pid = waiter,
          .blocker_pid = 4242,
          .waiter_statement = "update t set v = $1",
          .wait_event = "Lock:transactionid",
          .wait_seconds = waited,
          .blocker_state = "idle in transaction",
          .blocker_statement = "update t set w = $1",
          .blocker_user = "batch",
          .blocker_host = "10.1.2.3",
          .blocker_application = "psql",
          .blocker_xact_seconds = 200.5,
          .blocker_state_seconds = 180.25};
}

TEST_F(TempDirFixture, LockWaitsRoundTripOnlyForSamplesThatHaveThemAndExpireWithSeconds) {
  const int64_t t0 = 1700000000 - 1700000000 % 60;
  {
    auto store = Store::Open({.directory = dir_, .retention = {.one_second = Days(1)}}, clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    for (int i = 0; i < 130; ++i) {  // crosses two minute seals
      model::Sample s = At(t0 + i + 0.5, 1, 2);
      if (i % 10 == 0) s.lock_waits = {Wait(100, i), Wait(101, i / 2.0)};
      ASSERT_TRUE((*store)->AppendSample(s).ok());
    }
  }
  auto store = Store::Open({.directory = dir_, .retention = {.one_second = Days(1)}}, clock_);
  ASSERT_TRUE(store.ok());
  auto got = (*store)->ReadLockWaits("pg1", FromEpochSeconds(t0 + 20), FromEpochSeconds(t0 + 121));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 11u);  // 20, 30, ..., 120
  EXPECT_DOUBLE_EQ(ToEpochSeconds(got->front().time), t0 + 20.5);
  ASSERT_EQ(got->back().waits.size(), 2u);
  const model::LockWait& w = got->back().waits[1];
  EXPECT_EQ(w.waiter_pid, 101);
  EXPECT_EQ(w.blocker_pid, 4242);
  EXPECT_EQ(w.waiter_statement, "update t set v = $1");
  EXPECT_EQ(w.wait_event, "Lock:transactionid");
  EXPECT_DOUBLE_EQ(w.wait_seconds, 60);
  EXPECT_EQ(w.blocker_state, "idle in transaction");
  EXPECT_EQ(w.blocker_statement, "update t set w = $1");
  EXPECT_EQ(w.blocker_user, "batch");
  EXPECT_EQ(w.blocker_host, "10.1.2.3");
  EXPECT_EQ(w.blocker_application, "psql");
  EXPECT_DOUBLE_EQ(w.blocker_xact_seconds, 200.5);
  EXPECT_DOUBLE_EQ(w.blocker_state_seconds, 180.25);
  auto other = (*store)->ReadLockWaits("nobody", FromEpochSeconds(t0), FromEpochSeconds(t0 + 200));
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->empty());
  ASSERT_TRUE((*store)->Maintain(FromEpochSeconds(t0 + 2 * 86400)).ok());
  got = (*store)->ReadLockWaits("pg1", FromEpochSeconds(t0), FromEpochSeconds(t0 + 200));
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
}

TEST_F(TempDirFixture, SchemaOneFileIsMigratedToTwo) {
  {
    // A version-1 file: no lock_wait table, version 1 recorded.
    auto store = Store::Open({.directory = dir_}, clock_);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->AppendSample(At(1700000000, 1, 0)).ok());
  }
  {
    auto db = Database::Open(dir_ + "/dbinsight.db");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("DROP TABLE lock_wait; UPDATE meta SET value = '1' WHERE key = 'schema_version'").ok());
  }
  auto store = Store::Open({.directory = dir_}, clock_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  model::Sample s = At(1700000001, 1, 1);
  s.lock_waits = {Wait(7, 1)};
  ASSERT_TRUE((*store)->AppendSample(s).ok());
  auto got = (*store)->ReadLockWaits("pg1", FromEpochSeconds(1700000000), FromEpochSeconds(1700000002));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->size(), 1u);
  auto db = Database::Open(dir_ + "/dbinsight.db");
  ASSERT_TRUE(db.ok());
  auto v = (*db)->Prepare("SELECT value FROM meta WHERE key = 'schema_version'");
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(v->Step().value());
  EXPECT_EQ(v->Text(0), "2");
}

TEST_F(TempDirFixture, SecondsAndPeriodsAgreeAcrossSealAndReopen) {
  const int64_t t0 = 1700000000 - 1700000000 % 3600;
  {
    auto store = Store::Open({.directory = dir_}, clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    for (int i = 0; i < 600; ++i) {
      if (i >= 100 && i < 110) continue;  // a 10 s gap: never sampled
      ASSERT_TRUE((*store)->AppendSample(At(t0 + i + 0.3, 3, i % 2 ? 2 : 0)).ok());
    }
  }
  auto store = Store::Open({.directory = dir_}, clock_);
  ASSERT_TRUE(store.ok());
  int seconds = 0;
  double total = 0;
  ASSERT_TRUE((*store)->ReadSeconds("pg1", t0, t0 + 600, [&](const Second& s) {
    ++seconds;
    for (const auto& r : s.rows) total += r.hits;
  }).ok());
  EXPECT_EQ(seconds, 590);
  EXPECT_EQ(total, 590 * 3 + 295 * 2);
  // Minutes 0..8 are sealed into blocks, minute 9 is live; 300 s tier has
  // one sealed period and one computed on the fly.
  for (int tier : {60, 300, 3600}) {
    auto periods = (*store)->ReadPeriods("pg1", tier, t0, t0 + 3600, {.combos = false});
    ASSERT_TRUE(periods.ok()) << periods.status().ToString();
    uint32_t n = 0;
    double sum = 0, mx = 0, mn = 1e9;
    for (const auto& p : periods.value()) {
      n += p.seconds;
      sum += p.load.sum;
      mx = std::max(mx, p.load.max);
      mn = std::min(mn, p.load.min);
    }
    EXPECT_EQ(n, 590u) << tier;
    EXPECT_DOUBLE_EQ(sum, total) << tier;
    EXPECT_DOUBLE_EQ(mx, 5) << tier;
    EXPECT_DOUBLE_EQ(mn, 3) << tier;
  }
}

TEST_F(TempDirFixture, KillNineLosesNothingAcknowledged) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const int64_t t0 = 1700000000;
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    auto store = Store::Open({.directory = dir_}, clock_);
    if (!store.ok()) _exit(2);
    for (int i = 0;; ++i) {
      model::Sample s = At(t0 + i, 2, 1);
      s.lock_waits = {Wait(i, i)};
      if (!(*store)->AppendSample(s).ok()) _exit(3);
      // Acknowledge only after AppendSample returned.
      if (write(fds[1], &i, sizeof i) != sizeof i) _exit(4);
    }
  }
  close(fds[1]);
  int last = -1, v;
  while (last < 150 && read(fds[0], &v, sizeof v) == sizeof v) last = v;
  kill(pid, SIGKILL);
  while (read(fds[0], &v, sizeof v) == sizeof v) last = v;  // drain acks sent before death
  close(fds[0]);
  int status;
  waitpid(pid, &status, 0);
  auto store = Store::Open({.directory = dir_}, clock_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  int64_t max_ts = 0;
  int seconds = 0;
  ASSERT_TRUE((*store)->ReadSeconds("pg1", t0, t0 + 100000, [&](const Second& s) {
    ++seconds;
    max_ts = s.ts;
    EXPECT_EQ(s.rows.size(), 2u);
  }).ok());
  EXPECT_GE(max_ts, t0 + last);
  EXPECT_GE(seconds, last + 1);
  auto waits = (*store)->ReadLockWaits("pg1", FromEpochSeconds(t0), FromEpochSeconds(t0 + 100000));
  ASSERT_TRUE(waits.ok());
  EXPECT_GE(static_cast<int>(waits->size()), last + 1);
  // Writing after the crash continues cleanly.
  EXPECT_TRUE((*store)->AppendSample(At(max_ts + 1, 1, 0)).ok());
}

TEST_F(TempDirFixture, DiskFullDropsSamplesVisiblyAndRecovers) {
  auto store = Store::Open({.directory = dir_}, clock_);
  ASSERT_TRUE(store.ok());
  const int64_t t0 = 1700000000 - 1700000000 % 60;
  ASSERT_TRUE((*store)->AppendSample(At(t0, 1, 0)).ok());
  ASSERT_TRUE((*store)->LimitGrowthForTest(4).ok());
  // Each second brings new statements, so the file must grow: it fills up.
  auto big = [&](int64_t second) {
    model::Sample s = At(t0 + second, 0, 0);
    for (int k = 0; k < 20; ++k)
      s.active.push_back(
          testing::MakeSessionRow({.sql = "select " + std::to_string(second * 100 + k) + std::string(200, 'x')}));
    return s;
  };
  std::set<int64_t> acked = {t0};
  Status full;
  int64_t i = 1;
  for (; i < 2000; ++i) {
    full = (*store)->AppendSample(big(i));
    if (!full.ok()) break;
    acked.insert(t0 + i);
  }
  ASSERT_EQ(full.code(), StatusCode::kResourceExhausted) << full.ToString();
  // Through the sink interface the failure is counted and logged, not fatal.
  (*store)->Append(big(i + 1));
  EXPECT_EQ((*store)->stats().write_errors, 1);
  EXPECT_NE((*store)->stats().last_error.find("full"), std::string::npos) << (*store)->stats().last_error;
  // Space comes back: writing resumes, and what was acknowledged is intact.
  ASSERT_TRUE((*store)->LimitGrowthForTest(1 << 20).ok());
  ASSERT_TRUE((*store)->AppendSample(At(t0 + i + 2, 2, 0)).ok());
  acked.insert(t0 + i + 2);
  std::set<int64_t> read;
  ASSERT_TRUE((*store)->ReadSeconds("pg1", t0, t0 + i + 3, [&](const Second& s) { read.insert(s.ts); }).ok());
  EXPECT_EQ(read, acked);
}

TEST_F(TempDirFixture, QueriesRunConcurrentlyWithTheWriter) {
  auto store = Store::Open({.directory = dir_, .read_connections = 3}, clock_);
  ASSERT_TRUE(store.ok());
  const int64_t t0 = 1700000000 - 1700000000 % 3600;
  std::atomic<bool> done{false};
  std::atomic<int> errors{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {  // one more reader than connections: one waits
    readers.emplace_back([&] {
      while (!done) {
        // Every second written so far holds 3 sessions; a reader never sees
        // a partial second, and sums agree with the seconds it sees.
        int seconds = 0;
        double hits = 0;
        Status st = (*store)->ReadSeconds("pg1", t0, t0 + 600, [&](const Second& s) {
          ++seconds;
          for (const auto& row : s.rows) hits += row.hits;
        });
        if (!st.ok() || hits != 3.0 * seconds) ++errors;
        auto p = (*store)->ReadPeriods("pg1", 60, t0, t0 + 600, {.combos = false});
        if (!p.ok()) ++errors;
      }
    });
  }
  for (int i = 0; i < 300; ++i) ASSERT_TRUE((*store)->AppendSample(At(t0 + i, 3, 0)).ok());
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(errors, 0);
}

TEST_F(TempDirFixture, GapsAreRecordedAndRetentionDropsOldTiers) {
  auto store = Store::Open({.directory = dir_, .retention = {.one_second = Days(1)}}, clock_);
  ASSERT_TRUE(store.ok());
  const int64_t t0 = 1700000000 - 1700000000 % 60;
  ASSERT_TRUE((*store)->AppendSample(At(t0, 1, 0)).ok());
  ASSERT_TRUE((*store)->AppendGap({"pg1", FromEpochSeconds(t0 + 1), FromEpochSeconds(t0 + 30), "connection refused"}).ok());
  auto gaps = (*store)->Gaps("pg1", t0, t0 + 60);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].reason, "connection refused");
  EXPECT_DOUBLE_EQ(gaps[0].to, t0 + 30);
  // Maintain seals the idle instance, then two days later drops its seconds
  // but keeps the minute rollup.
  ASSERT_TRUE((*store)->Maintain(FromEpochSeconds(t0 + 300)).ok());
  EXPECT_EQ((*store)->OldestSecond("pg1", 1), t0);
  ASSERT_TRUE((*store)->Maintain(FromEpochSeconds(t0 + 2 * 86400)).ok());
  EXPECT_EQ((*store)->OldestSecond("pg1", 1), 0);
  EXPECT_EQ((*store)->OldestSecond("pg1", 60), t0);
  auto p = (*store)->ReadPeriods("pg1", 60, t0, t0 + 60, {});
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->size(), 1u);
  EXPECT_DOUBLE_EQ(p->front().load.sum, 1);
}

}  // namespace
}  // namespace dbinsight::store
