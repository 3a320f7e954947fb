// Payload shapes of each webhook format (unit). Delivery over real HTTP is in
// delivery_integration_test.cc.
#include "notify/webhook/webhook_transport.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "notify/samples_for_test.h"

namespace dbinsight::notify::webhook {
namespace {

using json = nlohmann::json;

Delivery Make(WebhookFormat format) {
  return SampleDelivery(Protocol::kHttps, "https://hooks.slack.com/services/T/B/secret", format);
}

std::string Header(const WebhookRequest& r, std::string_view name) {
  for (const std::string& h : r.headers)
    if (h.starts_with(std::string(name) + ": ")) return h.substr(name.size() + 2);
  return "<missing>";
}

TEST(WebhookPayloadTest, EveryFormatCarriesTheSnsHeaders) {
  for (WebhookFormat f : {WebhookFormat::kSns, WebhookFormat::kRaw, WebhookFormat::kSlack, WebhookFormat::kTeams}) {
    WebhookRequest r = BuildRequest(Make(f));
    EXPECT_EQ(Header(r, "x-amz-sns-message-id"), "ecba7919-9da9-4290-b197-af90f28ecc12") << Name(f);
    EXPECT_EQ(Header(r, "x-amz-sns-message-type"), "Notification");
    EXPECT_EQ(Header(r, "x-amz-sns-topic-arn"), "arn:aws:sns:us-east-1:000000000000:alerts");
    EXPECT_EQ(Header(r, "x-amz-sns-subscription-arn"), "arn:aws:sns:us-east-1:000000000000:alerts:1f2e");
  }
}

TEST(WebhookPayloadTest, SnsEnvelope) {
  WebhookRequest r = BuildRequest(Make(WebhookFormat::kSns));
  EXPECT_EQ(Header(r, "Content-Type"), "text/plain; charset=UTF-8");
  json j = json::parse(r.body);
  EXPECT_EQ(j["Type"], "Notification");
  EXPECT_EQ(j["MessageId"], "ecba7919-9da9-4290-b197-af90f28ecc12");
  EXPECT_EQ(j["TopicArn"], "arn:aws:sns:us-east-1:000000000000:alerts");
  EXPECT_EQ(j["Subject"], "ALARM: high-connections in pg1");
  EXPECT_EQ(j["Message"], Make(WebhookFormat::kSns).body);
  EXPECT_EQ(j["Timestamp"], "2023-11-14T22:13:20.500Z");
  EXPECT_EQ(j["SignatureVersion"], "1");
  Delivery no_subject = Make(WebhookFormat::kSns);
  no_subject.subject.clear();
  EXPECT_FALSE(json::parse(BuildRequest(no_subject).body).contains("Subject"));
}

TEST(WebhookPayloadTest, RawIsTheMessageAlone) {
  WebhookRequest r = BuildRequest(Make(WebhookFormat::kRaw));
  EXPECT_EQ(r.body, Make(WebhookFormat::kRaw).body);
}

TEST(WebhookPayloadTest, SlackTextIsEscapedMrkdwnWithTheLink) {
  WebhookRequest r = BuildRequest(Make(WebhookFormat::kSlack));
  EXPECT_EQ(Header(r, "Content-Type"), "application/json");
  json j = json::parse(r.body);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j["text"],
            "*ALARM: high-connections in pg1*\nState: OK -&gt; ALARM\n\nReason: 85 &gt; 80 &amp; rising &lt;fast&gt;\n"
            "<http://ui:8421/#/alarms/high-connections|View in dbinsight>");
}

TEST(WebhookPayloadTest, TeamsAdaptiveCard) {
  WebhookRequest r = BuildRequest(Make(WebhookFormat::kTeams));
  json j = json::parse(r.body);
  EXPECT_EQ(j["type"], "message");
  ASSERT_EQ(j["attachments"].size(), 1u);
  EXPECT_EQ(j["attachments"][0]["contentType"], "application/vnd.microsoft.card.adaptive");
  const json& card = j["attachments"][0]["content"];
  EXPECT_EQ(card["type"], "AdaptiveCard");
  ASSERT_EQ(card["body"].size(), 3u);
  EXPECT_EQ(card["body"][0]["text"], "ALARM: high-connections in pg1");
  EXPECT_EQ(card["body"][0]["weight"], "Bolder");
  EXPECT_EQ(card["body"][1]["text"], "State: OK -> ALARM");
  EXPECT_EQ(card["body"][2]["text"], "Reason: 85 > 80 & rising <fast>");
  EXPECT_EQ(card["body"][2]["spacing"], "Medium");  // the blank line
  EXPECT_EQ(card["actions"][0]["type"], "Action.OpenUrl");
  EXPECT_EQ(card["actions"][0]["url"], "http://ui:8421/#/alarms/high-connections");
}

TEST(WebhookPayloadTest, InvalidUtf8IsReplacedNotThrown) {
  Delivery d = Make(WebhookFormat::kSlack);
  d.body = "bad \xff byte";
  EXPECT_NE(BuildRequest(d).body.find("bad \xEF\xBF\xBD byte"), std::string::npos);
}

TEST(WebhookFormatTest, ChosenByHostUnlessSet) {
  EXPECT_EQ(DefaultWebhookFormat("https://hooks.slack.com/services/T/B/X"), WebhookFormat::kSlack);
  EXPECT_EQ(DefaultWebhookFormat("https://contoso.webhook.office.com/webhookb2/x"), WebhookFormat::kTeams);
  EXPECT_EQ(DefaultWebhookFormat("https://prod-12.westus.logic.azure.com:443/workflows/x"), WebhookFormat::kTeams);
  EXPECT_EQ(DefaultWebhookFormat("https://evilhooks.slack.com.example/x"), WebhookFormat::kSns);
  EXPECT_EQ(DefaultWebhookFormat("http://127.0.0.1:8080/hook"), WebhookFormat::kSns);
  EXPECT_EQ(RedactEndpoint("https://user:pw@hooks.slack.com/services/T/B/secret?x=1"), "https://hooks.slack.com");
  EXPECT_EQ(RedactEndpoint("ops@example.com"), "ops@example.com");
}

}  // namespace
}  // namespace dbinsight::notify::webhook
