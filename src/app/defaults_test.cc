// ProvisionDefaults over real stores in a temporary directory: what a fresh
// config makes, that it is made once (a user's deletion sticks across
// restarts), and that each kind can be switched off.
#include "app/defaults.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "testing/temp_dir.h"

namespace dbinsight::app {
namespace {

const WallTime kNow = WallTime(std::chrono::seconds(1'800'000'000));

class DefaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tmp = testing::TempDir::Create("dbi-defaults");
    ASSERT_TRUE(tmp.ok());
    tmp_ = std::move(tmp.value());
    cfg_.store.directory = tmp_->path().string();
    for (const char* id : {"pg1", "maria1"}) {
      config::InstanceConfig i;
      i.info.id = id;
      cfg_.instances.push_back(i);
    }
    cfg_.subscribers = {{notify::Protocol::kEmail, "oncall@example.com", notify::WebhookFormat::kSns},
                        {notify::Protocol::kHttps, "https://hooks.slack.com/services/T/B/x",
                         notify::WebhookFormat::kSlack}};
    Reopen();
  }
  // As a restart does: the stores are opened again from their files.
  void Reopen() {
    alarms_.reset();
    outbox_.reset();
    dashboards_.reset();
    auto a = alarm::AlarmStore::Open(cfg_.store.directory);
    ASSERT_TRUE(a.ok());
    alarms_ = std::move(a.value());
    auto o = notify::Outbox::Open((tmp_->path() / "notify.sqlite3").string(), "us-east-1", "000000000000");
    ASSERT_TRUE(o.ok());
    outbox_ = std::move(o.value());
    auto d = dashboard::DashboardStore::Open(cfg_.store.directory);
    ASSERT_TRUE(d.ok());
    dashboards_ = std::move(d.value());
  }
  Status Provision() { return ProvisionDefaults(cfg_, {*alarms_, *outbox_, *dashboards_}, kNow); }
  std::vector<std::string> AlarmNames() {
    auto alarms = alarms_->List();
    EXPECT_TRUE(alarms.ok());
    std::vector<std::string> names;
    for (const auto& a : *alarms) names.push_back(a.definition.name);
    return names;
  }

  std::unique_ptr<testing::TempDir> tmp_;
  config::Config cfg_;
  std::unique_ptr<alarm::AlarmStore> alarms_;
  std::unique_ptr<notify::Outbox> outbox_;
  std::unique_ptr<dashboard::DashboardStore> dashboards_;
};

TEST_F(DefaultsTest, FreshConfigMakesTheRecipe) {
  ASSERT_TRUE(Provision().ok());
  EXPECT_EQ(AlarmNames(), (std::vector<std::string>{
                              "RDS-HighCPUUtilization-maria1", "RDS-HighCPUUtilization-pg1",
                              "RDS-HighDatabaseLoad-maria1", "RDS-HighDatabaseLoad-pg1", "RDS-HighLoadEvents-maria1",
                              "RDS-HighLoadEvents-pg1", "RDS-ProblematicQueries-maria1", "RDS-ProblematicQueries-pg1"}));
  const auto load = alarms_->Get("RDS-HighDatabaseLoad-pg1").value()->definition;
  EXPECT_EQ(load.metric_namespace, "AWS/RDS");
  EXPECT_EQ(load.metric_name, "DatabaseConnections");
  EXPECT_EQ(load.statistic, alarm::Statistic::kAverage);
  EXPECT_EQ(load.threshold, 80);
  EXPECT_EQ(load.period, std::chrono::seconds(300));
  EXPECT_EQ(load.evaluation_periods, 2);
  ASSERT_EQ(load.dimensions.size(), 1u);
  EXPECT_EQ(load.dimensions[0].value, "pg1");
  const std::string topic = "arn:aws:sns:us-east-1:000000000000:db-performance-alerts";
  EXPECT_EQ(load.alarm_actions, std::vector<std::string>{topic});
  EXPECT_EQ(load.ok_actions, std::vector<std::string>{topic});
  const auto events = alarms_->Get("RDS-HighLoadEvents-pg1").value()->definition;
  EXPECT_EQ(events.metric_namespace, "RDS/PerformanceInsights");
  EXPECT_EQ(events.statistic, alarm::Statistic::kSum);
  EXPECT_EQ(events.threshold, 5);
  EXPECT_EQ(alarms_->Get("RDS-ProblematicQueries-pg1").value()->definition.threshold, 3);
  EXPECT_EQ(alarms_->Get("RDS-HighCPUUtilization-pg1").value()->definition.threshold, 75);
  for (const auto& def : RecipeAlarms("pg1", topic)) EXPECT_TRUE(def.Validate().ok()) << def.name;

  const auto detectors = alarms_->ListDetectors().value();
  ASSERT_EQ(detectors.size(), 2u);
  EXPECT_EQ(detectors[0].metric_name, "DatabaseConnections");
  EXPECT_EQ(detectors[0].stat, "Average");

  EXPECT_TRUE(dashboards_->Get("RDS-Performance-pg1").value().has_value());
  EXPECT_TRUE(dashboards_->Get("RDS-Performance-maria1").value().has_value());

  const auto subs = outbox_->ListSubscriptions(topic).value();
  ASSERT_EQ(subs.size(), 2u);
}

TEST_F(DefaultsTest, MadeOnceSoDeletionsAndEditsSurviveRestarts) {
  ASSERT_TRUE(Provision().ok());
  const std::vector<std::string> gone{"RDS-HighCPUUtilization-pg1"};
  ASSERT_TRUE(alarms_->Delete(gone).ok());
  auto edited = alarms_->Get("RDS-HighDatabaseLoad-pg1").value()->definition;
  edited.threshold = 300;
  ASSERT_TRUE(alarms_->Put(edited, kNow).ok());
  const std::vector<std::string> dash{"RDS-Performance-pg1"};
  ASSERT_TRUE(dashboards_->Delete(dash).ok());

  Reopen();
  ASSERT_TRUE(Provision().ok());
  EXPECT_FALSE(alarms_->Get("RDS-HighCPUUtilization-pg1").value().has_value());
  EXPECT_EQ(alarms_->Get("RDS-HighDatabaseLoad-pg1").value()->definition.threshold, 300);
  EXPECT_FALSE(dashboards_->Get("RDS-Performance-pg1").value().has_value());
  EXPECT_EQ(AlarmNames().size(), 7u);
  // Subscribing again is idempotent.
  EXPECT_EQ(outbox_->ListSubscriptions("arn:aws:sns:us-east-1:000000000000:db-performance-alerts")->size(), 2u);
}

TEST_F(DefaultsTest, ANewInstanceGetsItsOwnDefaults) {
  ASSERT_TRUE(Provision().ok());
  config::InstanceConfig more;
  more.info.id = "pg2";
  cfg_.instances.push_back(more);
  ASSERT_TRUE(Provision().ok());
  EXPECT_TRUE(alarms_->Get("RDS-HighDatabaseLoad-pg2").value().has_value());
  EXPECT_EQ(AlarmNames().size(), 12u);
}

TEST_F(DefaultsTest, EachKindSwitchesOff) {
  cfg_.instances[0].defaults = {.alarms = false, .anomaly_detector = true, .dashboard = false, .topic = false};
  cfg_.instances[1].defaults = {.alarms = true, .anomaly_detector = false, .dashboard = true, .topic = false};
  ASSERT_TRUE(Provision().ok());
  EXPECT_EQ(AlarmNames().size(), 4u);
  EXPECT_TRUE(alarms_->Get("RDS-HighDatabaseLoad-maria1").value()->definition.alarm_actions.empty());
  ASSERT_EQ(alarms_->ListDetectors()->size(), 1u);
  EXPECT_EQ(alarms_->ListDetectors().value()[0].dimensions[0].value, "pg1");
  EXPECT_FALSE(dashboards_->Get("RDS-Performance-pg1").value().has_value());
  EXPECT_TRUE(dashboards_->Get("RDS-Performance-maria1").value().has_value());
  EXPECT_TRUE(outbox_->ListTopics()->empty());
}

TEST_F(DefaultsTest, ATornLedgerLineIsMadeAgainOnlyIfMissing) {
  ASSERT_TRUE(Provision().ok());
  // A crash mid-append leaves a line without its newline.
  std::filesystem::path ledger = tmp_->path() / "defaults.applied";
  std::ofstream(ledger, std::ios::trunc) << "pg1\talarms\nmaria1\tala";
  ASSERT_TRUE(Provision().ok());
  EXPECT_EQ(AlarmNames().size(), 8u);
  std::ifstream in(ledger);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("maria1\talarms\n"), std::string::npos);
}

}  // namespace
}  // namespace dbinsight::app
