#include "testing/manual_clock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "testing/temp_dir.h"

namespace dbinsight::testing {
namespace {

using std::chrono::seconds;

TEST(ManualClockTest, AdvanceMovesBothClocksAndWakesDueSleepers) {
  ManualClock clock;
  const WallTime wall0 = clock.Now();
  const MonoTime mono0 = clock.Monotonic();
  std::atomic<int> woke{0};
  std::jthread sleeper([&](std::stop_token st) {
    if (clock.SleepUntil(mono0 + seconds(10), st)) ++woke;
  });
  clock.WaitForSleepers(1);
  clock.Advance(seconds(9));
  EXPECT_EQ(clock.sleepers(), 1);  // deadline still ahead
  EXPECT_EQ(woke.load(), 0);
  clock.Advance(seconds(1));
  sleeper.join();
  EXPECT_EQ(woke.load(), 1);
  EXPECT_EQ(clock.Now() - wall0, seconds(10));
  EXPECT_EQ(clock.Monotonic() - mono0, seconds(10));
}

TEST(ManualClockTest, StopWakesSleeperWithFalse) {
  ManualClock clock;
  std::atomic<int> result{-1};
  std::jthread sleeper([&](std::stop_token st) {
    result = clock.SleepUntil(clock.Monotonic() + seconds(3600), st) ? 1 : 0;
  });
  clock.WaitForSleepers(1);
  sleeper.request_stop();
  sleeper.join();
  EXPECT_EQ(result.load(), 0);
}

TEST(ManualClockTest, SetNowMovesOnlyWallTime) {
  ManualClock clock;
  const MonoTime mono0 = clock.Monotonic();
  clock.SetNow(FromEpochSeconds(42));
  EXPECT_EQ(ToEpochSeconds(clock.Now()), 42);
  EXPECT_EQ(clock.Monotonic(), mono0);
}

TEST(TempDirTest, CreatesAndRemoves) {
  std::filesystem::path p;
  {
    auto dir = TempDir::Create("dbi-tempdir-test");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    p = (*dir)->path();
    EXPECT_TRUE(std::filesystem::is_directory(p));
  }
  EXPECT_FALSE(std::filesystem::exists(p));
}

}  // namespace
}  // namespace dbinsight::testing
