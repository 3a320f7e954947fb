// Outbox: the durable state of notifications in one SQLite file
// (<store dir>/notify.sqlite3, docs/notifications.md): topics, subscriptions,
// and every published message with one delivery row per subscription
// (attempts, next attempt time, last error, state). Publish commits the
// message and all its deliveries in one transaction, so a message is either
// fully queued or not at all, and a queued one survives kill -9. The
// Deliverer (deliverer.h) works the queue; failed deliveries come back on the
// retry schedule and end in the dead-letter queue, from which Redrive() puts
// them back.
//
// Times are wall-clock (they must mean something after a restart) and always
// passed in: the outbox never reads a clock.
// Thread-safe: one connection behind a mutex (notification traffic is tiny).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "notify/types.h"

namespace dbinsight::store {
class Database;
}

namespace dbinsight::notify {

class Outbox {
 public:
  // Opens or creates the file. region/account_id make topic ARNs; new_id
  // makes MessageIds and subscription ids (default: random UUIDs).
  static Result<std::unique_ptr<Outbox>> Open(const std::string& path, std::string region, std::string account_id,
                                              std::function<std::string()> new_id = nullptr);
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // The topic called `name`, created if absent (CreateTopic is idempotent).
  // REQUIRES: name is a valid SNS topic name (the API validates it).
  Result<Topic> CreateTopic(const std::string& name, WallTime now);
  // Removes the topic, its subscriptions and their pending and dead
  // deliveries. Deleting a missing topic succeeds, as in SNS.
  Status DeleteTopic(const std::string& topic_arn);
  // All topics by ARN.
  Result<std::vector<Topic>> ListTopics();

  // Subscribes endpoint to the topic; an identical subscription (same
  // protocol, endpoint and format) is returned as it is, as SNS does.
  // NotFound when the topic does not exist.
  Result<Subscription> Subscribe(const std::string& topic_arn, Protocol protocol, const std::string& endpoint,
                                 WebhookFormat format, WallTime now);
  // Removes the subscription and its pending and dead deliveries. NotFound
  // when it does not exist.
  Status Unsubscribe(const std::string& subscription_arn);
  // NotFound when the topic does not exist.
  Result<std::vector<Subscription>> ListSubscriptions(const std::string& topic_arn);

  // Queues the message for every current subscriber of the topic (none is
  // fine) and returns its MessageId. NotFound when the topic does not exist.
  Result<std::string> Publish(const std::string& topic_arn, const PublishInput& input, WallTime now);

  // The deliveries to attempt now: for each subscription, its oldest pending
  // delivery, if that one is due. Later messages wait behind it, so a
  // receiver sees its messages in publish order.
  Result<std::vector<Delivery>> Due(WallTime now);
  // Every pending delivery, queue heads or not, in publish order: what the
  // UI's outbox lists, with each one's next attempt and last error.
  Result<std::vector<Delivery>> Pending();
  // Outcomes of an attempt made at `now`. REQUIRES: the delivery is pending.
  Status MarkDelivered(int64_t delivery_id, WallTime now);
  Status MarkRetry(int64_t delivery_id, WallTime now, const std::string& error, WallTime next_attempt);
  Status MarkDead(int64_t delivery_id, WallTime now, const std::string& error);

  // The dead-letter queue, oldest message first.
  Result<std::vector<DeadLetter>> DeadLetters();
  // Makes the dead deliveries of one message (or, with no id, all of them)
  // pending again with a fresh set of attempts, due now; returns how many.
  // The MessageId stays, so receivers can drop what they already have.
  Result<int> Redrive(const std::optional<std::string>& message_id, WallTime now);

  // Removes messages published before `cutoff` that have nothing pending or
  // dead left.
  Status Purge(WallTime cutoff);

  // The delivery rows of one message as (subscription ARN, state name,
  // attempts): what tests assert on.
  struct DeliveryRow {
    std::string subscription_arn;
    std::string state;  // "pending", "delivered", "dead"
    int attempts = 0;
    WallTime next_attempt;
  };
  Result<std::vector<DeliveryRow>> DeliveriesForTest(const std::string& message_id);

 private:
  Outbox(std::unique_ptr<store::Database> db, std::string region, std::string account_id,
         std::function<std::string()> new_id);
  Result<std::optional<Topic>> FindTopicLocked(const std::string& topic_arn);  // REQUIRES: mu_ held
  Status RequireTopicLocked(const std::string& topic_arn);                     // NotFound if absent; mu_ held
  Status MarkFailed(int64_t delivery_id, WallTime now, const std::string& error, WallTime next_attempt, bool dead);
  // Pending deliveries; with `due_at`, only each subscription's queue head
  // when it is due by then.
  Result<std::vector<Delivery>> SelectPending(std::optional<WallTime> due_at);

  std::mutex mu_;
  std::unique_ptr<store::Database> db_;  // guarded by mu_
  const std::string region_;
  const std::string account_id_;
  std::function<std::string()> new_id_;  // guarded by mu_
};

// A random (version 4) UUID, lower case: the form of SNS MessageIds.
std::string RandomUuid();

}  // namespace dbinsight::notify
