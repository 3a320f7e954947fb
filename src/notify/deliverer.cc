#include "notify/deliverer.h"

#include <algorithm>
#include <random>
#include <thread>
#include <vector>

#include "common/log.h"
#include "notify/backoff.h"

namespace dbinsight::notify {

namespace {

constexpr std::chrono::minutes kPurgeEvery{1};

std::function<double()> SeededRandom() {
  return [rng = std::mt19937_64(std::random_device()())]() mutable {
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  };
}

}  // namespace

Deliverer::Deliverer(Outbox& outbox, Transport& email, Transport& webhook, RetryOptions retry, DeliveryOptions delivery,
                     std::function<double()> random)
    : outbox_(outbox),
      email_(email),
      webhook_(webhook),
      retry_(retry),
      delivery_(delivery),
      random_(random ? std::move(random) : SeededRandom()) {}

Transport& Deliverer::TransportFor(Protocol p) const { return p == Protocol::kEmail ? email_ : webhook_; }

Result<int> Deliverer::RunOnce(WallTime now) {
  int attempts = 0;
  for (bool progress = true; progress;) {
    auto due = outbox_.Due(now);
    if (!due.ok()) return due.status();
    const std::vector<Delivery>& batch = due.value();
    std::vector<Status> outcomes(batch.size());
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t i; (i = next++) < batch.size();)
        outcomes[i] = TransportFor(batch[i].subscription.protocol).Deliver(batch[i]);
    };
    {
      std::vector<std::jthread> helpers;
      const size_t workers = std::min<size_t>(std::max(delivery_.max_parallel, 1), batch.size());
      for (size_t i = 1; i < workers; ++i) helpers.emplace_back(work);
      work();
    }
    progress = false;
    for (size_t i = 0; i < batch.size(); ++i) {
      auto moved = Record(batch[i], outcomes[i], now);
      if (!moved.ok()) return moved.status();
      progress = progress || moved.value();
    }
    attempts += static_cast<int>(batch.size());
  }
  if (now - last_purge_ >= kPurgeEvery) {
    DBI_RETURN_IF_ERROR(outbox_.Purge(now - delivery_.delivered_retention));
    last_purge_ = now;
  }
  return attempts;
}

Result<bool> Deliverer::Record(const Delivery& d, const Status& outcome, WallTime now) {
  const std::string where = RedactEndpoint(d.subscription.endpoint);
  bool& failing = failing_[d.subscription.arn];
  if (outcome.ok()) {
    DBI_RETURN_IF_ERROR(outbox_.MarkDelivered(d.id, now));
    ++delivered_;
    if (failing) log::Info("notifications to {} are being delivered again", where);
    failing_.erase(d.subscription.arn);
    return true;
  }
  ++failed_attempts_;
  const int attempts = d.attempts + 1;
  if (outcome.code() != StatusCode::kUnavailable || attempts >= retry_.max_attempts) {
    DBI_RETURN_IF_ERROR(outbox_.MarkDead(d.id, now, outcome.message()));
    ++dead_lettered_;
    failing = true;
    log::Warn("message {} to {} moved to the dead-letter queue after {} attempt(s): {}", d.message_id, where, attempts,
              outcome.message());
    return true;
  }
  const auto delay = BackoffDelay(attempts, retry_, random_());
  DBI_RETURN_IF_ERROR(outbox_.MarkRetry(d.id, now, outcome.message(), now + delay));
  if (!failing) log::Warn("delivery to {} failed, retrying with backoff: {}", where, outcome.message());
  failing = true;
  return false;
}

void Deliverer::Run(Clock& clock, std::stop_token stop) {
  std::string last_error;
  do {
    auto r = RunOnce(clock.Now());
    std::string error = r.ok() ? "" : r.status().ToString();
    if (error != last_error) {
      if (error.empty()) {
        log::Info("notification outbox is working again");
      } else {
        log::Error("notification outbox: {}", error);
      }
      last_error = std::move(error);
    }
  } while (clock.SleepUntil(clock.Monotonic() + delivery_.poll_interval, stop));
}

Deliverer::Counters Deliverer::counters() const {
  return {delivered_.load(), failed_attempts_.load(), dead_lettered_.load()};
}

}  // namespace dbinsight::notify
