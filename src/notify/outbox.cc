#include "notify/outbox.h"

#include <fmt/format.h>

#include <random>

#include "store/sqlite.h"
#include "store/store_file.h"

namespace dbinsight::notify {

namespace {

// docs/notifications.md describes these tables; bump kSchemaVersion and add a
// forward migration for any change.
constexpr int kSchemaVersion = 1;
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS topic(
  arn TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS subscription(
  arn TEXT PRIMARY KEY,
  topic_arn TEXT NOT NULL,
  protocol INTEGER NOT NULL,
  endpoint TEXT NOT NULL,
  format INTEGER NOT NULL,
  created_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS subscription_topic ON subscription(topic_arn);
CREATE TABLE IF NOT EXISTS message(
  id TEXT PRIMARY KEY,
  topic_arn TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  link TEXT NOT NULL,
  published_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS message_published ON message(published_ms);
CREATE TABLE IF NOT EXISTS message_body(
  message_id TEXT NOT NULL,
  protocol INTEGER NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY(message_id, protocol)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS delivery(
  id INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL,
  subscription_arn TEXT NOT NULL,
  state INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_ms INTEGER NOT NULL,
  last_attempt_ms INTEGER NOT NULL,
  last_error TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS delivery_subscription ON delivery(subscription_arn, state, id);
CREATE INDEX IF NOT EXISTS delivery_message ON delivery(message_id);
CREATE INDEX IF NOT EXISTS delivery_state ON delivery(state);
)sql";

// delivery.state; persisted: never renumber.
enum class State : int { kPending = 1, kDelivered = 2, kDead = 3 };

constexpr std::string_view StateName(int64_t s) {
  switch (static_cast<State>(s)) {
    case State::kPending:
      return "pending";
    case State::kDelivered:
      return "delivered";
    case State::kDead:
      return "dead";
  }
  return "unknown";
}

int64_t Ms(WallTime t) { return ToEpochMillis(t); }
WallTime FromMs(int64_t ms) { return WallTime(std::chrono::milliseconds(ms)); }

Subscription ReadSubscription(const store::Statement& s, int col) {
  Subscription sub;
  sub.arn = s.Text(col);
  sub.topic_arn = s.Text(col + 1);
  sub.protocol = static_cast<Protocol>(s.Int(col + 2));
  sub.endpoint = s.Text(col + 3);
  sub.format = static_cast<WebhookFormat>(s.Int(col + 4));
  return sub;
}
constexpr std::string_view kSubscriptionColumns = "s.arn, s.topic_arn, s.protocol, s.endpoint, s.format";

// Runs `sql` with the given text parameters to completion.
template <class... Args>
Status Run(store::Database& db, std::string_view sql, const Args&... args) {
  auto st = db.Prepare(sql);
  if (!st.ok()) return st.status();
  int i = 0;
  (st->Bind(++i, args), ...);
  return st->Run();
}

// Rows changed by the connection's last INSERT/UPDATE/DELETE.
Result<int64_t> Changes(store::Database& db) {
  auto q = db.Prepare("SELECT changes()");
  if (!q.ok()) return q.status();
  auto row = q->Step();
  if (!row.ok()) return row.status();
  return q->Int(0);
}

}  // namespace

std::string RandomUuid() {
  std::random_device rd;
  std::uniform_int_distribution<uint32_t> word;
  uint32_t w[4] = {word(rd), word(rd), word(rd), word(rd)};
  w[1] = (w[1] & 0xFFFF0FFFu) | 0x00004000u;  // version 4
  w[2] = (w[2] & 0x3FFFFFFFu) | 0x80000000u;  // RFC 4122 variant
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:04x}{:08x}", w[0], w[1] >> 16, w[1] & 0xFFFF, w[2] >> 16,
                     w[2] & 0xFFFF, w[3]);
}

Outbox::Outbox(std::unique_ptr<store::Database> db, std::string region, std::string account_id,
               std::function<std::string()> new_id)
    : db_(std::move(db)),
      region_(std::move(region)),
      account_id_(std::move(account_id)),
      new_id_(new_id ? std::move(new_id) : RandomUuid) {}

Outbox::~Outbox() = default;

Result<std::unique_ptr<Outbox>> Outbox::Open(const std::string& path, std::string region, std::string account_id,
                                             std::function<std::string()> new_id) {
  auto db = store::OpenWriter(path, kSchema, kSchemaVersion);
  if (!db.ok()) return db.status();
  return std::unique_ptr<Outbox>(
      new Outbox(std::move(db).value(), std::move(region), std::move(account_id), std::move(new_id)));
}

Result<Topic> Outbox::CreateTopic(const std::string& name, WallTime now) {
  std::lock_guard lock(mu_);
  Topic t{fmt::format("arn:aws:sns:{}:{}:{}", region_, account_id_, name), name};
  auto existing = db_->Prepare("SELECT arn FROM topic WHERE name = ?");
  if (!existing.ok()) return existing.status();
  auto row = existing->Bind(1, name).Step();
  if (!row.ok()) return row.status();
  if (row.value()) {
    // An older configuration may have had another region: the ARN stays.
    t.arn = existing->Text(0);
    return t;
  }
  DBI_RETURN_IF_ERROR(Run(*db_, "INSERT INTO topic(arn, name, created_ms) VALUES(?, ?, ?)", t.arn, name, Ms(now)));
  return t;
}

Status Outbox::DeleteTopic(const std::string& topic_arn) {
  std::lock_guard lock(mu_);
  store::Transaction txn(*db_);
  DBI_RETURN_IF_ERROR(txn.Begin());
  DBI_RETURN_IF_ERROR(Run(*db_,
                          "DELETE FROM delivery WHERE state != 2 AND subscription_arn IN "
                          "(SELECT arn FROM subscription WHERE topic_arn = ?)",
                          topic_arn));
  DBI_RETURN_IF_ERROR(Run(*db_, "DELETE FROM subscription WHERE topic_arn = ?", topic_arn));
  DBI_RETURN_IF_ERROR(Run(*db_, "DELETE FROM topic WHERE arn = ?", topic_arn));
  return txn.Commit();
}

Result<std::vector<Topic>> Outbox::ListTopics() {
  std::lock_guard lock(mu_);
  auto q = db_->Prepare("SELECT arn, name FROM topic ORDER BY arn");
  if (!q.ok()) return q.status();
  std::vector<Topic> out;
  DBI_RETURN_IF_ERROR(q->ForEachRow([&] {
    out.push_back({std::string(q->Text(0)), std::string(q->Text(1))});
    return Status::Ok();
  }));
  return out;
}

Result<std::optional<Topic>> Outbox::FindTopicLocked(const std::string& topic_arn) {
  auto q = db_->Prepare("SELECT arn, name FROM topic WHERE arn = ?");
  if (!q.ok()) return q.status();
  auto row = q->Bind(1, topic_arn).Step();
  if (!row.ok()) return row.status();
  if (!row.value()) return std::optional<Topic>();
  return std::optional<Topic>(Topic{std::string(q->Text(0)), std::string(q->Text(1))});
}

Status Outbox::RequireTopicLocked(const std::string& topic_arn) {
  auto topic = FindTopicLocked(topic_arn);
  if (!topic.ok()) return topic.status();
  return topic.value() ? Status::Ok() : Status::NotFound("Topic does not exist");
}

Result<Subscription> Outbox::Subscribe(const std::string& topic_arn, Protocol protocol, const std::string& endpoint,
                                       WebhookFormat format, WallTime now) {
  std::lock_guard lock(mu_);
  DBI_RETURN_IF_ERROR(RequireTopicLocked(topic_arn));
  auto same = db_->Prepare(
      fmt::format("SELECT {} FROM subscription s WHERE topic_arn = ? AND protocol = ? AND endpoint = ? AND format = ?",
                  kSubscriptionColumns));
  if (!same.ok()) return same.status();
  auto row = same->Bind(1, topic_arn)
                 .Bind(2, static_cast<int64_t>(protocol))
                 .Bind(3, endpoint)
                 .Bind(4, static_cast<int64_t>(format))
                 .Step();
  if (!row.ok()) return row.status();
  if (row.value()) return ReadSubscription(*same, 0);
  Subscription sub{topic_arn + ":" + new_id_(), topic_arn, protocol, endpoint, format};
  DBI_RETURN_IF_ERROR(Run(*db_,
                          "INSERT INTO subscription(arn, topic_arn, protocol, endpoint, format, created_ms) "
                          "VALUES(?, ?, ?, ?, ?, ?)",
                          sub.arn, topic_arn, static_cast<int64_t>(protocol), endpoint, static_cast<int64_t>(format),
                          Ms(now)));
  return sub;
}

Status Outbox::Unsubscribe(const std::string& subscription_arn) {
  std::lock_guard lock(mu_);
  store::Transaction txn(*db_);
  DBI_RETURN_IF_ERROR(txn.Begin());
  DBI_RETURN_IF_ERROR(Run(*db_, "DELETE FROM subscription WHERE arn = ?", subscription_arn));
  auto changed = Changes(*db_);
  if (!changed.ok()) return changed.status();
  if (changed.value() == 0) return Status::NotFound("Subscription does not exist");
  DBI_RETURN_IF_ERROR(Run(*db_, "DELETE FROM delivery WHERE state != 2 AND subscription_arn = ?", subscription_arn));
  return txn.Commit();
}

Result<std::vector<Subscription>> Outbox::ListSubscriptions(const std::string& topic_arn) {
  std::lock_guard lock(mu_);
  DBI_RETURN_IF_ERROR(RequireTopicLocked(topic_arn));
  auto q = db_->Prepare(
      fmt::format("SELECT {} FROM subscription s WHERE topic_arn = ? ORDER BY s.rowid", kSubscriptionColumns));
  if (!q.ok()) return q.status();
  q->Bind(1, topic_arn);
  std::vector<Subscription> out;
  DBI_RETURN_IF_ERROR(q->ForEachRow([&] {
    out.push_back(ReadSubscription(*q, 0));
    return Status::Ok();
  }));
  return out;
}

Result<std::string> Outbox::Publish(const std::string& topic_arn, const PublishInput& input, WallTime now) {
  std::lock_guard lock(mu_);
  store::Transaction txn(*db_);
  DBI_RETURN_IF_ERROR(txn.Begin());
  DBI_RETURN_IF_ERROR(RequireTopicLocked(topic_arn));
  std::string id = new_id_();
  DBI_RETURN_IF_ERROR(Run(*db_,
                          "INSERT INTO message(id, topic_arn, subject, body, link, published_ms) "
                          "VALUES(?, ?, ?, ?, ?, ?)",
                          id, topic_arn, input.subject, input.message, input.link, Ms(now)));
  for (const auto& [protocol, body] : input.bodies)
    DBI_RETURN_IF_ERROR(Run(*db_, "INSERT INTO message_body(message_id, protocol, body) VALUES(?, ?, ?)", id,
                            static_cast<int64_t>(protocol), body));
  DBI_RETURN_IF_ERROR(Run(*db_,
                          "INSERT INTO delivery(message_id, subscription_arn, state, attempts, next_attempt_ms, "
                          "last_attempt_ms, last_error) SELECT ?, arn, 1, 0, ?, 0, '' FROM subscription "
                          "WHERE topic_arn = ? ORDER BY arn",
                          id, Ms(now), topic_arn));
  DBI_RETURN_IF_ERROR(txn.Commit());
  return id;
}

Result<std::vector<Delivery>> Outbox::Due(WallTime now) { return SelectPending(now); }

Result<std::vector<Delivery>> Outbox::Pending() { return SelectPending(std::nullopt); }

Result<std::vector<Delivery>> Outbox::SelectPending(std::optional<WallTime> due_at) {
  std::lock_guard lock(mu_);
  auto q = db_->Prepare(fmt::format(
      "SELECT d.id, d.attempts, m.id, m.subject, COALESCE(b.body, m.body), m.link, m.published_ms, m.topic_arn, "
      "d.next_attempt_ms, d.last_error, {} "
      "FROM delivery d JOIN message m ON m.id = d.message_id JOIN subscription s ON s.arn = d.subscription_arn "
      "LEFT JOIN message_body b ON b.message_id = m.id AND b.protocol = s.protocol AND s.format IN ({}, {}) "
      "WHERE d.state = 1 {}ORDER BY d.id",
      kSubscriptionColumns, static_cast<int>(WebhookFormat::kSns), static_cast<int>(WebhookFormat::kRaw),
      due_at ? "AND d.next_attempt_ms <= ? AND d.id = "
               "(SELECT MIN(id) FROM delivery e WHERE e.subscription_arn = d.subscription_arn AND e.state = 1) "
             : ""));
  if (!q.ok()) return q.status();
  if (due_at) q->Bind(1, Ms(*due_at));
  std::vector<Delivery> out;
  DBI_RETURN_IF_ERROR(q->ForEachRow([&] {
    Delivery d;
    d.id = q->Int(0);
    d.attempts = static_cast<int>(q->Int(1));
    d.message_id = q->Text(2);
    d.subject = q->Text(3);
    d.body = q->Text(4);
    d.link = q->Text(5);
    d.published = FromMs(q->Int(6));
    d.topic_arn = q->Text(7);
    d.next_attempt = FromMs(q->Int(8));
    d.last_error = q->Text(9);
    d.subscription = ReadSubscription(*q, 10);
    out.push_back(std::move(d));
    return Status::Ok();
  }));
  return out;
}

Status Outbox::MarkDelivered(int64_t delivery_id, WallTime now) {
  std::lock_guard lock(mu_);
  return Run(*db_, "UPDATE delivery SET state = 2, last_attempt_ms = ? WHERE id = ?", Ms(now), delivery_id);
}

Status Outbox::MarkRetry(int64_t delivery_id, WallTime now, const std::string& error, WallTime next_attempt) {
  return MarkFailed(delivery_id, now, error, next_attempt, false);
}

Status Outbox::MarkDead(int64_t delivery_id, WallTime now, const std::string& error) {
  return MarkFailed(delivery_id, now, error, now, true);
}

Status Outbox::MarkFailed(int64_t delivery_id, WallTime now, const std::string& error, WallTime next_attempt,
                          bool dead) {
  std::lock_guard lock(mu_);
  return Run(*db_,
             "UPDATE delivery SET state = ?, attempts = attempts + 1, next_attempt_ms = ?, last_attempt_ms = ?, "
             "last_error = ? WHERE id = ?",
             static_cast<int64_t>(dead ? State::kDead : State::kPending), Ms(next_attempt), Ms(now), error,
             delivery_id);
}

Result<std::vector<DeadLetter>> Outbox::DeadLetters() {
  std::lock_guard lock(mu_);
  auto q = db_->Prepare(fmt::format(
      "SELECT m.id, m.subject, m.topic_arn, m.published_ms, d.attempts, d.last_attempt_ms, d.last_error, {} "
      "FROM delivery d JOIN message m ON m.id = d.message_id JOIN subscription s ON s.arn = d.subscription_arn "
      "WHERE d.state = 3 ORDER BY m.published_ms, d.id",
      kSubscriptionColumns));
  if (!q.ok()) return q.status();
  std::vector<DeadLetter> out;
  DBI_RETURN_IF_ERROR(q->ForEachRow([&] {
    DeadLetter d;
    d.message_id = q->Text(0);
    d.subject = q->Text(1);
    d.topic_arn = q->Text(2);
    d.published = FromMs(q->Int(3));
    d.attempts = static_cast<int>(q->Int(4));
    d.last_attempt = FromMs(q->Int(5));
    d.last_error = q->Text(6);
    d.subscription = ReadSubscription(*q, 7);
    out.push_back(std::move(d));
    return Status::Ok();
  }));
  return out;
}

Result<int> Outbox::Redrive(const std::optional<std::string>& message_id, WallTime now) {
  std::lock_guard lock(mu_);
  Status st = message_id ? Run(*db_,
                               "UPDATE delivery SET state = 1, attempts = 0, next_attempt_ms = ? "
                               "WHERE state = 3 AND message_id = ?",
                               Ms(now), *message_id)
                         : Run(*db_, "UPDATE delivery SET state = 1, attempts = 0, next_attempt_ms = ? WHERE state = 3",
                               Ms(now));
  DBI_RETURN_IF_ERROR(st);
  auto changed = Changes(*db_);
  if (!changed.ok()) return changed.status();
  return static_cast<int>(changed.value());
}

Status Outbox::Purge(WallTime cutoff) {
  // Deleting a message's delivered rows first leaves the condition true.
  constexpr std::string_view kOld =
      "SELECT id FROM message m WHERE published_ms < ? AND NOT EXISTS "
      "(SELECT 1 FROM delivery d WHERE d.message_id = m.id AND d.state != 2)";
  std::lock_guard lock(mu_);
  store::Transaction txn(*db_);
  DBI_RETURN_IF_ERROR(txn.Begin());
  DBI_RETURN_IF_ERROR(Run(*db_, fmt::format("DELETE FROM delivery WHERE message_id IN ({})", kOld), Ms(cutoff)));
  DBI_RETURN_IF_ERROR(Run(*db_, fmt::format("DELETE FROM message_body WHERE message_id IN ({})", kOld), Ms(cutoff)));
  DBI_RETURN_IF_ERROR(Run(*db_, fmt::format("DELETE FROM message WHERE id IN ({})", kOld), Ms(cutoff)));
  return txn.Commit();
}

Result<std::vector<Outbox::DeliveryRow>> Outbox::DeliveriesForTest(const std::string& message_id) {
  std::lock_guard lock(mu_);
  auto q = db_->Prepare(
      "SELECT subscription_arn, state, attempts, next_attempt_ms FROM delivery WHERE message_id = ? ORDER BY id");
  if (!q.ok()) return q.status();
  q->Bind(1, message_id);
  std::vector<DeliveryRow> out;
  DBI_RETURN_IF_ERROR(q->ForEachRow([&] {
    out.push_back(
        {std::string(q->Text(0)), std::string(StateName(q->Int(1))), static_cast<int>(q->Int(2)), FromMs(q->Int(3))});
    return Status::Ok();
  }));
  return out;
}

}  // namespace dbinsight::notify
