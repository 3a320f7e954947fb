// api::Server end to end over loopback HTTP, with a real store and query
// engine (no fakes but the clock): routing, both protocols, /healthz, the
// Handle() hook, binding and stopping.
#include "api/server.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/httplib_door.h"
#include "metrics/metric_engine.h"
#include "pi/query_engine.h"
#include "store/metric_store.h"
#include "store/store.h"
#include "testing/manual_clock.h"
#include "testing/session_rows.h"
#include "testing/temp_dir.h"

namespace dbinsight::api {
namespace {

using nlohmann::json;

constexpr int64_t kT0 = 1700000000 - 1700000000 % 3600;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = testing::TempDir::Create("dbi-api");
    ASSERT_TRUE(dir.ok());
    dir_ = std::move(dir.value());
    auto store = store::Store::Open({.directory = dir_->path().string()}, clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store.value());
    // 2 minutes: 3 sleepers every second, plus 2 lock waiters.
    std::string long_sql = "select pg_sleep($1) /* " + std::string(600, 'x') + " */";
    for (int i = 0; i < 120; ++i) {
      model::Sample s{"pg1", FromEpochSeconds(kT0 + i), {}, 0};
      for (int k = 0; k < 3; ++k)
        s.active.push_back(testing::MakeSessionRow({.wait = "Timeout:PgSleep", .sql = long_sql}));
      for (int k = 0; k < 2; ++k)
        s.active.push_back(
            testing::MakeSessionRow({.wait = "Lock:transactionid", .sql = "update t set v = v + $1 where id = $2"}));
      ASSERT_TRUE(store_->AppendSample(s).ok());
    }
    auto metrics = store::MetricStore::Open({.directory = dir_->path().string()}, clock_);
    ASSERT_TRUE(metrics.ok());
    metrics_ = std::move(metrics.value());
    engine_ = std::make_unique<pi::QueryEngine>(*store_, *metrics_);
    metric_engine_ = std::make_unique<metrics::MetricEngine>(*metrics_, clock_);
    instance_.id = "pg1";
    instance_.resource_id = model::DeriveResourceId("pg1");
    instance_.engine = "postgres";
    instance_.host = "127.0.0.1";
    instance_.port = 5432;
    instance_.sampling_live = true;
    instance_.last_sample_epoch = kT0 + 119;
    server_ = std::make_unique<Server>(ServerOptions{.port = 0, .threads = 2}, *engine_, *metric_engine_, [this] {
      std::lock_guard lock(mu_);
      return std::vector<model::InstanceInfo>{instance_};
    });
    server_->Handle("GET", "/extra", [](const HttpRequest& r) {
      HttpResponse out;
      out.content_type = "text/plain";
      out.body = "extra " + r.query;
      return out;
    });
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_GT(server_->port(), 0);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }

  httplib::Result Pi(const std::string& op, const json& body) {
    httplib::Headers h = {{"X-Amz-Target", "PerformanceInsightsv20180227." + op},
                          {"Authorization",
                           "AWS4-HMAC-SHA256 Credential=x/20261126/us-east-1/pi/aws4_request, "
                           "SignedHeaders=host, Signature=00"}};
    return client_->Post("/", h, body.dump(), "application/x-amz-json-1.1");
  }

  testing::ManualClock clock_{FromEpochSeconds(kT0 + 180)};
  std::unique_ptr<testing::TempDir> dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::MetricStore> metrics_;
  std::unique_ptr<pi::QueryEngine> engine_;
  std::unique_ptr<metrics::MetricEngine> metric_engine_;
  std::mutex mu_;
  model::InstanceInfo instance_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(ServerTest, GetResourceMetricsOverHttp) {
  json body = {{"ServiceType", "RDS"},
               {"Identifier", instance_.resource_id},
               {"StartTime", kT0},
               {"EndTime", kT0 + 120},
               {"PeriodInSeconds", 60},
               {"MetricQueries", {{{"Metric", "db.load.avg"}, {"GroupBy", {{"Group", "db.wait_event"}}}}}}};
  auto res = Pi("GetResourceMetrics", body);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/x-amz-json-1.1");
  EXPECT_FALSE(res->get_header_value("x-amzn-RequestId").empty());
  json out = json::parse(res->body);
  EXPECT_EQ(out["Identifier"], instance_.resource_id);
  ASSERT_EQ(out["MetricList"].size(), 3u);  // total + two wait events
  EXPECT_FALSE(out["MetricList"][0]["Key"].contains("Dimensions"));
  for (const json& p : out["MetricList"][0]["DataPoints"]) EXPECT_DOUBLE_EQ(p["Value"].get<double>(), 5.0);
  EXPECT_TRUE(out["AlignedStartTime"].is_number_float());
}

TEST_F(ServerTest, StatementsAreCutTo500Bytes) {
  json body = {{"ServiceType", "RDS"}, {"Identifier", "pg1"},     {"StartTime", kT0},
               {"EndTime", kT0 + 120}, {"Metric", "db.load.avg"}, {"GroupBy", {{"Group", "db.sql_tokenized"}}}};
  auto res = Pi("DescribeDimensionKeys", body);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json out = json::parse(res->body);
  ASSERT_EQ(out["Keys"].size(), 2u);
  size_t longest = 0;
  for (const json& k : out["Keys"])
    longest = std::max(longest, k["Dimensions"]["db.sql_tokenized.statement"].get<std::string>().size());
  EXPECT_EQ(longest, 500u);
}

TEST_F(ServerTest, ErrorsCarryAwsShapes) {
  auto res = Pi("GetResourceMetrics", {{"ServiceType", "RDS"}, {"Identifier", "pg1"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(res->body, R"({"__type":"InvalidArgumentException","message":"Missing required parameter MetricQueries"})");
  res = Pi("NoSuchOp", json::object());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(json::parse(res->body)["__type"], "UnknownOperationException");
  res = client_->Post("/", {{"X-Amz-Target", "Other_20100801.Op"}}, "{}", "application/x-amz-json-1.0");
  ASSERT_TRUE(res);
  EXPECT_EQ(json::parse(res->body)["__type"], "UnknownOperationException");
  res = client_->Post("/", {{"X-Amz-Target", "PerformanceInsightsv20180227.GetResourceMetadata"}}, "{oops",
                      "application/x-amz-json-1.1");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(json::parse(res->body)["__type"], "InvalidArgumentException");
  // An engine-side InvalidArgument also maps to 400.
  json bad_metric = {{"ServiceType", "RDS"},
                     {"Identifier", "pg1"},
                     {"StartTime", kT0},
                     {"EndTime", kT0 + 120},
                     {"MetricQueries", {{{"Metric", "db.nothing.avg"}}}}};
  res = Pi("GetResourceMetrics", bad_metric);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;
  EXPECT_EQ(json::parse(res->body)["__type"], "InvalidArgumentException");
}

TEST_F(ServerTest, CloudWatchInBothProtocolsAndGzippedBodies) {
  // Query protocol (aws-cli 2.9): form in, XML out.
  auto res = client_->Post("/",
                           "Action=PutMetricData&Version=2010-08-01&Namespace=App&MetricData.member.1.MetricName=Hits"
                           "&MetricData.member.1.Value=2&MetricData.member.1.StorageResolution=1",
                           "application/x-www-form-urlencoded; charset=utf-8");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/xml");
  EXPECT_TRUE(
      res->body.starts_with(R"(<PutMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">)"))
      << res->body;
  // A form over httplib's 8 KiB form limit (the query CLI sends up to 1 MB).
  std::string form = "Action=PutMetricData&Version=2010-08-01&Namespace=App";
  for (int i = 1; i <= 100; ++i)
    form += fmt::format(
        "&MetricData.member.{0}.MetricName=Big&MetricData.member.{0}.Value={0}"
        "&MetricData.member.{0}.Dimensions.member.1.Name=Pad&MetricData.member.{0}.Dimensions.member.1."
        "Value={1}",
        i, std::string(100, 'p'));
  ASSERT_GT(form.size(), 16u << 10);
  res = client_->Post("/", form, "application/x-www-form-urlencoded; charset=utf-8");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  // JSON 1.0 (botocore 1.43), gzip-compressed as botocore sends large PutMetricData bodies.
  json many = {{"Namespace", "App"}, {"MetricData", json::array()}};
  for (int i = 0; i < 300; ++i)
    many["MetricData"].push_back({{"MetricName", "Hits"},
                                  {"Value", 1.0},
                                  {"StorageResolution", 1},
                                  {"Dimensions", {{{"Name", "Padding"}, {"Value", std::string(40, 'p')}}}}});
  httplib::Headers target = {{"X-Amz-Target", "GraniteServiceVersion20100801.PutMetricData"},
                             {"x-amzn-query-mode", "true"}};
  client_->set_compress(true);
  res = client_->Post("/", target, many.dump(), "application/x-amz-json-1.0");
  client_->set_compress(false);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/x-amz-json-1.0");
  target = {{"X-Amz-Target", "GraniteServiceVersion20100801.GetMetricStatistics"}};
  json get = {{"Namespace", "App"},   {"MetricName", "Hits"}, {"StartTime", kT0 + 120},
              {"EndTime", kT0 + 240}, {"Period", 60},         {"Statistics", {"Sum", "SampleCount"}}};
  res = client_->Post("/", target, get.dump(), "application/x-amz-json-1.0");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body),
            json::parse(R"({"Label":"Hits","Datapoints":[{"Timestamp":)" + std::to_string(kT0 + 180) +
                        R"(,"Sum":2.0,"SampleCount":1.0,"Unit":"None"}]})"));
  get["Dimensions"] = {{{"Name", "Padding"}, {"Value", std::string(40, 'p')}}};
  res = client_->Post("/", target, get.dump(), "application/x-amz-json-1.0");
  ASSERT_TRUE(res);
  EXPECT_EQ(json::parse(res->body)["Datapoints"][0]["SampleCount"], 300) << res->body;
  // Errors: the query code in a header for JSON 1.0 clients, the shape name as __type.
  res = client_->Post("/", target, R"({"MetricName":"Hits"})", "application/x-amz-json-1.0");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(res->get_header_value("x-amzn-query-error"), "MissingParameter;Sender");
  EXPECT_EQ(json::parse(res->body)["__type"], "MissingRequiredParameterException");
  // Without Version, the SigV4 scope picks the query service.
  res = client_->Post("/",
                      {{"Authorization",
                        "AWS4-HMAC-SHA256 Credential=x/20261126/us-east-1/monitoring/aws4_request, "
                        "SignedHeaders=host, Signature=00"}},
                      "Action=ListMetrics&Namespace=App", "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_NE(res->body.find("<MetricName>Hits</MetricName>"), std::string::npos) << res->body;
}

TEST_F(ServerTest, RdsDescribeDBInstances) {
  auto res = client_->Post("/", "Action=DescribeDBInstances&Version=2014-10-31", "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_NE(res->body.find("<DbiResourceId>" + instance_.resource_id + "</DbiResourceId>"), std::string::npos);
  EXPECT_NE(res->body.find("<DBInstanceStatus>available</DBInstanceStatus>"), std::string::npos);
  res = client_->Post("/", "Action=DescribeDBInstances&Version=2014-10-31&DBInstanceIdentifier=nope",
                      "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_NE(res->body.find("<Code>DBInstanceNotFound</Code>"), std::string::npos);
  res = client_->Post("/", "Action=ListTopics&Version=2010-03-31", "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("<Code>InvalidAction</Code>"), std::string::npos);
  res = client_->Get("/?Action=DescribeDBInstances&Version=2014-10-31");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(ServerTest, HealthzReportsLiveness) {
  auto res = client_->Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  json h = json::parse(res->body);
  EXPECT_EQ(h["status"], "ok");
  EXPECT_EQ(h["instances"][0]["id"], "pg1");
  EXPECT_EQ(h["instances"][0]["resource_id"], instance_.resource_id);
  EXPECT_EQ(h["instances"][0]["sampling_live"], true);
  EXPECT_DOUBLE_EQ(h["instances"][0]["last_sample"].get<double>(), kT0 + 119);
  {
    std::lock_guard lock(mu_);
    instance_.sampling_live = false;
    instance_.last_error = "connection refused";
  }
  res = client_->Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  h = json::parse(res->body);
  EXPECT_EQ(h["status"], "degraded");
  EXPECT_EQ(h["instances"][0]["last_error"], "connection refused");
}

TEST_F(ServerTest, GapsListsRecordedOutages) {
  ASSERT_TRUE(
      store_->AppendGap({"pg1", FromEpochSeconds(kT0 + 200), FromEpochSeconds(kT0 + 230), "connection refused"}).ok());
  auto res = client_->Get("/gaps?Identifier=" + instance_.resource_id + "&StartTime=" + std::to_string(kT0) +
                          "&EndTime=2023-11-15T00:00:00Z");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json g = json::parse(res->body);
  ASSERT_EQ(g["Gaps"].size(), 1u);
  EXPECT_DOUBLE_EQ(g["Gaps"][0]["StartTime"].get<double>(), kT0 + 200);
  EXPECT_DOUBLE_EQ(g["Gaps"][0]["EndTime"].get<double>(), kT0 + 230);
  EXPECT_EQ(g["Gaps"][0]["Reason"], "connection refused");
  res = client_->Get("/gaps?Identifier=pg1&StartTime=" + std::to_string(kT0 + 300) +
                     "&EndTime=" + std::to_string(kT0 + 400));
  ASSERT_TRUE(res);
  EXPECT_EQ(json::parse(res->body)["Gaps"].size(), 0u);
  res = client_->Get("/gaps?Identifier=nope&StartTime=1&EndTime=2");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("Identifier"), std::string::npos);
  res = client_->Get("/gaps?Identifier=pg1&StartTime=soon&EndTime=2");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("StartTime"), std::string::npos);
}

TEST_F(ServerTest, ExtraRoutesAndNotFound) {
  auto res = client_->Get("/extra?a=1");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "extra a=1");
  res = client_->Get("/nope");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
}

TEST_F(ServerTest, BindFailureNamesTheAddressAndStopIsIdempotent) {
  Server second(ServerOptions{.port = server_->port()}, *engine_, *metric_engine_,
                [] { return std::vector<model::InstanceInfo>{}; });
  Status st = second.Start();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_NE(st.message().find("cannot listen on 127.0.0.1:" + std::to_string(server_->port())), std::string::npos)
      << st.message();
  server_->Stop();
  server_->Stop();
  EXPECT_FALSE(client_->Get("/healthz"));
}

}  // namespace
}  // namespace dbinsight::api
