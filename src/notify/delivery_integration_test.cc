// Deliveries to real receivers: an aiosmtpd SMTP server (plain, and with
// STARTTLS + AUTH) and a local HTTP server for the SNS envelope, Slack and
// Teams formats; and the faults: a receiver down for a while, one that always
// fails (dead letter, then re-drive), a hung one, and kill -9 of a process
// with messages in its outbox.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "notify/alarm_message.h"
#include "notify/deliverer.h"
#include "notify/outbox.h"
#include "notify/samples_for_test.h"
#include "notify/smtp/smtp_transport.h"
#include "notify/webhook/webhook_transport.h"
#include "testing/child_process.h"
#include "testing/http_receiver.h"
#include "testing/poll_until.h"
#include "testing/smtp_sink.h"
#include "testing/temp_dir.h"

namespace dbinsight::notify {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;
using testing::HttpReceiver;
using testing::SmtpSink;

constexpr milliseconds kWait{30'000};

class DeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::move(testing::TempDir::Create("dbi-notify")).value();
    auto o = Outbox::Open(dir_->File("notify.sqlite3"), options_.region, options_.account_id);
    ASSERT_TRUE(o.ok()) << o.status().ToString();
    outbox_ = std::move(o).value();
    topic_ = outbox_->CreateTopic("alerts", clock_.Now()).value();
    options_.ui_base_url = "http://ui.example:8421";
    options_.retry.base_delay = milliseconds(20);
    options_.retry.max_delay = milliseconds(100);
    options_.delivery.poll_interval = milliseconds(20);
    options_.webhook.timeout = milliseconds(2'000);
  }
  void TearDown() override { StopDelivering(); }

  // Runs the delivery loop on its own thread, as app/ does.
  void StartDelivering() {
    auto email = smtp::SmtpTransport::Create(options_.smtp);
    ASSERT_TRUE(email.ok()) << email.status().ToString();
    email_ = std::move(email).value();
    webhook_ = std::make_unique<webhook::WebhookTransport>(options_.webhook);
    deliverer_ = std::make_unique<Deliverer>(*outbox_, *email_, *webhook_, options_.retry, options_.delivery);
    loop_ = std::jthread([this](std::stop_token stop) { deliverer_->Run(clock_, stop); });
  }
  void StopDelivering() {
    loop_.request_stop();
    if (loop_.joinable()) loop_.join();
  }
  Subscription Subscribe(Protocol p, const std::string& endpoint, WebhookFormat f = WebhookFormat::kSns) {
    return outbox_->Subscribe(topic_.arn, p, endpoint, f, clock_.Now()).value();
  }
  std::string Publish(const PublishInput& input) { return outbox_->Publish(topic_.arn, input, clock_.Now()).value(); }
  bool Wait(const std::function<bool()>& done) { return testing::PollUntil(clock_, kWait, done); }
  // MessageId → how many times a receiver accepted it.
  static std::map<std::string, int> AcceptedIds(const HttpReceiver& r) {
    std::map<std::string, int> out;
    for (const auto& req : r.accepted()) ++out[req.headers.at("x-amz-sns-message-id")];
    return out;
  }

  SystemClock clock_;
  NotifyOptions options_;
  std::unique_ptr<testing::TempDir> dir_;
  std::unique_ptr<Outbox> outbox_;
  Topic topic_;
  std::unique_ptr<Transport> email_;
  std::unique_ptr<Transport> webhook_;
  std::unique_ptr<Deliverer> deliverer_;
  std::jthread loop_;
};

TEST_F(DeliveryTest, AlarmEmailReachesARealSmtpServer) {
  auto sink = SmtpSink::Start({});
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  options_.smtp.host = "127.0.0.1";
  options_.smtp.port = sink.value()->port();
  options_.smtp.from = "dbinsight <alerts@example.test>";
  Subscribe(Protocol::kEmail, "oncall@example.test");
  std::string id = Publish(FormatAlarmMessage(SampleAlarm(), options_));
  StartDelivering();
  ASSERT_TRUE(Wait([&] { return !sink.value()->mails().empty(); }));
  auto mails = sink.value()->mails();
  ASSERT_EQ(mails.size(), 1u);
  const SmtpSink::Mail& m = mails[0];
  EXPECT_EQ(m.mail_from, "alerts@example.test");
  EXPECT_EQ(m.rcpt_tos, std::vector<std::string>{"oncall@example.test"});
  EXPECT_EQ(m.subject, "ALARM: high-connections in pg1");
  EXPECT_EQ(m.from, "dbinsight <alerts@example.test>");
  EXPECT_EQ(m.message_id, "<" + id + "@dbinsight>");
  EXPECT_NE(m.body.find("State:       OK -> ALARM"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("Instance:    pg1"), std::string::npos);
  EXPECT_NE(m.body.find(SampleAlarm().reason), std::string::npos);
  EXPECT_NE(m.body.find("View in dbinsight: http://ui.example:8421/#/alarms/high-connections"), std::string::npos);
  EXPECT_FALSE(m.tls);
}

TEST_F(DeliveryTest, SmtpWithStartTlsAndAuth) {
  auto sink = SmtpSink::Start({.starttls = true, .username = "dbi", .password = "s3cret"});
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  { std::ofstream(dir_->File("password")) << "s3cret\n"; }
  options_.smtp.host = "127.0.0.1";
  options_.smtp.port = sink.value()->port();
  options_.smtp.tls = SmtpTls::kStartTls;
  options_.smtp.ca_file = sink.value()->ca_file();
  options_.smtp.username = "dbi";
  options_.smtp.password_file = dir_->File("password");
  Subscribe(Protocol::kEmail, "oncall@example.test");
  Publish({"Weekly check", "All good.", {}, ""});
  StartDelivering();
  ASSERT_TRUE(Wait([&] { return !sink.value()->mails().empty(); }));
  auto m = sink.value()->mails()[0];
  EXPECT_TRUE(m.tls);
  EXPECT_EQ(m.auth_user, "dbi");
  EXPECT_EQ(m.subject, "Weekly check");
  EXPECT_NE(m.body.find("All good."), std::string::npos);
  StopDelivering();

  // Wrong credentials are permanent: one attempt, then the dead-letter queue.
  { std::ofstream(dir_->File("password")) << "wrong\n"; }
  auto bad = smtp::SmtpTransport::Create(options_.smtp).value();
  Deliverer deliverer(*outbox_, *bad, *bad, options_.retry, options_.delivery);
  std::string id = Publish({"again", "x", {}, ""});
  EXPECT_EQ(deliverer.RunOnce(clock_.Now()).value(), 1);
  auto dead = outbox_->DeadLetters().value();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].message_id, id);
  EXPECT_EQ(dead[0].attempts, 1);
  EXPECT_NE(dead[0].last_error.find("535"), std::string::npos) << dead[0].last_error;
  EXPECT_EQ(dead[0].last_error.find("wrong"), std::string::npos);

  // Without a trusted certificate, STARTTLS fails verification (retried: the
  // relay's certificate may be fixed).
  options_.smtp.ca_file.clear();
  auto untrusted = smtp::SmtpTransport::Create(options_.smtp).value();
  Delivery d;
  d.subscription.endpoint = "oncall@example.test";
  Status st = untrusted->Deliver(d);
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
}

TEST_F(DeliveryTest, SlackSnsAndTeamsWebhooks) {
  auto receiver = HttpReceiver::Start();
  ASSERT_TRUE(receiver.ok()) << receiver.status().ToString();
  HttpReceiver& r = *receiver.value();
  Subscription slack = Subscribe(Protocol::kHttp, r.Url("/slack"), WebhookFormat::kSlack);
  Subscribe(Protocol::kHttp, r.Url("/sns"), WebhookFormat::kSns);
  Subscribe(Protocol::kHttp, r.Url("/teams"), WebhookFormat::kTeams);
  std::string id = Publish(FormatAlarmMessage(SampleAlarm(), options_));
  StartDelivering();
  ASSERT_TRUE(Wait([&] { return r.accepted().size() == 3; }));
  std::map<std::string, HttpReceiver::Request> by_path;
  for (auto& req : r.accepted()) by_path[req.path] = req;

  const auto& s = by_path.at("/slack");
  EXPECT_EQ(s.method, "POST");
  EXPECT_EQ(s.headers.at("content-type"), "application/json");
  EXPECT_EQ(s.headers.at("x-amz-sns-message-id"), id);
  EXPECT_EQ(s.headers.at("x-amz-sns-subscription-arn"), slack.arn);
  std::string text = json::parse(s.body)["text"];
  EXPECT_TRUE(text.starts_with("*ALARM: high-connections in pg1*\n")) << text;
  EXPECT_NE(text.find("OK -&gt; ALARM"), std::string::npos) << text;
  EXPECT_TRUE(text.ends_with("<http://ui.example:8421/#/alarms/high-connections|View in dbinsight>")) << text;

  json envelope = json::parse(by_path.at("/sns").body);
  EXPECT_EQ(envelope["Type"], "Notification");
  EXPECT_EQ(envelope["MessageId"], id);
  EXPECT_EQ(envelope["TopicArn"], topic_.arn);
  EXPECT_EQ(envelope["Subject"], "ALARM: high-connections in pg1");
  json alarm = json::parse(envelope["Message"].get<std::string>());  // CloudWatch's alarm document
  EXPECT_EQ(alarm["AlarmName"], "high-connections");
  EXPECT_EQ(alarm["NewStateValue"], "ALARM");

  json teams = json::parse(by_path.at("/teams").body);
  EXPECT_EQ(teams["attachments"][0]["content"]["body"][0]["text"], "ALARM: high-connections in pg1");
}

TEST_F(DeliveryTest, ReceiverDownForAWhileGetsEveryMessageExactlyOnceInOrder) {
  auto receiver = HttpReceiver::Start();
  ASSERT_TRUE(receiver.ok());
  HttpReceiver& r = *receiver.value();
  Subscribe(Protocol::kHttp, r.Url("/hook"), WebhookFormat::kSlack);
  options_.retry.max_attempts = 1000;
  r.Stop();
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(Publish({"msg", "message " + std::to_string(i), {}, ""}));
  StartDelivering();
  ASSERT_TRUE(Wait([&] { return deliverer_->counters().failed_attempts >= 3; }));
  EXPECT_TRUE(r.requests().empty());
  ASSERT_TRUE(r.Restart().ok());
  ASSERT_TRUE(Wait([&] { return AcceptedIds(r).size() == ids.size(); }));
  StopDelivering();
  auto accepted = r.accepted();
  ASSERT_EQ(accepted.size(), ids.size()) << "a message arrived twice";
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(accepted[i].headers.at("x-amz-sns-message-id"), ids[i]);
  EXPECT_TRUE(outbox_->DeadLetters()->empty());
}

TEST_F(DeliveryTest, AlwaysFailingReceiverDeadLettersThenRedriveDeliversOnce) {
  auto receiver = HttpReceiver::Start();
  ASSERT_TRUE(receiver.ok());
  HttpReceiver& r = *receiver.value();
  r.SetStatus(500);
  options_.retry.max_attempts = 3;
  Subscribe(Protocol::kHttp, r.Url("/hook"), WebhookFormat::kSns);
  std::string id = Publish({"s", "m", {}, ""});
  StartDelivering();
  ASSERT_TRUE(Wait([&] { return outbox_->DeadLetters()->size() == 1; }));
  auto dead = outbox_->DeadLetters().value();
  EXPECT_EQ(dead[0].message_id, id);
  EXPECT_EQ(dead[0].attempts, 3);
  EXPECT_NE(dead[0].last_error.find("HTTP 500"), std::string::npos) << dead[0].last_error;
  EXPECT_EQ(r.requests().size(), 3u);

  r.SetStatus(200);
  EXPECT_EQ(outbox_->Redrive(id, clock_.Now()).value(), 1);
  ASSERT_TRUE(Wait([&] { return !r.accepted().empty(); }));
  StopDelivering();
  EXPECT_EQ(AcceptedIds(r), (std::map<std::string, int>{{id, 1}}));
  EXPECT_TRUE(outbox_->DeadLetters()->empty());
}

TEST_F(DeliveryTest, HungReceiverTimesOutWithoutHoldingUpOthers) {
  auto hung = HttpReceiver::Start();
  auto healthy = HttpReceiver::Start();
  ASSERT_TRUE(hung.ok() && healthy.ok());
  hung.value()->SetDelay(milliseconds(3'000));
  options_.webhook.timeout = milliseconds(300);
  Subscribe(Protocol::kHttp, hung.value()->Url("/slow"));
  Subscribe(Protocol::kHttp, healthy.value()->Url("/fast"));
  Publish({"s", "m", {}, ""});
  auto email = smtp::SmtpTransport::Create({}).value();
  webhook::WebhookTransport web(options_.webhook);
  Deliverer deliverer(*outbox_, *email, web, options_.retry, options_.delivery);
  const MonoTime start = clock_.Monotonic();
  EXPECT_EQ(deliverer.RunOnce(clock_.Now()).value(), 2);
  EXPECT_LT(clock_.Monotonic() - start, milliseconds(2'500));
  EXPECT_EQ(healthy.value()->accepted().size(), 1u);
  EXPECT_EQ(deliverer.counters().failed_attempts, 1);
}

TEST_F(DeliveryTest, MessagesInTheOutboxOfAKilledProcessAreDeliveredAfterRestart) {
  auto receiver = HttpReceiver::Start();
  ASSERT_TRUE(receiver.ok());
  HttpReceiver& r = *receiver.value();
  r.Stop();
  const std::string file = dir_->File("crash.sqlite3");
  auto driver = testing::ChildProcess::Start({NOTIFY_OUTBOX_DRIVER, file, r.Url("/hook"), "5"});
  ASSERT_TRUE(driver.ok()) << driver.status().ToString();
  std::vector<std::string> ids;
  for (;;) {
    auto line = driver.value()->ReadLine(kWait);
    ASSERT_TRUE(line.ok()) << line.status().ToString();
    if (line.value() == "published") break;
    ids.push_back(line.value());
  }
  ASSERT_EQ(ids.size(), 5u);
  auto watcher = Outbox::Open(file, options_.region, options_.account_id).value();
  // Killed mid-retry: the first message has failed at least once.
  ASSERT_TRUE(Wait([&] { return watcher->DeliveriesForTest(ids[0]).value()[0].attempts >= 1; }));
  int status = driver.value()->Kill(SIGKILL);
  ASSERT_TRUE(WIFSIGNALED(status));
  watcher.reset();

  ASSERT_TRUE(r.Restart().ok());
  outbox_ = std::move(Outbox::Open(file, options_.region, options_.account_id)).value();
  StartDelivering();
  ASSERT_TRUE(Wait([&] { return AcceptedIds(r).size() == ids.size(); }));
  StopDelivering();
  std::map<std::string, int> expected;
  for (const auto& id : ids) expected[id] = 1;
  EXPECT_EQ(AcceptedIds(r), expected);
}

}  // namespace
}  // namespace dbinsight::notify
