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
}

}  // namespace
}  // namespace dbinsight::config
