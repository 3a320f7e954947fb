#include "notify/backoff.h"

#include <gtest/gtest.h>

namespace dbinsight::notify {
namespace {

using std::chrono::milliseconds;

TEST(BackoffTest, DoublesFromTheBaseUpToTheCap) {
  RetryOptions o;
  o.base_delay = milliseconds(1000);
  o.max_delay = milliseconds(5000);
  // Jitter 0 gives the lower bound d/2.
  EXPECT_EQ(BackoffDelay(1, o, 0.0), milliseconds(500));
  EXPECT_EQ(BackoffDelay(2, o, 0.0), milliseconds(1000));
  EXPECT_EQ(BackoffDelay(3, o, 0.0), milliseconds(2000));
  EXPECT_EQ(BackoffDelay(4, o, 0.0), milliseconds(2500));  // capped at 5 s
  EXPECT_EQ(BackoffDelay(1000, o, 0.0), milliseconds(2500));
}

TEST(BackoffTest, JitterStaysInTheUpperHalf) {
  RetryOptions o;
  o.base_delay = milliseconds(1000);
  o.max_delay = milliseconds(600'000);
  for (int attempt = 1; attempt <= 30; ++attempt) {
    const milliseconds d = std::min(o.max_delay, milliseconds(1000LL << std::min(attempt - 1, 20)));
    for (double r : {0.0, 0.25, 0.5, 0.999999}) {
      milliseconds delay = BackoffDelay(attempt, o, r);
      EXPECT_GE(delay, d / 2) << attempt << " " << r;
      EXPECT_LT(delay, d) << attempt << " " << r;
    }
    EXPECT_LT(BackoffDelay(attempt, o, 0.1), BackoffDelay(attempt, o, 0.9));
  }
  EXPECT_EQ(BackoffDelay(1, o, 0.5), milliseconds(750));
}

}  // namespace
}  // namespace dbinsight::notify
