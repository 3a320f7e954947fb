#include "config/config.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace dbinsight::config {
namespace {

// The minimal config from the core issue: must keep working exactly as written.
constexpr const char* kMinimal = R"(listen: 127.0.0.1:8421
store: ./dbinsight-data
instances:
  - id: demo-pg
    engine: postgres
    dsn: "host=127.0.0.1 port=5432 dbname=postgres user=monitor password=secret"
    vcpus: 2
)";

TEST(ConfigTest, MinimalConfigParses) {
  auto c = ParseConfig(kMinimal, "/srv");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server.host, "127.0.0.1");
  EXPECT_EQ(c->server.port, 8421);
  EXPECT_EQ(c->store.directory, "/srv/dbinsight-data");
  ASSERT_EQ(c->instances.size(), 1u);
  const auto& i = c->instances[0];
  EXPECT_EQ(i.info.id, "demo-pg");
  EXPECT_EQ(i.info.host, "127.0.0.1");
  EXPECT_EQ(i.info.port, 5432);
  EXPECT_EQ(i.info.vcpus, 2);
  EXPECT_EQ(i.info.resource_id, model::DeriveResourceId("demo-pg"));
  EXPECT_EQ(i.sampler.interval, std::chrono::milliseconds(1000));
  EXPECT_EQ(c->store.retention.one_second, store::Days(7));
}

TEST(ConfigTest, OptionalKeys) {
  setenv("DBI_TEST_PW", "s3cret", 1);
  auto c = ParseConfig(R"(store: /d
sample_interval: 100ms
retention: {one_second: 2d, one_hour: 400d}
instances:
  - {id: a, engine: postgres, dsn: "postgresql://mon@db.example:6432/app?sslmode=require",
     password_env: DBI_TEST_PW, resource_id: db-CUSTOM1, sample_interval: 2s}
  - {id: b, engine: postgres, dsn: "dbname=x"}
)", "/");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server.host, "127.0.0.1");
  EXPECT_EQ(c->store.retention.one_second, store::Days(2));
  EXPECT_EQ(c->store.retention.one_hour, store::Days(400));
  EXPECT_EQ(c->instances[0].info.host, "db.example");
  EXPECT_EQ(c->instances[0].info.port, 6432);
  EXPECT_EQ(c->instances[0].connect.password, "s3cret");
  EXPECT_EQ(c->instances[0].info.resource_id, "db-CUSTOM1");
  EXPECT_EQ(c->instances[0].sampler.interval, std::chrono::milliseconds(2000));
  EXPECT_EQ(c->instances[1].sampler.interval, std::chrono::milliseconds(100));
}

TEST(ConfigTest, FleetOfBothEnginesWithMetricSettings) {
  setenv("DBI_TEST_MARIA_PW", "m4ria", 1);
  auto c = ParseConfig(R"(store: /d
counters_interval: 5s
statements_interval: 30s
instances:
  - {id: pg, engine: postgres, dsn: "host=10.0.0.1 port=5433", host_metrics: true, query_timeout: 500ms,
     explain: true}
  - {id: pg-r, engine: postgresql, dsn: "host=10.0.0.2", replica_of: pg}
  - {id: maria, engine: mariadb, dsn: "mysql://monitor@10.0.0.3:3307/", password_env: DBI_TEST_MARIA_PW,
     statements_interval: 10s}
  - {id: local, engine: mysql, dsn: "mysql://monitor:pw@localhost/?socket=/run/mysqld/mysqld.sock"}
)", "/");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const auto& pg = c->instances[0];
  EXPECT_TRUE(pg.sampler.host_metrics);
  EXPECT_TRUE(pg.explain);
  EXPECT_FALSE(c->instances[1].explain);
  EXPECT_EQ(pg.sampler.query_timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(pg.sampler.counters_interval, std::chrono::milliseconds(5000));
  EXPECT_EQ(pg.sampler.statements_interval, std::chrono::milliseconds(30000));
  EXPECT_FALSE(c->instances[1].sampler.host_metrics);
  EXPECT_EQ(c->instances[1].info.engine, "postgres");
  EXPECT_EQ(c->instances[1].info.replica_of, "pg");
  const auto& maria = c->instances[2];
  EXPECT_EQ(maria.info.engine, "mariadb");
  EXPECT_EQ(maria.info.host, "10.0.0.3");
  EXPECT_EQ(maria.info.port, 3307);
  EXPECT_EQ(maria.mysql.user, "monitor");
  EXPECT_EQ(maria.mysql.password, "m4ria");
  EXPECT_EQ(maria.sampler.statements_interval, std::chrono::milliseconds(10000));
  EXPECT_EQ(c->instances[3].info.engine, "mysql");
  EXPECT_EQ(c->instances[3].mysql.socket, "/run/mysqld/mysqld.sock");
  EXPECT_EQ(c->instances[3].info.host, "/run/mysqld/mysqld.sock");
}

TEST(ConfigTest, NotificationSettings) {
  auto c = ParseConfig(R"(store: /d
notifications:
  ui_base_url: https://dbinsight.example
  smtp: {host: 127.0.0.1, port: 2525, from: "dbinsight <alerts@example.com>", tls: off,
         username: alerts, password_file: smtp.pw}
  retry: {base_delay: 1s, max_delay: 30s, max_attempts: 3}
  delivery: {poll_interval: 200ms}
  subscriptions:
    - {protocol: email, endpoint: oncall@example.com}
    - {protocol: https, endpoint: "https://hooks.slack.com/services/T/B/x"}
    - {protocol: http, endpoint: "http://127.0.0.1:9/hook", format: teams}
instances: [{id: a, engine: postgres, dsn: x}]
)", "/etc/dbinsight");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->notify.ui_base_url, "https://dbinsight.example");
  EXPECT_EQ(c->notify.smtp.port, 2525);
  EXPECT_EQ(c->notify.smtp.tls, notify::SmtpTls::kOff);
  EXPECT_EQ(c->notify.smtp.password_file, "/etc/dbinsight/smtp.pw");
  EXPECT_EQ(c->notify.retry.max_attempts, 3);
  EXPECT_EQ(c->notify.retry.base_delay, std::chrono::milliseconds(1000));
  EXPECT_EQ(c->notify.delivery.poll_interval, std::chrono::milliseconds(200));
  ASSERT_EQ(c->subscribers.size(), 3u);
  EXPECT_EQ(c->subscribers[0].protocol, notify::Protocol::kEmail);
  EXPECT_EQ(c->subscribers[1].format, notify::WebhookFormat::kSlack);  // by host
  EXPECT_EQ(c->subscribers[2].format, notify::WebhookFormat::kTeams);  // as given
  // Defaults stay in notify/options.h.
  EXPECT_EQ(ParseConfig(kMinimal, "/")->notify.smtp.port, 25);
  // The issue's short form of the TLS setting.
  auto starttls = ParseConfig("store: /d\nnotifications: {smtp: {starttls: true}}\n"
                              "instances: [{id: a, engine: postgres, dsn: x}]\n", "/");
  ASSERT_TRUE(starttls.ok()) << starttls.status().ToString();
  EXPECT_EQ(starttls->notify.smtp.tls, notify::SmtpTls::kStartTls);
}

TEST(ConfigTest, AnalyzerSettings) {
  auto c = ParseConfig(R"yaml(store: /d
analysis: {schedule: "cron(0/5 * * * ? *)", bucket: "reports-{id}", retry_after: 30s, high_load_threshold: 2,
           problematic_query_threshold: 0.25, function_name: "analyze_{id}", rule_name: nightly.analysis}
instances: [{id: a, engine: postgres, dsn: x}]
)yaml", "/");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->analysis.schedule, "cron(0/5 * * * ? *)");
  EXPECT_EQ(c->analysis.bucket, "reports-{id}");
  EXPECT_EQ(c->analysis.retry_after, std::chrono::seconds(30));
  EXPECT_EQ(c->analysis.reference.high_load_threshold, 2.0);
  EXPECT_EQ(c->analysis.reference.problematic_query_threshold, 0.25);
  EXPECT_EQ(c->analysis.function_name, "analyze_{id}");
  EXPECT_EQ(c->analysis.rule_name, "nightly.analysis");
  EXPECT_EQ(ParseConfig(kMinimal, "/")->analysis.schedule, "rate(15 minutes)");
  EXPECT_EQ(ParseConfig(kMinimal, "/")->analysis.function_name, "dbinsight-analyzer-{id}");
  EXPECT_EQ(ParseConfig(kMinimal, "/")->analysis.rule_name, "dbinsight-performance-analysis");
  auto i = ParseConfig("store: /d\nincidents: {open_after: 3s, close_after: 1m, close_factor: 0.5}\n"
                       "instances: [{id: a, engine: postgres, dsn: x}]\n", "/");
  ASSERT_TRUE(i.ok()) << i.status().ToString();
  EXPECT_EQ(i->incidents.high_load.run.open_after, std::chrono::seconds(3));
  EXPECT_EQ(i->incidents.high_load.run.close_after, std::chrono::seconds(60));
  EXPECT_EQ(i->incidents.high_load.close_factor, 0.5);
  // Kinds left silent keep their defaults.
  EXPECT_EQ(i->incidents.lock_chain.min_wait, std::chrono::seconds(3));
  EXPECT_EQ(i->incidents.connections.open_fraction, 0.8);
  EXPECT_EQ(i->incidents.latency_regression.ratio, 3.0);
}

TEST(ConfigTest, IncidentKindsHaveTheirOwnOptions) {
  auto c = ParseConfig(R"(store: /d
incidents:
  enabled: true
  lock_chain: {min_wait: 5s, open_after: 1s, close_after: 20s}
  connections: {enabled: false, open_fraction: 0.9, close_fraction: 0.75}
  latency_regression: {ratio: 4, close_ratio: 2, min_increase: 10ms, min_calls: 5, baseline: 30m}
instances: [{id: a, engine: postgres, dsn: x}]
)", "/");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const auto& o = c->incidents;
  EXPECT_TRUE(o.enabled);
  EXPECT_EQ(o.high_load.run.open_after, std::chrono::seconds(5));
  EXPECT_EQ(o.lock_chain.min_wait, std::chrono::seconds(5));
  EXPECT_EQ(o.lock_chain.run.open_after, std::chrono::seconds(1));
  EXPECT_EQ(o.lock_chain.run.close_after, std::chrono::seconds(20));
  EXPECT_FALSE(o.connections.run.enabled);
  EXPECT_EQ(o.connections.open_fraction, 0.9);
  EXPECT_EQ(o.connections.close_fraction, 0.75);
  EXPECT_EQ(o.latency_regression.ratio, 4);
  EXPECT_EQ(o.latency_regression.close_ratio, 2);
  EXPECT_EQ(o.latency_regression.min_increase_ms, 10);
  EXPECT_EQ(o.latency_regression.min_calls, 5);
  EXPECT_EQ(o.latency_regression.baseline, std::chrono::minutes(30));
  EXPECT_FALSE(ParseConfig("store: /d\nincidents: {enabled: false}\ninstances: [{id: a, engine: postgres, dsn: x}]\n",
                           "/")
                   ->incidents.enabled);
}

TEST(ConfigTest, DefaultResourcesSwitchTopLevelAndPerInstance) {
  auto c = ParseConfig(R"(store: /d
defaults: {dashboard: false}
instances:
  - {id: a, engine: postgres, dsn: x}
  - {id: b, engine: postgres, dsn: y, defaults: false}
  - {id: c, engine: postgres, dsn: z, defaults: {topic: false}}
)", "/");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const auto& a = c->instances[0].defaults;
  EXPECT_TRUE(a.alarms && a.anomaly_detector && a.topic);
  EXPECT_FALSE(a.dashboard);
  const auto& b = c->instances[1].defaults;
  EXPECT_FALSE(b.alarms || b.anomaly_detector || b.dashboard || b.topic);
  const auto& i3 = c->instances[2].defaults;
  EXPECT_TRUE(i3.alarms);
  EXPECT_FALSE(i3.topic);
  EXPECT_FALSE(i3.dashboard);  // inherited from the top level
  EXPECT_TRUE(ParseConfig(kMinimal, "/")->instances[0].defaults.alarms);
}

void ExpectError(const std::string& yaml, const std::string& key) {
  auto c = ParseConfig(yaml, "/");
  ASSERT_FALSE(c.ok()) << yaml;
  EXPECT_EQ(c.status().message().rfind(key, 0), 0u) << c.status().message();
}

TEST(ConfigTest, ErrorsNameTheKey) {
  ExpectError("store: x\ninstances: []\n", "instances");
  ExpectError("instances: [{id: a, engine: postgres, dsn: x}]\n", "store");
  ExpectError("store: x\nlisten: nope\ninstances: [{id: a, engine: postgres, dsn: x}]\n", "listen");
  ExpectError("store: x\ninstances: [{id: a, engine: oracle, dsn: x}]\n", "instances[0].engine");
  ExpectError("store: x\ninstances: [{id: a, engine: postgres}]\n", "instances[0].dsn");
  ExpectError("store: x\ninstances: [{id: a, engine: postgres, dsn: x, vcpus: -1}]\n", "instances[0].vcpus");
  ExpectError("store: x\ninstances: [{id: a, engine: postgres, dsn: x, intervall: 1s}]\n", "instances[0].intervall");
  ExpectError("store: x\ninstances: [{id: a, engine: postgres, dsn: x}, {id: a, engine: postgres, dsn: y}]\n",
              "instances[1].id");
  ExpectError("store: x\nretention: {one_second: soon}\ninstances: [{id: a, engine: postgres, dsn: x}]\n",
              "retention.one_second");
  ExpectError("store: x\ninstances: [{id: a, engine: postgres, dsn: x, password_env: DBI_NOPE_UNSET}]\n",
              "instances[0].password_env");
  ExpectError("store: [\n", "config: YAML syntax error");
  ExpectError("store: x\ninstances: [{id: a, engine: mariadb, dsn: \"host=x\"}]\n", "instances[0].dsn");
  ExpectError("store: x\ninstances: [{id: a, engine: postgres, dsn: x, replica_of: b}]\n", "instances[0].replica_of");
  ExpectError("store: x\ninstances: [{id: a, engine: postgres, dsn: x, host_metrics: maybe}]\n",
              "instances[0].host_metrics");
  ExpectError("store: x\ninstances: [{id: a, engine: mariadb, dsn: \"mysql://m@h/\", explain: maybe}]\n",
              "instances[0].explain");
  ExpectError("store: x\nstatements_interval: 10ms\ninstances: [{id: a, engine: postgres, dsn: x}]\n",
              "statements_interval");
  ExpectError("store: x\nnotifications: {smtp: {tls: maybe}}\ninstances: [{id: a, engine: postgres, dsn: x}]\n",
              "notifications.smtp.tls");
  ExpectError("store: x\nnotifications: {retry: {tries: 3}}\ninstances: [{id: a, engine: postgres, dsn: x}]\n",
              "notifications.retry.tries");
  ExpectError("store: x\nnotifications: {smtp: {tls: off, starttls: true}}\n"
              "instances: [{id: a, engine: postgres, dsn: x}]\n",
              "notifications.smtp.starttls");
  ExpectError("store: x\nnotifications: {subscriptions: [{protocol: sms, endpoint: 123}]}\n"
              "instances: [{id: a, engine: postgres, dsn: x}]\n",
              "notifications.subscriptions[0].protocol");
  ExpectError("store: x\nnotifications: {subscriptions: [{protocol: https, endpoint: \"http://x\"}]}\n"
              "instances: [{id: a, engine: postgres, dsn: x}]\n",
              "notifications.subscriptions[0].endpoint");
  ExpectError("store: x\nanalysis: {schedule: \"rate(5 mins)\"}\ninstances: [{id: a, engine: postgres, dsn: x}]\n",
              "analysis.schedule");
  ExpectError("store: x\nanalysis: {high_load_threshold: lots}\ninstances: [{id: a, engine: postgres, dsn: x}]\n",
              "analysis.high_load_threshold");
  ExpectError("store: x\nanalysis: {function_name: \"analyzer:{id}\"}\n"
              "instances: [{id: a, engine: postgres, dsn: x}]\n",
              "analysis.function_name");
  ExpectError("store: x\nanalysis: {rule_name: \"rule-{id}\"}\ninstances: [{id: a, engine: postgres, dsn: x}]\n",
              "analysis.rule_name");
  ExpectError("store: x\nincidents: {close_factor: 2}\ninstances: [{id: a, engine: postgres, dsn: x}]\n",
              "incidents.close_factor");
  for (const auto& [yaml, key] : std::vector<std::pair<std::string, std::string>>{
           {"{lock_chain: {min_wait: 0s}}", "incidents.lock_chain.min_wait"},
           {"{lock_chain: {wait: 3s}}", "incidents.lock_chain.wait"},
           {"{lock_chain: 3s}", "incidents.lock_chain"},
           {"{connections: {open_fraction: 1.5}}", "incidents.connections.open_fraction"},
           {"{connections: {open_fraction: 0.5}}", "incidents.connections.close_fraction"},
           {"{latency_regression: {ratio: 1}}", "incidents.latency_regression.ratio"},
           {"{latency_regression: {min_calls: -1}}", "incidents.latency_regression.min_calls"},
           {"{latency_regression: {min_increase: fast}}", "incidents.latency_regression.min_increase"},
           {"{high_load: {}}", "incidents.high_load"},
       })
    ExpectError("store: x\nincidents: " + yaml + "\ninstances: [{id: a, engine: postgres, dsn: x}]\n", key);
  ExpectError("store: x\ndefaults: {alarm: false}\ninstances: [{id: a, engine: postgres, dsn: x}]\n",
              "defaults.alarm");
  ExpectError("store: x\ninstances: [{id: a, engine: postgres, dsn: x, defaults: maybe}]\n",
              "instances[0].defaults");
}

}  // namespace
}  // namespace dbinsight::config
