// PI request parsing and response rendering, without a query engine:
// declarative request cases (testdata/pi_request_cases.json) and golden
// responses. Set DBI_UPDATE_GOLDEN=1 to rewrite the golden files.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "api/pi/pi_service.h"
#include "api/pi/requests.h"
#include "api/pi/responses.h"
#include "api/protocol/params.h"
#include "api/protocol/utf8.h"

namespace dbinsight::api::pi {
namespace {

using nlohmann::json;

std::string TestData(const std::string& name) { return std::string(API_TESTDATA_DIR) + "/" + name; }

json ReadJson(const std::string& name) {
  std::ifstream in(TestData(name));
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

void ExpectGolden(const json& actual, const std::string& name) {
  if (std::getenv("DBI_UPDATE_GOLDEN")) {
    std::ofstream(TestData(name)) << actual.dump(1) << "\n";
    return;
  }
  json expected = ReadJson(name);
  EXPECT_EQ(actual, expected) << "actual:\n" << actual.dump(1) << "\nexpected:\n" << expected.dump(1);
}

Instances TestInstances() {
  model::InstanceInfo pg;
  pg.id = "demo-pg";
  pg.resource_id = "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  pg.engine = "postgres";
  model::InstanceInfo other;
  other.id = "other";
  other.resource_id = "db-OTHER";
  return {other, pg};
}

Status ParseAny(const std::string& op, const json& body) {
  Instances in = TestInstances();
  if (op == "GetResourceMetrics") return ParseGetResourceMetrics(body, in).status();
  if (op == "DescribeDimensionKeys") return ParseDescribeDimensionKeys(body, in).status();
  if (op == "GetDimensionKeyDetails") return ParseGetDimensionKeyDetails(body, in).status();
  if (op == "GetResourceMetadata") return ParseGetResourceMetadata(body, in).status();
  if (op == "ListAvailableResourceDimensions") return ParseListAvailableResourceDimensions(body, in).status();
  if (op == "ListAvailableResourceMetrics") return ParseListAvailableResourceMetrics(body, in).status();
  ADD_FAILURE() << "unknown operation " << op;
  return Status::Internal("unknown operation");
}

TEST(PiRequestCasesTest, EveryCaseGivesItsExpectedError) {
  json cases = ReadJson("pi_request_cases.json");
  ASSERT_GT(cases.size(), 50u);
  for (const json& c : cases) {
    SCOPED_TRACE(c["name"].get<std::string>());
    Status s = ParseAny(c["operation"], c["request"]);
    if (c["error"].is_null()) {
      EXPECT_TRUE(s.ok()) << s.ToString();
    } else {
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
      EXPECT_EQ(s.message(), c["error"].get<std::string>());
    }
  }
}

TEST(PiRequestTest, MapsTheCapturedBoto3Request) {
  // reference/wire/pi-GetResourceMetrics-boto3-1.43.11.txt, Identifier swapped.
  json body = json::parse(R"({"ServiceType": "RDS", "Identifier": "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
      "StartTime": 1700000000, "EndTime": 1700003600, "PeriodInSeconds": 300,
      "MetricQueries": [{"Metric": "db.load.avg", "GroupBy": {"Group": "db.wait_event", "Limit": 7}},
                        {"Metric": "db.sampledload.avg"}]})");
  auto call = ParseGetResourceMetrics(body, TestInstances());
  ASSERT_TRUE(call.ok()) << call.status().ToString();
  const core::GetResourceMetricsRequest& r = call->request;
  EXPECT_EQ(r.instance_id, "demo-pg");
  EXPECT_EQ(call->resource_id, "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ");
  EXPECT_DOUBLE_EQ(ToEpochSeconds(r.start), 1700000000);
  EXPECT_DOUBLE_EQ(ToEpochSeconds(r.end), 1700003600);
  EXPECT_EQ(r.period_seconds, 300);
  EXPECT_FALSE(r.align_to_start);
  ASSERT_EQ(r.queries.size(), 2u);
  EXPECT_EQ(r.queries[0].metric, "db.load.avg");
  ASSERT_TRUE(r.queries[0].group_by);
  EXPECT_EQ(r.queries[0].group_by->group, "db.wait_event");
  EXPECT_EQ(r.queries[0].group_by->limit, 7);
  EXPECT_TRUE(r.queries[0].group_by->dimensions.empty());
  EXPECT_EQ(r.queries[1].metric, "db.sampledload.avg");
  EXPECT_FALSE(r.queries[1].group_by);
  EXPECT_FALSE(call->page.max_results);
  EXPECT_EQ(call->page.offset, 0u);
}

TEST(PiRequestTest, IdentifierMayBeTheInstanceId) {
  json body = {{"ServiceType", "RDS"}, {"Identifier", "demo-pg"}};
  auto call = ParseGetResourceMetadata(body, TestInstances());
  ASSERT_TRUE(call.ok());
  EXPECT_EQ(call->instance.resource_id, "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ");
}

TEST(PiRequestTest, MapsTheCapturedDescribeDimensionKeysRequest) {
  // reference/wire/pi-DescribeDimensionKeys-2.txt, with ISO times.
  json body = json::parse(R"({"ServiceType": "RDS", "Identifier": "demo-pg",
      "StartTime": "2023-11-14T22:13:20Z", "EndTime": "2023-11-14T23:13:20.250Z", "Metric": "db.load.avg",
      "PeriodInSeconds": 60, "GroupBy": {"Group": "db.sql_tokenized",
      "Dimensions": ["db.sql_tokenized.id", "db.sql_tokenized.statement"], "Limit": 5},
      "AdditionalMetrics": ["db.sql_tokenized.stats.calls_per_sec.avg"],
      "PartitionBy": {"Group": "db.wait_event_type"}, "Filter": {"db.user.name": "app"}, "MaxResults": 10})");
  auto call = ParseDescribeDimensionKeys(body, TestInstances());
  ASSERT_TRUE(call.ok()) << call.status().ToString();
  const core::DescribeDimensionKeysRequest& r = call->request;
  EXPECT_EQ(r.instance_id, "demo-pg");
  EXPECT_DOUBLE_EQ(ToEpochSeconds(r.end), 1700003600.25);
  EXPECT_EQ(r.metric, "db.load.avg");
  EXPECT_EQ(r.group_by.group, "db.sql_tokenized");
  EXPECT_EQ(r.group_by.dimensions, (std::vector<std::string>{"db.sql_tokenized.id", "db.sql_tokenized.statement"}));
  EXPECT_EQ(r.group_by.limit, 5);
  ASSERT_TRUE(r.partition_by);
  EXPECT_EQ(r.partition_by->group, "db.wait_event_type");
  EXPECT_EQ(r.partition_by->limit, 10);  // the engine's default
  EXPECT_EQ(r.filter, (core::DimensionMap{{"db.user.name", "app"}}));
  EXPECT_EQ(r.additional_metrics, (std::vector<std::string>{"db.sql_tokenized.stats.calls_per_sec.avg"}));
  EXPECT_EQ(call->page.max_results, 10);
}

core::GetResourceMetricsResult ThreeSeries() {
  core::GetResourceMetricsResult r;
  r.aligned_start = 1700000000;
  r.aligned_end = 1700000600;
  r.period_seconds = 300;
  r.series.push_back({"db.load.avg", {}, {{1700000300, 1.5}, {1700000600, 2.25}}});
  r.series.push_back({"db.load.avg",
                      {{"db.wait_event.name", "CPU"}, {"db.wait_event.type", "CPU"}},
                      {{1700000300, 1.0}, {1700000600, 1.75}}});
  r.series.push_back({"db.load.avg",
                      {{"db.wait_event.name", "transactionid"}, {"db.wait_event.type", "Lock"}},
                      {{1700000600, 0.5}}});
  return r;
}

TEST(PiResponseTest, GetResourceMetricsGolden) {
  ExpectGolden(RenderGetResourceMetrics(ThreeSeries(), "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ", {}),
               "get_resource_metrics.response.json");
}

TEST(PiResponseTest, GetResourceMetricsPagesThroughMetricList) {
  json body = {{"ServiceType", "RDS"},      {"Identifier", "demo-pg"},
               {"StartTime", 1700000000},   {"EndTime", 1700000600},
               {"MaxResults", 2},           {"MetricQueries", {{{"Metric", "db.load.avg"}}}}};
  auto first = ParseGetResourceMetrics(body, TestInstances());
  ASSERT_TRUE(first.ok());
  json page1 = RenderGetResourceMetrics(ThreeSeries(), first->resource_id, first->page);
  ASSERT_EQ(page1["MetricList"].size(), 2u);
  ASSERT_TRUE(page1.contains("NextToken"));
  EXPECT_TRUE(protocol::MatchesPattern(page1["NextToken"].get<std::string>(), protocol::Pattern::kNextToken));

  body["NextToken"] = page1["NextToken"];
  body["MaxResults"] = 5;  // the page size may change between pages
  auto second = ParseGetResourceMetrics(body, TestInstances());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  json page2 = RenderGetResourceMetrics(ThreeSeries(), second->resource_id, second->page);
  ASSERT_EQ(page2["MetricList"].size(), 1u);
  EXPECT_EQ(page2["MetricList"][0]["Key"]["Dimensions"]["db.wait_event.type"], "Lock");
  EXPECT_FALSE(page2.contains("NextToken"));

  body["EndTime"] = 1700000900;  // a token from another request is refused
  auto other = ParseGetResourceMetrics(body, TestInstances());
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().message(), "Invalid value for parameter NextToken, value: " +
                                          page1["NextToken"].get<std::string>() +
                                          ", the token was issued for a different request");
}

TEST(PiResponseTest, DescribeDimensionKeysGoldenWithPartitionsAndTruncation) {
  core::DescribeDimensionKeysResult r;
  r.aligned_start = 1700000000;
  r.aligned_end = 1700003600;
  r.partition_keys = {{{"db.wait_event_type.name", "CPU"}}, {{"db.wait_event_type.name", "Lock"}}};
  std::string long_sql = "select 'x";  // 9 bytes, so the cut falls inside a character
  while (long_sql.size() < 520) long_sql += "\xe2\x82\xac";  // 3-byte characters across the 500-byte cut
  long_sql += "'";
  r.keys.push_back({{{"db.sql_tokenized.id", "ABC"}, {"db.sql_tokenized.statement", long_sql}},
                    2.5,
                    {{"db.sql_tokenized.stats.calls_per_sec.avg", 4.0}},
                    {2.0, 0.5}});
  r.keys.push_back({{{"db.sql_tokenized.id", "DEF"}, {"db.sql_tokenized.statement", "select pg_sleep($1)"}},
                    1.0,
                    {},
                    {1.0, 0.0}});
  json out = RenderDescribeDimensionKeys(r, true, {});
  std::string cut = out["Keys"][0]["Dimensions"]["db.sql_tokenized.statement"];
  EXPECT_EQ(cut.size(), 498u);
  EXPECT_EQ(cut, std::string(protocol::TruncateUtf8(long_sql, 500)));
  ExpectGolden(out, "describe_dimension_keys.response.json");

  json no_partitions = RenderDescribeDimensionKeys(r, false, {.max_results = 1, .offset = 0, .fingerprint = 1});
  EXPECT_FALSE(no_partitions.contains("PartitionKeys"));
  EXPECT_FALSE(no_partitions["Keys"][0].contains("Partitions"));
  EXPECT_EQ(no_partitions["Keys"].size(), 1u);
  EXPECT_TRUE(no_partitions.contains("NextToken"));
}

TEST(PiResponseTest, OtherOperationsGolden) {
  json out;
  out["GetDimensionKeyDetails"] =
      RenderGetDimensionKeyDetails({{"db.sql.statement", "SELECT * FROM t WHERE id = 1", "AVAILABLE"}});
  model::InstanceInfo instance;
  instance.resource_id = "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  out["GetResourceMetadata"] = RenderGetResourceMetadata(instance);
  std::vector<MetricDimensions> dims = {
      {"db.load",
       {{"db.wait_event", {"db.wait_event.name", "db.wait_event.type"}},
        {"db.sql_tokenized", {"db.sql_tokenized.id", "db.sql_tokenized.db_id", "db.sql_tokenized.statement"}}}},
      {"db.sampledload", {{"db.wait_event", {"db.wait_event.name", "db.wait_event.type"}}}}};
  out["ListAvailableResourceDimensions"] = RenderListAvailableResourceDimensions(dims, {});
  out["ListAvailableResourceMetrics"] = RenderListAvailableResourceMetrics(
      {{"db.load.avg", "Database load", "Average active sessions"}}, {});
  ExpectGolden(out, "other_operations.response.json");
}

TEST(PiResponseTest, ListAvailableResourceDimensionsPagesOverGroups) {
  std::vector<MetricDimensions> dims = {{"db.load", {{"a", {"a.x"}}, {"b", {"b.x"}}}},
                                        {"db.sampledload", {{"a", {"a.x"}}, {"b", {"b.x"}}}}};
  protocol::PageRequest page{.max_results = 3, .offset = 0, .fingerprint = 9};
  json p1 = RenderListAvailableResourceDimensions(dims, page);
  ASSERT_EQ(p1["MetricDimensions"].size(), 2u);
  EXPECT_EQ(p1["MetricDimensions"][0]["Groups"].size(), 2u);
  EXPECT_EQ(p1["MetricDimensions"][1]["Metric"], "db.sampledload");
  EXPECT_EQ(p1["MetricDimensions"][1]["Groups"].size(), 1u);
  page.offset = protocol::DecodePageToken(p1["NextToken"].get<std::string>(), 9, "NextToken").value();
  json p2 = RenderListAvailableResourceDimensions(dims, page);
  ASSERT_EQ(p2["MetricDimensions"].size(), 1u);
  EXPECT_EQ(p2["MetricDimensions"][0]["Metric"], "db.sampledload");
  EXPECT_EQ(p2["MetricDimensions"][0]["Groups"][0]["Group"], "b");
  EXPECT_FALSE(p2.contains("NextToken"));
}

TEST(PiResponseTest, TimestampsAreEpochFloats) {
  std::string body = RenderGetResourceMetrics(ThreeSeries(), "db-X", {}).dump();
  EXPECT_NE(body.find("\"AlignedStartTime\":1700000000.0"), std::string::npos) << body;
  EXPECT_NE(body.find("\"Timestamp\":1700000300.0"), std::string::npos) << body;
}

}  // namespace
}  // namespace dbinsight::api::pi
