#include "notify/alarm_message.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "notify/samples_for_test.h"

namespace dbinsight::notify {
namespace {

NotifyOptions Options() {
  NotifyOptions o;
  o.ui_base_url = "https://dbinsight.example.com/";
  return o;
}

TEST(AlarmMessageTest, ReadsWellInText) {
  PublishInput m = FormatAlarmMessage(SampleAlarm(), Options());
  EXPECT_EQ(m.subject, "ALARM: high-connections in pg1");
  EXPECT_EQ(m.link, "https://dbinsight.example.com/#/alarms/high-connections");
  EXPECT_EQ(m.message,
            "Alarm:       high-connections\n"
            "Description: Too many client connections\n"
            "Instance:    pg1\n"
            "State:       OK -> ALARM\n"
            "Reason:      " +
                SampleAlarm().reason +
                "\n"
                "Time:        2023-11-14 22:13:20 UTC");
}

TEST(AlarmMessageTest, LeavesOutWhatIsUnknown) {
  AlarmEvent e = SampleAlarm();
  e.instance.clear();
  e.alarm_description.clear();
  e.new_state = "OK";
  e.old_state = "ALARM";
  PublishInput m = FormatAlarmMessage(e, Options());
  EXPECT_EQ(m.subject, "OK: high-connections");
  EXPECT_EQ(m.message.find("Instance:"), std::string::npos);
  EXPECT_EQ(m.message.find("Description:"), std::string::npos);
  EXPECT_NE(m.message.find("State:       ALARM -> OK\n"), std::string::npos);
}

TEST(AlarmMessageTest, WebhooksGetCloudWatchsAlarmDocument) {
  PublishInput m = FormatAlarmMessage(SampleAlarm(), Options());
  ASSERT_EQ(m.bodies.count(Protocol::kHttp), 1u);
  EXPECT_EQ(m.bodies.at(Protocol::kHttp), m.bodies.at(Protocol::kHttps));
  EXPECT_EQ(m.bodies.count(Protocol::kEmail), 0u);
  auto doc = nlohmann::json::parse(m.bodies.at(Protocol::kHttp));
  EXPECT_EQ(doc["AlarmName"], "high-connections");
  EXPECT_EQ(doc["AlarmDescription"], "Too many client connections");
  EXPECT_EQ(doc["AWSAccountId"], "000000000000");
  EXPECT_EQ(doc["NewStateValue"], "ALARM");
  EXPECT_EQ(doc["OldStateValue"], "OK");
  EXPECT_EQ(doc["NewStateReason"], SampleAlarm().reason);
  EXPECT_EQ(doc["StateChangeTime"], "2023-11-14T22:13:20.250+0000");
  EXPECT_EQ(doc["Region"], "us-east-1");
  EXPECT_EQ(doc["AlarmArn"], "arn:aws:cloudwatch:us-east-1:000000000000:alarm:high-connections");
  EXPECT_EQ(doc["DBInstanceIdentifier"], "pg1");
  EXPECT_EQ(doc["AlarmUrl"], m.link);
}

TEST(AlarmMessageTest, QuotesTheTopFindingWhenThereIsOne) {
  AlarmEvent e = SampleAlarm();
  EXPECT_EQ(nlohmann::json::parse(FormatAlarmMessage(e, Options()).bodies.at(Protocol::kHttp)).count("TopFinding"), 0u);
  e.top_finding = "Wait event Lock:transactionid averaged 3.00 active sessions: find the blocking sessions.";
  PublishInput m = FormatAlarmMessage(e, Options());
  EXPECT_NE(m.message.find("\nTop finding: Wait event Lock:transactionid averaged 3.00"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(m.bodies.at(Protocol::kHttp))["TopFinding"], e.top_finding);
}

TEST(AlarmMessageTest, IncidentsOpenAndResolve) {
  IncidentNotice n{7, "pg1", "high-load", true, "Load 4.0 (peak 4.0) on 2 vCPUs since 22:13:25 UTC"};
  PublishInput m = FormatIncidentMessage(n, Options());
  EXPECT_EQ(m.subject, "INCIDENT: high-load on pg1");
  EXPECT_EQ(m.link, "https://dbinsight.example.com/#/incidents/7");
  EXPECT_EQ(m.message, "Load 4.0 (peak 4.0) on 2 vCPUs since 22:13:25 UTC\nIncident 7 on pg1 is open.");
  auto doc = nlohmann::json::parse(m.bodies.at(Protocol::kHttp));
  EXPECT_EQ(doc["State"], "OPEN");
  EXPECT_EQ(doc["IncidentId"], 7);
  EXPECT_FALSE(doc.contains("ReportId"));
  n.opened = false;
  n.report_id = "report-0123456789abcdef0";
  n.top_finding = "Load 4.0 on 2 vCPUs from 22:13:25 to 22:15:00 UTC; 100% is `select pg_sleep($1)`";
  PublishInput r = FormatIncidentMessage(n, Options());
  EXPECT_EQ(r.subject, "RESOLVED: high-load on pg1");
  EXPECT_NE(r.message.find("\nRoot-cause report report-0123456789abcdef0: Load 4.0"), std::string::npos) << r.message;
  EXPECT_EQ(nlohmann::json::parse(r.bodies.at(Protocol::kHttp))["TopFinding"], n.top_finding);
}

TEST(AlarmMessageTest, LinkEncodesTheName) {
  EXPECT_EQ(AlarmLink("http://h:8421", "a/b?c#d"), "http://h:8421/#/alarms/a%2Fb%3Fc%23d");
  EXPECT_EQ(AlarmLink("http://h//", "x-y_z.1~"), "http://h/#/alarms/x-y_z.1~");
}

}  // namespace
}  // namespace dbinsight::notify
