// The SNS API over a real outbox: the requests aws-cli sent (testdata/sns,
// from reference/wire) replayed, with the captured replies expected byte for
// byte; every request check with SNS's error code; the dead-letter routes.
#include "api/sns/sns_service.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "api/protocol/timestamps.h"
#include "testing/manual_clock.h"
#include "testing/temp_dir.h"

namespace dbinsight::api::sns {
namespace {

using nlohmann::json;

// The body of a capture file: what follows the first blank line after the
// '#' comments and the request or status line with its headers.
std::string CaptureBody(const std::string& name) {
  std::ifstream in(std::string(API_TESTDATA_DIR) + "/sns/" + name);
  EXPECT_TRUE(in) << name;
  std::string line;
  while (std::getline(in, line) && (line.empty() || line[0] == '#')) {
  }
  while (std::getline(in, line) && !line.empty()) {
  }
  std::ostringstream body;
  body << in.rdbuf();
  std::string b = body.str();
  while (!b.empty() && b.back() == '\n') b.pop_back();
  return b;
}

class SnsServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::move(testing::TempDir::Create("dbi-sns")).value();
    // The ids the captured replies show, in the order the replay makes them.
    ids_ = {"1f2e3d4c-0000-0000-0000-000000000001", "ecba7919-9da9-4290-b197-af90f28ecc12"};
    auto outbox = notify::Outbox::Open(dir_->File("notify.sqlite3"), "us-east-1", "000000000000", [this] {
      std::string id = ids_.empty() ? notify::RandomUuid() : ids_.front();
      if (!ids_.empty()) ids_.erase(ids_.begin());
      return id;
    });
    ASSERT_TRUE(outbox.ok()) << outbox.status().ToString();
    outbox_ = std::move(outbox).value();
    service_ = std::make_unique<SnsService>(*outbox_, [this] { return clock_.Now(); });
    service_->Register(dispatcher_);
  }

  HttpResponse Call(const std::string& form, const std::string& request_id = "rid") {
    auto params = protocol::ParseFormEncoded(form);
    EXPECT_TRUE(params.ok()) << form;
    protocol::RequestContext ctx;
    ctx.request_id = request_id;
    EXPECT_TRUE(dispatcher_.Accepts(params.value(), ctx)) << form;
    return dispatcher_.Dispatch(params.value(), ctx);
  }
  // Replays testdata/sns/<op>.txt; returns the reply and the captured one
  // (whose RequestId the call reuses).
  std::pair<HttpResponse, std::string> Replay(const std::string& op) {
    std::string expected = CaptureBody(op + ".response.txt");
    std::smatch m;
    EXPECT_TRUE(std::regex_search(expected, m, std::regex("<RequestId>([^<]+)</RequestId>")));
    return {Call(CaptureBody(op + ".txt"), m[1]), expected};
  }
  std::string Error(const HttpResponse& r) {
    std::smatch m;
    return std::regex_search(r.body, m, std::regex("<Code>([^<]+)</Code><Message>([^<]*)</Message>"))
               ? std::to_string(r.status) + " " + m[1].str() + ": " + m[2].str()
               : r.body;
  }
  std::string CreateTopic(const std::string& name) {
    std::smatch m;
    std::string body = Call("Action=CreateTopic&Version=2010-03-31&Name=" + name).body;
    EXPECT_TRUE(std::regex_search(body, m, std::regex("<TopicArn>([^<]+)</TopicArn>"))) << body;
    return m[1];
  }

  std::unique_ptr<testing::TempDir> dir_;
  std::vector<std::string> ids_;
  testing::ManualClock clock_;
  std::unique_ptr<notify::Outbox> outbox_;
  std::unique_ptr<SnsService> service_;
  protocol::QueryDispatcher dispatcher_{std::string(kSigningName), std::string(kVersion), std::string(kXmlns), kErrors};
};

TEST_F(SnsServiceTest, ReplaysTheCapturedCliSession) {
  for (const std::string op : {"CreateTopic", "Subscribe", "ListTopics", "Publish", "DeleteTopic"}) {
    auto [reply, expected] = Replay(op);
    EXPECT_EQ(reply.status, 200) << op;
    EXPECT_EQ(reply.content_type, "text/xml") << op;
    EXPECT_EQ(reply.body, expected) << op;
    if (op == "Publish") {
      // Subscriptions are confirmed at once: the ARN, not AWS's PendingConfirmation.
      auto [list, captured] = Replay("ListSubscriptionsByTopic");
      EXPECT_EQ(list.body,
                std::regex_replace(captured, std::regex("PendingConfirmation"),
                                   "arn:aws:sns:us-east-1:000000000000:alerts:1f2e3d4c-0000-0000-0000-000000000001"));
    }
  }
  EXPECT_TRUE(outbox_->ListTopics()->empty());
}

TEST_F(SnsServiceTest, CreateTopicIsIdempotentAndChecksTheName) {
  EXPECT_EQ(CreateTopic("db-alerts_1"), "arn:aws:sns:us-east-1:000000000000:db-alerts_1");
  EXPECT_EQ(CreateTopic("db-alerts_1"), "arn:aws:sns:us-east-1:000000000000:db-alerts_1");
  const std::string base = "Action=CreateTopic&Version=2010-03-31";
  EXPECT_EQ(Error(Call(base)), "400 InvalidParameter: Missing required parameter Name");
  EXPECT_EQ(Error(Call(base + "&Name=a.b")), "400 InvalidParameter: Invalid parameter: Topic Name");
  EXPECT_EQ(Error(Call(base + "&Name=" + std::string(257, 'a'))),
            "400 InvalidParameter: Invalid parameter: Topic Name");
  EXPECT_EQ(Error(Call(base + "&Name=q.fifo")),
            "400 InvalidParameter: Invalid parameter: Topic Name: FIFO topics are not supported by dbinsight");
  EXPECT_EQ(Error(Call(base + "&Name=t&Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=x")),
            "400 InvalidParameter: Invalid parameter: Attributes.entry.1.key is not supported by dbinsight");
}

TEST_F(SnsServiceTest, SubscribeChoosesTheWebhookFormat) {
  const std::string arn = CreateTopic("alerts");
  const std::string base = "Action=Subscribe&Version=2010-03-31&TopicArn=" + arn;
  struct Case {
    std::string form;
    notify::WebhookFormat format;
  };
  const Case cases[] = {
      {"&Protocol=https&Endpoint=https://hooks.slack.com/services/T/B/X", notify::WebhookFormat::kSlack},
      {"&Protocol=https&Endpoint=https://x.webhook.office.com/webhookb2/1", notify::WebhookFormat::kTeams},
      {"&Protocol=http&Endpoint=http://127.0.0.1:9/a", notify::WebhookFormat::kSns},
      {"&Protocol=http&Endpoint=http://127.0.0.1:9/b&Attributes.entry.1.key=WebhookFormat"
       "&Attributes.entry.1.value=slack",
       notify::WebhookFormat::kSlack},
      {"&Protocol=http&Endpoint=http://127.0.0.1:9/c&Attributes.entry.1.key=RawMessageDelivery"
       "&Attributes.entry.1.value=true",
       notify::WebhookFormat::kRaw},
      {"&Protocol=email&Endpoint=ops@example.com", notify::WebhookFormat::kSns},
  };
  for (const Case& c : cases) {
    HttpResponse r = Call(base + c.form);
    ASSERT_EQ(r.status, 200) << c.form << " " << r.body;
  }
  auto subs = outbox_->ListSubscriptions(arn).value();
  ASSERT_EQ(subs.size(), std::size(cases));
  for (size_t i = 0; i < subs.size(); ++i) EXPECT_EQ(subs[i].format, cases[i].format) << cases[i].form;
}

TEST_F(SnsServiceTest, SubscribeChecksItsInput) {
  const std::string arn = CreateTopic("alerts");
  const std::string base = "Action=Subscribe&Version=2010-03-31&TopicArn=" + arn;
  EXPECT_EQ(Error(Call(base + "&Protocol=sqs&Endpoint=arn:aws:sqs:us-east-1:0:q")),
            "400 InvalidParameter: Invalid parameter: Protocol: sqs (dbinsight delivers email, http and https)");
  EXPECT_EQ(Error(Call(base + "&Protocol=email")), "400 InvalidParameter: Missing required parameter Endpoint");
  EXPECT_EQ(Error(Call(base + "&Protocol=email&Endpoint=not-an-address")),
            "400 InvalidParameter: Invalid parameter: Endpoint");
  EXPECT_EQ(Error(Call(base + "&Protocol=email&Endpoint=a%40b%0D%0ABcc%3A+c%40d")),
            "400 InvalidParameter: Invalid parameter: Endpoint");
  EXPECT_EQ(Error(Call(base + "&Protocol=https&Endpoint=http://h/")),
            "400 InvalidParameter: Invalid parameter: Endpoint");
  EXPECT_EQ(Error(Call(base + "&Protocol=http&Endpoint=http://h/&Attributes.entry.1.key=WebhookFormat"
                              "&Attributes.entry.1.value=discord")),
            "400 InvalidParameter: Invalid parameter: Attributes Reason: WebhookFormat must be sns, raw, slack or "
            "teams, not discord");
  EXPECT_EQ(Error(Call(base + "&Protocol=http&Endpoint=http://h/&Attributes.entry.1.key=FilterPolicy"
                              "&Attributes.entry.1.value=%7B%7D")),
            "400 InvalidParameter: Invalid parameter: Attributes Reason: FilterPolicy is not supported (dbinsight "
            "supports WebhookFormat and RawMessageDelivery)");
  EXPECT_EQ(Error(Call("Action=Subscribe&Version=2010-03-31&TopicArn=alerts&Protocol=email&Endpoint=a@b")),
            "400 InvalidParameter: Invalid parameter: TopicArn");
  EXPECT_EQ(Error(Call("Action=Subscribe&Version=2010-03-31&TopicArn=" + arn + "x&Protocol=email&Endpoint=a@b")),
            "404 NotFound: Topic does not exist");
}

TEST_F(SnsServiceTest, UnsubscribeAndListSubscriptions) {
  const std::string arn = CreateTopic("alerts");
  std::smatch m;
  std::string body =
      Call("Action=Subscribe&Version=2010-03-31&TopicArn=" + arn + "&Protocol=email&Endpoint=ops@example.com").body;
  ASSERT_TRUE(std::regex_search(body, m, std::regex("<SubscriptionArn>([^<]+)<")));
  const std::string sub = m[1];
  HttpResponse r = Call("Action=Unsubscribe&Version=2010-03-31&SubscriptionArn=" + sub);
  EXPECT_EQ(r.body,
            "<UnsubscribeResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><ResponseMetadata>"
            "<RequestId>rid</RequestId></ResponseMetadata></UnsubscribeResponse>");
  EXPECT_EQ(Error(Call("Action=Unsubscribe&Version=2010-03-31&SubscriptionArn=" + sub)),
            "404 NotFound: Subscription does not exist");
  EXPECT_NE(Call("Action=ListSubscriptionsByTopic&Version=2010-03-31&TopicArn=" + arn)
                .body.find("<Subscriptions>"
                           "</Subscriptions>"),
            std::string::npos);
  EXPECT_EQ(Error(Call("Action=ListSubscriptionsByTopic&Version=2010-03-31&TopicArn=" + arn + "x")),
            "404 NotFound: Topic does not exist");
}

TEST_F(SnsServiceTest, ListTopicsPagesByHundred) {
  for (int i = 0; i < 150; ++i) CreateTopic(fmt::format("t{:03}", i));
  std::string first = Call("Action=ListTopics&Version=2010-03-31").body;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(first, m, std::regex("<NextToken>([^<]+)</NextToken>")));
  std::string second = Call("Action=ListTopics&Version=2010-03-31&NextToken=" + m[1].str()).body;
  const std::regex member("<member>");
  auto count = [&](const std::string& s) {
    return std::distance(std::sregex_iterator(s.begin(), s.end(), member), std::sregex_iterator());
  };
  EXPECT_EQ(count(first), 100);
  EXPECT_EQ(count(second), 50);
  EXPECT_EQ(second.find("NextToken"), std::string::npos);
  EXPECT_NE(second.find(":t149</TopicArn>"), std::string::npos);
  EXPECT_EQ(Error(Call("Action=ListTopics&Version=2010-03-31&NextToken=bogus")).substr(0, 20), "400 InvalidParameter");
}

TEST_F(SnsServiceTest, PublishChecksAndStructuresMessages) {
  const std::string arn = CreateTopic("alerts");
  Call("Action=Subscribe&Version=2010-03-31&TopicArn=" + arn + "&Protocol=http&Endpoint=http://h/");
  Call("Action=Subscribe&Version=2010-03-31&TopicArn=" + arn + "&Protocol=email&Endpoint=ops@example.com");
  const std::string base = "Action=Publish&Version=2010-03-31&TopicArn=" + arn;
  HttpResponse r = Call(base + "&MessageStructure=json&Message=" +
                        "%7B%22default%22%3A%22plain%22%2C%22http%22%3A%22%7B%7D%22%2C%22sqs%22%3A%22x%22%7D");
  ASSERT_EQ(r.status, 200) << r.body;
  auto due = outbox_->Due(clock_.Now()).value();
  ASSERT_EQ(due.size(), 2u);
  for (const auto& d : due) EXPECT_EQ(d.body, d.subscription.protocol == notify::Protocol::kHttp ? "{}" : "plain");

  EXPECT_EQ(Error(Call(base)), "400 InvalidParameter: Missing required parameter Message");
  EXPECT_EQ(Error(Call(base + "&Message=m&MessageStructure=json")),
            "400 InvalidParameter: Invalid parameter: Message Structure - JSON message body failed to parse");
  EXPECT_EQ(Error(Call(base + "&Message=%7B%22email%22%3A%22x%22%7D&MessageStructure=json")),
            "400 InvalidParameter: Invalid parameter: Message Structure - No default entry in JSON message body");
  EXPECT_EQ(Error(Call(base + "&Message=m&Subject=line%0Abreak")), "400 InvalidParameter: Invalid parameter: Subject");
  EXPECT_EQ(Error(Call(base + "&Message=m&Subject=" + std::string(101, 's'))),
            "400 InvalidParameter: Invalid parameter: Subject");
  EXPECT_EQ(Error(Call(base + "&Message=" + std::string(256 * 1024 + 1, 'm'))),
            "400 InvalidParameter: Invalid parameter: Message too long");
  EXPECT_EQ(Error(Call("Action=Publish&Version=2010-03-31&PhoneNumber=%2B15555550100&Message=m")),
            "400 InvalidParameter: Invalid parameter: PhoneNumber: SMS is not supported by dbinsight");
  EXPECT_TRUE(Error(Call(base + "&Message=m&MessageGroupId=g"))
                  .starts_with("400 InvalidParameter: Invalid parameter: MessageGroupId Reason:"));
  EXPECT_EQ(Error(Call("Action=Publish&Version=2010-03-31&TargetArn=" + arn + "x&Message=m")),
            "404 NotFound: Topic does not exist");
  EXPECT_EQ(Call("Action=Publish&Version=2010-03-31&TargetArn=" + arn + "&Message=m").status, 200);
}

TEST_F(SnsServiceTest, DeadLetterRoutesListAndRedrive) {
  const std::string arn = CreateTopic("alerts");
  Call("Action=Subscribe&Version=2010-03-31&TopicArn=" + arn + "&Protocol=https&Endpoint=https://h/hook");
  std::smatch m;
  std::string body = Call("Action=Publish&Version=2010-03-31&TopicArn=" + arn + "&Subject=s&Message=m").body;
  ASSERT_TRUE(std::regex_search(body, m, std::regex("<MessageId>([^<]+)<")));
  const std::string id = m[1];
  auto due = outbox_->Due(clock_.Now()).value();
  ASSERT_EQ(due.size(), 1u);
  ASSERT_TRUE(outbox_->MarkDead(due[0].id, clock_.Now(), "HTTP 404 from https://h").ok());

  HttpRequest get{"GET", std::string(kDeadLettersPath), "", {}, "", ""};
  HttpResponse list = service_->DeadLetters(get);
  ASSERT_EQ(list.status, 200);
  json dead = json::parse(list.body)["DeadLetters"];
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0]["MessageId"], id);
  EXPECT_EQ(dead[0]["Subject"], "s");
  EXPECT_EQ(dead[0]["TopicArn"], arn);
  EXPECT_EQ(dead[0]["Protocol"], "https");
  EXPECT_EQ(dead[0]["Endpoint"], "https://h/hook");
  EXPECT_EQ(dead[0]["Attempts"], 1);
  EXPECT_EQ(dead[0]["LastError"], "HTTP 404 from https://h");
  EXPECT_EQ(dead[0]["Published"], "2023-11-14T22:13:20Z");

  HttpRequest other{"POST", std::string(kRedrivePath), "MessageId=other", {}, "", ""};
  EXPECT_EQ(json::parse(service_->Redrive(other).body)["Redriven"], 0);
  HttpRequest redrive{"POST", std::string(kRedrivePath), "MessageId=" + id, {}, "", ""};
  HttpResponse r = service_->Redrive(redrive);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["Redriven"], 1);
  EXPECT_TRUE(json::parse(service_->DeadLetters(get).body)["DeadLetters"].empty());
  EXPECT_EQ(outbox_->Due(clock_.Now())->size(), 1u);
}

TEST_F(SnsServiceTest, PendingRouteListsEveryWaitingDeliveryWithItsRetryState) {
  const std::string arn = CreateTopic("alerts");
  Call("Action=Subscribe&Version=2010-03-31&TopicArn=" + arn + "&Protocol=https&Endpoint=https://h/hook");
  for (const char* subject : {"first", "second"})
    Call("Action=Publish&Version=2010-03-31&TopicArn=" + arn + "&Subject=" + subject + "&Message=m");
  HttpRequest get{"GET", std::string(kPendingPath), "", {}, "", ""};
  auto pending = [&] {
    HttpResponse r = service_->Pending(get);
    EXPECT_EQ(r.status, 200);
    return json::parse(r.body)["Pending"];
  };
  json all = pending();
  ASSERT_EQ(all.size(), 2u);  // the second waits behind the first, and is listed too
  EXPECT_EQ(all[0]["Subject"], "first");
  EXPECT_EQ(all[1]["Subject"], "second");
  EXPECT_EQ(all[0]["Attempts"], 0);
  EXPECT_EQ(all[0]["LastError"], "");

  // Retrying an hour from now: not due, still listed, with its attempt, the
  // error and when it is tried next.
  auto due = outbox_->Due(clock_.Now()).value();
  ASSERT_EQ(due.size(), 1u);
  const WallTime next = clock_.Now() + std::chrono::hours(1);
  ASSERT_TRUE(outbox_->MarkRetry(due[0].id, clock_.Now(), "HTTP 503", next).ok());
  EXPECT_TRUE(outbox_->Due(clock_.Now())->empty());
  all = pending();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]["Subject"], "first");
  EXPECT_EQ(all[0]["Attempts"], 1);
  EXPECT_EQ(all[0]["LastError"], "HTTP 503");
  EXPECT_EQ(all[0]["NextAttempt"], protocol::FormatIsoTimestamp(ToEpochSeconds(next)));
  EXPECT_EQ(all[0]["Endpoint"], "https://h/hook");

  ASSERT_TRUE(outbox_->MarkDead(due[0].id, clock_.Now(), "gave up").ok());
  all = pending();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]["Subject"], "second");
  ASSERT_TRUE(outbox_->MarkDelivered(outbox_->Due(clock_.Now())->at(0).id, clock_.Now()).ok());
  EXPECT_TRUE(pending().empty());
}

}  // namespace
}  // namespace dbinsight::api::sns
