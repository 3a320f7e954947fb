#include "collect/poll_state.h"

#include <gtest/gtest.h>

namespace dbinsight::collect {
namespace {

using std::chrono::milliseconds;

const MonoTime kMono0 = MonoTime() + std::chrono::hours(1);

SamplerOptions Opts(milliseconds interval = milliseconds(1000)) {
  SamplerOptions o;
  o.interval = interval;
  return o;
}

// Times in milliseconds since the epoch; the monotonic clock reads kMono0 at
// epoch 1000 s, so M(x) and W(x) are "the same instant" on both clocks.
MonoTime M(int64_t ms) { return kMono0 + milliseconds(ms - 1'000'000); }
WallTime W(int64_t ms) { return WallTime(milliseconds(ms)); }

TEST(PollStateTest, TicksAlignToWallClockIntervalBoundaries) {
  PollState s("i", Opts());
  EXPECT_EQ(s.FirstTick(M(1'000'300), W(1'000'300)), M(1'001'000));
  PollState fast("i", Opts(milliseconds(100)));
  // Exactly on a boundary: the next one, never the same slot twice.
  EXPECT_EQ(fast.FirstTick(M(1'000'200), W(1'000'200)), M(1'000'300));
}

TEST(PollStateTest, FollowsTheWallClockAndSkipsMissedTicks) {
  PollState s("i", Opts());
  EXPECT_EQ(s.FirstTick(M(1'000'500), W(1'000'500)), M(1'001'000));
  // A sample finishing 30 ms after its tick: the next tick is the next second.
  auto a = s.OnSuccess(W(1'001'010), M(1'001'030), W(1'001'030));
  EXPECT_EQ(a.next, M(1'002'000));
  // A sample that took 2.5 s: ticks 1003 and 1004 are skipped, not bunched.
  auto b = s.OnSuccess(W(1'002'000), M(1'004'500), W(1'004'500));
  EXPECT_EQ(b.next, M(1'005'000));
  EXPECT_EQ(s.status().skipped_ticks, 2u);
  // Monotonic and wall clocks drifted apart by 0.2 s: ticks follow the wall.
  auto c = s.OnSuccess(W(1'005'000), M(1'005'010), W(1'005'210));
  EXPECT_EQ(c.next, M(1'005'010) + milliseconds(790));
  EXPECT_EQ(s.status().samples, 3u);
  EXPECT_FALSE(a.gap);
  EXPECT_FALSE(b.resumed);
}

TEST(PollStateTest, BackoffDoublesToMaxThenResetsAndGapSpansOutage) {
  PollState s("pg1", Opts());
  s.FirstTick(M(999'500), W(999'500));
  auto ok = s.OnSuccess(W(1'000'000), M(1'000'001), W(1'000'001));
  EXPECT_TRUE(s.status().live);
  MonoTime t = ok.next;  // 1001
  std::vector<milliseconds> delays;
  for (int i = 0; i < 6; ++i) {
    auto f = s.OnFailure(Status::Unavailable(i < 5 ? "connection refused" : "server closed"), t);
    EXPECT_EQ(f.went_down, i == 0);
    delays.push_back(std::chrono::duration_cast<milliseconds>(f.next - t));
    t = f.next;
  }
  EXPECT_EQ(delays, (std::vector<milliseconds>{milliseconds(250), milliseconds(500),
                                                milliseconds(1000), milliseconds(2000),
                                                milliseconds(2000), milliseconds(2000)}));
  EXPECT_FALSE(s.status().live);
  EXPECT_EQ(s.status().failures, 6u);
  EXPECT_EQ(s.status().last_error, "server closed");

  // t = 1001 + 7.75 s of backoff = 1008.75.
  EXPECT_EQ(t, M(1'008'750));
  auto back = s.OnSuccess(W(1'008'750), t, W(1'008'750));
  EXPECT_TRUE(back.resumed);
  ASSERT_TRUE(back.gap);
  EXPECT_EQ(back.gap->instance_id, "pg1");
  EXPECT_EQ(back.gap->from, W(1'001'000));  // the first missed tick
  EXPECT_EQ(back.gap->to, W(1'008'750));   // the first new sample
  EXPECT_EQ(back.gap->reason, "server closed");
  // Back on the grid at the next whole second; the outage is no skipped tick.
  EXPECT_EQ(back.next, M(1'009'000));
  EXPECT_EQ(s.status().skipped_ticks, 0u);
  EXPECT_EQ(s.status().gaps, 1u);
  // Backoff starts over at the minimum.
  EXPECT_EQ(s.OnFailure(Status::Unavailable("x"), back.next).next - back.next, milliseconds(250));
}

TEST(PollStateTest, NoGapBeforeTheFirstSuccess) {
  PollState s("i", Opts());
  auto f = s.OnFailure(Status::Unavailable("down at startup"), M(1'000'000));
  EXPECT_TRUE(f.went_down);
  auto ok = s.OnSuccess(W(1'002'000), f.next, W(1'002'000));
  EXPECT_TRUE(ok.resumed);
  EXPECT_FALSE(ok.gap);
  EXPECT_EQ(s.status().gaps, 0u);
}

TEST(SamplerOptionsTest, ValidateNamesTheField) {
  SamplerOptions o;
  EXPECT_TRUE(o.Validate().ok());
  o.interval = milliseconds(50);
  EXPECT_NE(o.Validate().message().find("interval"), std::string::npos);
  o = {};
  o.backoff_max = milliseconds(100);
  EXPECT_NE(o.Validate().message().find("backoff"), std::string::npos);
}

}  // namespace
}  // namespace dbinsight::collect
