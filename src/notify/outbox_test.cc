// The outbox state machine driven by a ManualClock: queueing, the retry
// schedule, dead letters, re-drive, ordering and durability across reopening.
// Transports are in-memory scripts (the real ones have their own tests).
#include "notify/outbox.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <mutex>

#include "notify/deliverer.h"
#include "testing/manual_clock.h"
#include "testing/temp_dir.h"

namespace dbinsight::notify {
namespace {

using std::chrono::milliseconds;

// Answers with the scripted outcomes in order (then Ok) and records what it was given.
class ScriptedTransport final : public Transport {
 public:
  Status Deliver(const Delivery& d) override {
    std::lock_guard lock(mu_);
    seen_.push_back(d);
    if (script_.empty()) return Status::Ok();
    Status s = script_.front();
    script_.pop_front();
    return s;
  }
  void FailNext(int n, Status why = Status::Unavailable("HTTP 503 from http://127.0.0.1:1")) {
    std::lock_guard lock(mu_);
    for (int i = 0; i < n; ++i) script_.push_back(why);
  }
  std::vector<Delivery> seen() const {
    std::lock_guard lock(mu_);
    return seen_;
  }

 private:
  mutable std::mutex mu_;
  std::deque<Status> script_;
  std::vector<Delivery> seen_;
};

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::move(testing::TempDir::Create("dbi-outbox")).value();
    retry_.base_delay = milliseconds(1000);
    retry_.max_delay = milliseconds(4000);
    retry_.max_attempts = 5;
    Reopen();
  }
  void Reopen() {
    deliverer_.reset();
    outbox_.reset();
    auto o = Outbox::Open(dir_->File("notify.sqlite3"), "us-east-1", "000000000000");
    ASSERT_TRUE(o.ok()) << o.status().ToString();
    outbox_ = std::move(o).value();
    // Jitter pinned at the middle: delay = 3/4 of the exponential step.
    deliverer_ = std::make_unique<Deliverer>(*outbox_, email_, web_, retry_, DeliveryOptions{}, [] { return 0.5; });
  }
  Topic MakeTopic(const std::string& name = "alerts") { return outbox_->CreateTopic(name, clock_.Now()).value(); }
  Subscription Sub(const Topic& t, const std::string& url = "http://127.0.0.1:9/hook") {
    return outbox_->Subscribe(t.arn, Protocol::kHttp, url, WebhookFormat::kSns, clock_.Now()).value();
  }
  std::string Publish(const Topic& t, const std::string& text) {
    return outbox_->Publish(t.arn, PublishInput{"subject", text, {}, ""}, clock_.Now()).value();
  }
  int RunOnce() { return deliverer_->RunOnce(clock_.Now()).value(); }
  std::vector<Outbox::DeliveryRow> Rows(const std::string& id) { return outbox_->DeliveriesForTest(id).value(); }

  std::unique_ptr<testing::TempDir> dir_;
  testing::ManualClock clock_;
  RetryOptions retry_;
  ScriptedTransport email_;
  ScriptedTransport web_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<Deliverer> deliverer_;
};

TEST_F(OutboxTest, TopicsAreCreatedOnceAndDeletedIdempotently) {
  Topic a = MakeTopic();
  EXPECT_EQ(a.arn, "arn:aws:sns:us-east-1:000000000000:alerts");
  EXPECT_EQ(MakeTopic().arn, a.arn);
  MakeTopic("db-team");
  auto topics = outbox_->ListTopics().value();
  ASSERT_EQ(topics.size(), 2u);
  EXPECT_EQ(topics[0].name, "alerts");
  EXPECT_EQ(topics[1].name, "db-team");
  Sub(a);
  EXPECT_TRUE(outbox_->DeleteTopic(a.arn).ok());
  EXPECT_TRUE(outbox_->DeleteTopic(a.arn).ok());  // already gone: still fine, as in SNS
  EXPECT_EQ(outbox_->ListTopics()->size(), 1u);
  EXPECT_EQ(outbox_->ListSubscriptions(a.arn).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(outbox_->Publish(a.arn, {}, clock_.Now()).status().code(), StatusCode::kNotFound);
}

TEST_F(OutboxTest, SubscribeReturnsTheSameSubscriptionForTheSameEndpoint) {
  Topic t = MakeTopic();
  Subscription s1 = Sub(t);
  EXPECT_TRUE(s1.arn.starts_with(t.arn + ":")) << s1.arn;
  EXPECT_EQ(Sub(t).arn, s1.arn);
  Subscription s2 =
      outbox_->Subscribe(t.arn, Protocol::kEmail, "ops@example.com", WebhookFormat::kSns, clock_.Now()).value();
  EXPECT_NE(s2.arn, s1.arn);
  auto subs = outbox_->ListSubscriptions(t.arn).value();
  ASSERT_EQ(subs.size(), 2u);
  EXPECT_EQ(
      outbox_->Subscribe(t.arn + "x", Protocol::kHttp, "http://h/", WebhookFormat::kSns, clock_.Now()).status().code(),
      StatusCode::kNotFound);
  EXPECT_TRUE(outbox_->Unsubscribe(s1.arn).ok());
  EXPECT_EQ(outbox_->Unsubscribe(s1.arn).code(), StatusCode::kNotFound);
  EXPECT_EQ(outbox_->ListSubscriptions(t.arn)->size(), 1u);
}

TEST_F(OutboxTest, PublishQueuesOneDeliveryPerSubscriberAndSendsEachOnce) {
  Topic t = MakeTopic();
  Sub(t, "http://a/");
  Sub(t, "http://b/");
  outbox_->Subscribe(t.arn, Protocol::kEmail, "ops@example.com", WebhookFormat::kSns, clock_.Now()).value();
  std::string id = Publish(t, "hello");
  auto rows = Rows(id);
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& r : rows) EXPECT_EQ(r.state, "pending");
  EXPECT_EQ(RunOnce(), 3);
  EXPECT_EQ(web_.seen().size(), 2u);
  ASSERT_EQ(email_.seen().size(), 1u);
  EXPECT_EQ(email_.seen()[0].message_id, id);
  EXPECT_EQ(email_.seen()[0].body, "hello");
  for (const auto& r : Rows(id)) EXPECT_EQ(r.state, "delivered");
  EXPECT_EQ(RunOnce(), 0);
  EXPECT_EQ(deliverer_->counters().delivered, 3);
}

TEST_F(OutboxTest, ProtocolBodiesOverrideTheMessage) {
  Topic t = MakeTopic();
  Sub(t);
  outbox_->Subscribe(t.arn, Protocol::kHttp, "http://slack/", WebhookFormat::kSlack, clock_.Now()).value();
  outbox_->Subscribe(t.arn, Protocol::kEmail, "ops@example.com", WebhookFormat::kSns, clock_.Now()).value();
  outbox_
      ->Publish(t.arn, PublishInput{"s", "plain", {{Protocol::kHttp, "{\"json\":1}"}}, "http://ui/#/x"}, clock_.Now())
      .value();
  RunOnce();
  std::map<std::string, std::string> bodies;
  for (const Delivery& d : web_.seen()) bodies[d.subscription.endpoint] = d.body;
  EXPECT_EQ(bodies["http://127.0.0.1:9/hook"], "{\"json\":1}");
  EXPECT_EQ(bodies["http://slack/"], "plain");  // written for people, not machines
  EXPECT_EQ(web_.seen()[0].link, "http://ui/#/x");
  ASSERT_EQ(email_.seen().size(), 1u);
  EXPECT_EQ(email_.seen()[0].body, "plain");
}

TEST_F(OutboxTest, RetriesFollowTheBackoffScheduleWithTheSameMessageId) {
  Topic t = MakeTopic();
  Sub(t);
  std::string id = Publish(t, "m");
  web_.FailNext(3);
  // Steps 1 s, 2 s, 4 s (the cap), each at 3/4 with the pinned jitter.
  const milliseconds expected[] = {milliseconds(750), milliseconds(1500), milliseconds(3000)};
  for (int failure = 0; failure < 3; ++failure) {
    EXPECT_EQ(RunOnce(), 1);
    auto row = Rows(id)[0];
    EXPECT_EQ(row.state, "pending");
    EXPECT_EQ(row.attempts, failure + 1);
    EXPECT_EQ(row.next_attempt, clock_.Now() + expected[failure]);
    clock_.Advance(expected[failure] - milliseconds(1));
    EXPECT_EQ(RunOnce(), 0) << "attempted before its time";
    clock_.Advance(milliseconds(1));
  }
  EXPECT_EQ(RunOnce(), 1);
  EXPECT_EQ(Rows(id)[0].state, "delivered");
  ASSERT_EQ(web_.seen().size(), 4u);
  for (const Delivery& d : web_.seen()) EXPECT_EQ(d.message_id, id);
  EXPECT_EQ(deliverer_->counters().failed_attempts, 3);
}

TEST_F(OutboxTest, DeadLettersAfterMaxAttemptsAndRedriveDeliversOnce) {
  Topic t = MakeTopic();
  Subscription s = Sub(t);
  std::string id = Publish(t, "m");
  web_.FailNext(retry_.max_attempts, Status::Unavailable("HTTP 500 from http://127.0.0.1:9"));
  for (int i = 0; i < retry_.max_attempts; ++i) {
    EXPECT_EQ(RunOnce(), 1);
    clock_.Advance(retry_.max_delay);
  }
  auto dead = outbox_->DeadLetters().value();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].message_id, id);
  EXPECT_EQ(dead[0].subscription.arn, s.arn);
  EXPECT_EQ(dead[0].attempts, retry_.max_attempts);
  EXPECT_EQ(dead[0].last_error, "HTTP 500 from http://127.0.0.1:9");
  EXPECT_EQ(RunOnce(), 0);  // dead letters are not retried
  EXPECT_EQ(deliverer_->counters().dead_lettered, 1);

  EXPECT_EQ(outbox_->Redrive("no-such-id", clock_.Now()).value(), 0);
  EXPECT_EQ(outbox_->Redrive(id, clock_.Now()).value(), 1);
  EXPECT_TRUE(outbox_->DeadLetters()->empty());
  EXPECT_EQ(Rows(id)[0].attempts, 0);  // a fresh set of attempts
  EXPECT_EQ(RunOnce(), 1);
  EXPECT_EQ(Rows(id)[0].state, "delivered");
  EXPECT_EQ(web_.seen().back().message_id, id);
  EXPECT_EQ(outbox_->Redrive(std::nullopt, clock_.Now()).value(), 0);
  EXPECT_EQ(RunOnce(), 0);
  EXPECT_EQ(web_.seen().size(), static_cast<size_t>(retry_.max_attempts) + 1);
}

TEST_F(OutboxTest, PermanentRejectionIsDeadAtOnce) {
  Topic t = MakeTopic();
  Sub(t);
  std::string id = Publish(t, "m");
  web_.FailNext(1, Status::InvalidArgument("HTTP 404 from http://127.0.0.1:9"));
  EXPECT_EQ(RunOnce(), 1);
  auto dead = outbox_->DeadLetters().value();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].attempts, 1);
}

TEST_F(OutboxTest, LaterMessagesWaitBehindTheFailingOne) {
  Topic t = MakeTopic();
  Sub(t);
  std::string first = Publish(t, "first");
  std::string second = Publish(t, "second");
  web_.FailNext(1);
  EXPECT_EQ(RunOnce(), 1);  // only the head was tried
  EXPECT_EQ(Rows(second)[0].attempts, 0);
  clock_.Advance(retry_.max_delay);
  EXPECT_EQ(RunOnce(), 2);  // head delivered, then the one behind it in the same call
  auto seen = web_.seen();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[1].message_id, first);
  EXPECT_EQ(seen[2].message_id, second);
}

TEST_F(OutboxTest, OneSubscriptionsOutageDoesNotHoldUpAnother) {
  Topic t = MakeTopic();
  Sub(t, "http://a/");
  outbox_->Subscribe(t.arn, Protocol::kEmail, "ops@example.com", WebhookFormat::kSns, clock_.Now()).value();
  web_.FailNext(100);
  Publish(t, "one");
  Publish(t, "two");
  RunOnce();
  EXPECT_EQ(email_.seen().size(), 2u);
  EXPECT_EQ(web_.seen().size(), 1u);
}

TEST_F(OutboxTest, UnsubscribeAndDeleteTopicDropQueuedDeliveries) {
  Topic t = MakeTopic();
  Subscription s = Sub(t);
  std::string id = Publish(t, "m");
  ASSERT_TRUE(outbox_->Unsubscribe(s.arn).ok());
  EXPECT_TRUE(Rows(id).empty());
  Sub(t, "http://other/");
  std::string id2 = Publish(t, "m2");
  ASSERT_TRUE(outbox_->DeleteTopic(t.arn).ok());
  EXPECT_TRUE(Rows(id2).empty());
  EXPECT_EQ(RunOnce(), 0);
}

TEST_F(OutboxTest, QueueSurvivesReopeningTheFile) {
  Topic t = MakeTopic();
  Sub(t);
  std::string id = Publish(t, "durable");
  web_.FailNext(1);
  RunOnce();
  const WallTime next = Rows(id)[0].next_attempt;
  Reopen();
  EXPECT_EQ(RunOnce(), 0);  // the backoff is remembered
  clock_.Advance(next - clock_.Now());
  EXPECT_EQ(RunOnce(), 1);
  ASSERT_EQ(web_.seen().size(), 2u);
  EXPECT_EQ(web_.seen()[1].message_id, id);
  EXPECT_EQ(web_.seen()[1].body, "durable");
  EXPECT_EQ(web_.seen()[1].attempts, 1);
}

TEST_F(OutboxTest, DeliveredMessagesArePurgedAfterRetentionButDeadLettersStay) {
  Topic t = MakeTopic();
  Sub(t);
  std::string delivered = Publish(t, "ok");
  RunOnce();
  outbox_->Subscribe(t.arn, Protocol::kEmail, "ops@example.com", WebhookFormat::kSns, clock_.Now()).value();
  email_.FailNext(1, Status::InvalidArgument("550 no such user"));
  std::string dead = Publish(t, "dead");
  RunOnce();
  clock_.Advance(DeliveryOptions{}.delivered_retention + std::chrono::hours(1));
  RunOnce();
  EXPECT_TRUE(Rows(delivered).empty());
  EXPECT_EQ(Rows(dead).size(), 2u);
  EXPECT_EQ(outbox_->DeadLetters()->size(), 1u);
}

}  // namespace
}  // namespace dbinsight::notify
