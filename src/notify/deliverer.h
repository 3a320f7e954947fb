// Deliverer: works the outbox. Each pass takes the due deliveries (per
// subscription, its oldest pending message), hands them to the transport of
// their protocol (at most DeliveryOptions::max_parallel at once, each bounded
// by its transport's timeout), and records the outcome: delivered; retried
// after BackoffDelay(); or, after RetryOptions::max_attempts failures or a
// permanent rejection, moved to the dead-letter queue. A delivery is marked
// delivered only after the receiver accepted it, so a crash in between sends
// it again: delivery is at least once, and receivers de-duplicate by the
// MessageId, which never changes.
//
// app/ runs Run() on a thread of its own; tests call RunOnce(now) with the
// time they choose. Borrows the outbox and transports, which must outlive it.
// RunOnce/Run from one thread at a time; counters() from any thread. Starts
// short-lived worker threads inside RunOnce and joins them before returning.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <stop_token>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "notify/options.h"
#include "notify/outbox.h"
#include "notify/transport.h"

namespace dbinsight::notify {

class Deliverer {
 public:
  // random: uniform in [0, 1), the backoff jitter (default: a seeded
  // std::mt19937_64). Called from the thread running RunOnce only.
  Deliverer(Outbox& outbox, Transport& email, Transport& webhook, RetryOptions retry, DeliveryOptions delivery,
            std::function<double()> random = nullptr);

  // Attempts everything due at `now`, passing again while deliveries leave the
  // queue (messages waiting behind them go out in the same call), and
  // drops delivered messages older than the retention (at most once a
  // minute). Returns the number of attempts; an outbox error stops the pass.
  Result<int> RunOnce(WallTime now);

  // RunOnce(clock.Now()) every poll_interval until stop is requested. Outbox
  // errors are logged once per change, and the loop keeps going.
  void Run(Clock& clock, std::stop_token stop);

  // Self-metrics since construction.
  struct Counters {
    int64_t delivered = 0;
    int64_t failed_attempts = 0;
    int64_t dead_lettered = 0;
  };
  Counters counters() const;

 private:
  Transport& TransportFor(Protocol p) const;
  // Stores the outcome of one attempt; true when the delivery left the
  // pending state (the subscription's next message may now be due).
  Result<bool> Record(const Delivery& d, const Status& outcome, WallTime now);

  Outbox& outbox_;
  Transport& email_;
  Transport& webhook_;
  const RetryOptions retry_;
  const DeliveryOptions delivery_;
  std::function<double()> random_;
  // Subscriptions whose last attempt failed: a failure is logged when a
  // subscription starts failing, not on every retry.
  std::map<std::string, bool> failing_;
  WallTime last_purge_{};
  std::atomic<int64_t> delivered_{0};
  std::atomic<int64_t> failed_attempts_{0};
  std::atomic<int64_t> dead_lettered_{0};
};

}  // namespace dbinsight::notify
