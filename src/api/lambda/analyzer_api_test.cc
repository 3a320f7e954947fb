// The Lambda and EventBridge operations through Server::Serve, over an
// AnalyzerPort whose run records its calls: requests as botocore shapes them
// (Lambda's REST paths and headers, EventBridge's JSON 1.1 targets), the
// response bodies and headers clients read, and the error shapes. The real
// analyzer and clients run in tests/api/analyzer_clients_test.py.
#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "api/server.h"
#include "metrics/metric_engine.h"
#include "pi/query_engine.h"
#include "store/metric_store.h"
#include "store/store.h"
#include "testing/manual_clock.h"
#include "testing/temp_dir.h"

namespace dbinsight::api {
namespace {

using nlohmann::json;

constexpr double kNow = 1'795'759'200;  // 2026-11-27T06:00:00Z
constexpr char kLambdaAuth[] =
    "AWS4-HMAC-SHA256 Credential=x/20261127/eu-west-1/lambda/aws4_request, SignedHeaders=host, Signature=00";

class AnalyzerApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::move(testing::TempDir::Create("dbi-analyzer-api")).value();
    store_ = std::move(store::Store::Open({.directory = dir_->path().string()}, clock_)).value();
    metrics_ = std::move(store::MetricStore::Open({.directory = dir_->path().string()}, clock_)).value();
    engine_ = std::make_unique<pi::QueryEngine>(*store_, *metrics_);
    metric_engine_ = std::make_unique<metrics::MetricEngine>(*metrics_, clock_);
    AnalyzerPort port{.functions = {{"dbinsight-analyzer-pg1", "pg1", "dbinsight-reports-pg1"},
                                    {"dbinsight-analyzer-pg2", "pg2", "dbinsight-reports-pg2"}},
                      .rule_name = "dbinsight-performance-analysis",
                      .schedule = "rate(15 minutes)",
                      .enabled = true,
                      .region = "eu-west-1",
                      .account_id = "123456789012",
                      .run = [this](const std::string& id, WallTime now) -> Result<std::string> {
                        std::lock_guard lock(mu_);
                        runs_.push_back({id, ToEpochSeconds(now)});
                        if (id == "pg2") return Status::Unavailable("bucket store is full");
                        return std::string("{\"timestamp\": \"x\"}");
                      }};
    server_ = std::make_unique<Server>(
        ServerOptions{.port = 0}, *engine_, *metric_engine_, [] { return std::vector<model::InstanceInfo>{}; },
        Backends{.analyzer = std::move(port)});
  }

  HttpResponse Lambda(std::string method, std::string path, std::string body = "", HeaderMap headers = {}) {
    HttpRequest r;
    r.method = std::move(method);
    size_t q = path.find('?');
    r.path = path.substr(0, q);
    if (q != std::string::npos) r.query = path.substr(q + 1);
    r.body = std::move(body);
    r.headers = std::move(headers);
    r.headers.emplace("Authorization", kLambdaAuth);
    return server_->Serve(r);
  }
  HttpResponse Events(const std::string& op, const json& body) {
    HttpRequest r;
    r.method = "POST";
    r.path = "/";
    r.body = body.dump();
    r.headers = {{"X-Amz-Target", "AWSEvents." + op}, {"Content-Type", "application/x-amz-json-1.1"}};
    return server_->Serve(r);
  }

  testing::ManualClock clock_{FromEpochSeconds(kNow)};
  std::unique_ptr<testing::TempDir> dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::MetricStore> metrics_;
  std::unique_ptr<pi::QueryEngine> engine_;
  std::unique_ptr<metrics::MetricEngine> metric_engine_;
  std::unique_ptr<Server> server_;
  std::mutex mu_;
  std::vector<std::pair<std::string, double>> runs_;  // GUARDED_BY(mu_)
};

TEST_F(AnalyzerApiTest, InvokeReturnsTheHandlersResponse) {
  HttpResponse r = Lambda("POST", "/2015-03-31/functions/dbinsight-analyzer-pg1/invocations", "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["X-Amz-Executed-Version"], "$LATEST");
  EXPECT_EQ(r.headers.count("X-Amz-Function-Error"), 0u);
  EXPECT_EQ(json::parse(r.body), json({{"statusCode", 200}, {"body", "{\"timestamp\": \"x\"}"}}));
  ASSERT_EQ(runs_.size(), 1u);
  EXPECT_EQ(runs_[0], std::make_pair(std::string("pg1"), kNow));  // no "time": now
}

TEST_F(AnalyzerApiTest, InvokeAnalyzesUpToTheEventsTime) {
  // A scheduled event's ISO time, epoch seconds, the function by ARN, an
  // empty payload (now).
  EXPECT_EQ(Lambda("POST", "/2015-03-31/functions/dbinsight-analyzer-pg1/invocations",
                   R"({"source": "aws.events", "time": "2026-11-27T05:15:00Z"})")
                .status,
            200);
  EXPECT_EQ(Lambda("POST",
                   "/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:dbinsight-analyzer-pg1/"
                   "invocations",
                   R"({"time": 1795755600})")
                .status,
            200);
  EXPECT_EQ(Lambda("POST", "/2015-03-31/functions/dbinsight-analyzer-pg1:$LATEST/invocations").status, 200);
  ASSERT_EQ(runs_.size(), 3u);
  EXPECT_EQ(runs_[0].second, kNow - 2700);
  EXPECT_EQ(runs_[1].second, kNow - 3600);
  EXPECT_EQ(runs_[2].second, kNow);
}

TEST_F(AnalyzerApiTest, FailedAnalysisIsAnUnhandledFunctionError) {
  HttpResponse r = Lambda("POST", "/2015-03-31/functions/dbinsight-analyzer-pg2/invocations", "{}");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["X-Amz-Function-Error"], "Unhandled");
  EXPECT_EQ(r.headers["X-Amz-Executed-Version"], "$LATEST");
  json body = json::parse(r.body);
  EXPECT_EQ(body["errorType"], "Unavailable");
  EXPECT_EQ(body["errorMessage"], "bucket store is full");

  r = Lambda("POST", "/2015-03-31/functions/dbinsight-analyzer-pg1/invocations", R"({"time": "yesterday"})");
  EXPECT_EQ(r.headers["X-Amz-Function-Error"], "Unhandled");
  EXPECT_EQ(json::parse(r.body)["errorType"], "InvalidArgument");
  EXPECT_EQ(runs_.size(), 1u);  // the bad event never reached the analyzer
}

TEST_F(AnalyzerApiTest, EventAndDryRunInvocations) {
  HttpResponse r = Lambda("POST", "/2015-03-31/functions/dbinsight-analyzer-pg1/invocations", "{}",
                          {{"X-Amz-Invocation-Type", "DryRun"}});
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.body.empty());
  EXPECT_TRUE(runs_.empty());
  r = Lambda("POST", "/2015-03-31/functions/dbinsight-analyzer-pg1/invocations", "{}",
             {{"X-Amz-Invocation-Type", "Event"}});
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(runs_.size(), 1u);
  r = Lambda("POST", "/2015-03-31/functions/dbinsight-analyzer-pg1/invocations", "{}",
             {{"X-Amz-Invocation-Type", "Later"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.headers["x-amzn-ErrorType"], "InvalidParameterValueException");
}

TEST_F(AnalyzerApiTest, LambdaErrors) {
  HttpResponse r = Lambda("POST", "/2015-03-31/functions/nope/invocations", "{}");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.headers["x-amzn-ErrorType"], "ResourceNotFoundException");
  EXPECT_EQ(
      json::parse(r.body),
      json({{"Type", "User"}, {"message", "Function not found: arn:aws:lambda:eu-west-1:123456789012:function:nope"}}));
  r = Lambda("POST", "/2015-03-31/functions/dbinsight-analyzer-pg1/invocations?Qualifier=3", "{}");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("function:dbinsight-analyzer-pg1:3"), std::string::npos);
  r = Lambda("POST", "/2015-03-31/functions/dbinsight-analyzer-pg1/invocations", "{not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.headers["x-amzn-ErrorType"], "InvalidRequestContentException");
  r = Lambda("DELETE", "/2015-03-31/functions/dbinsight-analyzer-pg1");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.headers["x-amzn-ErrorType"], "UnknownOperationException");
  EXPECT_TRUE(runs_.empty());
}

TEST_F(AnalyzerApiTest, GetAndListFunctions) {
  HttpResponse r = Lambda("GET", "/2015-03-31/functions/dbinsight-analyzer-pg2");
  ASSERT_EQ(r.status, 200) << r.body;
  json config = json::parse(r.body)["Configuration"];
  EXPECT_EQ(config["FunctionArn"], "arn:aws:lambda:eu-west-1:123456789012:function:dbinsight-analyzer-pg2");
  EXPECT_EQ(config["Environment"]["Variables"]["S3_BUCKET"], "dbinsight-reports-pg2");
  r = Lambda("GET", "/2015-03-31/functions/");
  ASSERT_EQ(r.status, 200);
  json functions = json::parse(r.body)["Functions"];
  ASSERT_EQ(functions.size(), 2u);
  EXPECT_EQ(functions[0]["FunctionName"], "dbinsight-analyzer-pg1");
  // Unsigned (curl) requests under the functions path are Lambda's too.
  HttpRequest plain;
  plain.method = "GET";
  plain.path = "/2015-03-31/functions";
  EXPECT_EQ(server_->Serve(plain).status, 200);
}

TEST_F(AnalyzerApiTest, EventBridgeRuleAndTargets) {
  HttpResponse r = Events("DescribeRule", {{"Name", "dbinsight-performance-analysis"}});
  ASSERT_EQ(r.status, 200) << r.body;
  json rule = json::parse(r.body);
  EXPECT_EQ(rule["Arn"], "arn:aws:events:eu-west-1:123456789012:rule/dbinsight-performance-analysis");
  EXPECT_EQ(rule["ScheduleExpression"], "rate(15 minutes)");
  EXPECT_EQ(rule["State"], "ENABLED");
  EXPECT_EQ(rule["EventBusName"], "default");
  EXPECT_EQ(rule["CreatedBy"], "123456789012");

  r = Events("ListRules", {{"NamePrefix", "dbinsight-"}});
  EXPECT_EQ(json::parse(r.body)["Rules"].size(), 1u);
  r = Events("ListRules", {{"NamePrefix", "other"}});
  EXPECT_EQ(json::parse(r.body)["Rules"].size(), 0u);

  r = Events("ListTargetsByRule", {{"Rule", "dbinsight-performance-analysis"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["Targets"], json::parse(R"([{"Id": "dbinsight-analyzer-pg1",
                             "Arn": "arn:aws:lambda:eu-west-1:123456789012:function:dbinsight-analyzer-pg1"},
                            {"Id": "dbinsight-analyzer-pg2",
                             "Arn": "arn:aws:lambda:eu-west-1:123456789012:function:dbinsight-analyzer-pg2"}])"));
}

TEST_F(AnalyzerApiTest, EventBridgeErrors) {
  HttpResponse r = Events("DescribeRule", {{"Name", "nope"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body), json({{"__type", "ResourceNotFoundException"},
                                       {"message", "Rule nope does not exist on EventBus default."}}));
  r = Events("ListTargetsByRule", {{"Rule", "nope"}});
  EXPECT_EQ(json::parse(r.body)["__type"], "ResourceNotFoundException");
  r = Events("DescribeRule", {{"Name", "dbinsight-performance-analysis"}, {"EventBusName", "orders"}});
  EXPECT_EQ(json::parse(r.body)["message"], "Event bus orders does not exist.");
  r = Events("DescribeRule", json::object());
  EXPECT_EQ(json::parse(r.body)["__type"], "ValidationException");
  r = Events("PutRule", {{"Name", "x"}});
  EXPECT_EQ(json::parse(r.body)["__type"], "UnknownOperationException");
}

TEST(AnalyzerApiAbsentTest, NoAnalyzerNoLambdaOrEventBridge) {
  testing::ManualClock clock{FromEpochSeconds(kNow)};
  auto dir = std::move(testing::TempDir::Create("dbi-analyzer-api")).value();
  auto store = std::move(store::Store::Open({.directory = dir->path().string()}, clock)).value();
  auto metrics = std::move(store::MetricStore::Open({.directory = dir->path().string()}, clock)).value();
  pi::QueryEngine engine(*store, *metrics);
  metrics::MetricEngine metric_engine(*metrics, clock);
  Server server(ServerOptions{.port = 0}, engine, metric_engine, [] { return std::vector<model::InstanceInfo>{}; });
  HttpRequest r;
  r.method = "POST";
  r.path = "/";
  r.headers = {{"X-Amz-Target", "AWSEvents.DescribeRule"}, {"Content-Type", "application/x-amz-json-1.1"}};
  r.body = R"({"Name": "dbinsight-performance-analysis"})";
  EXPECT_EQ(json::parse(server.Serve(r).body)["__type"], "UnknownOperationException");
  r.path = "/2015-03-31/functions/dbinsight-analyzer-pg1/invocations";
  r.headers = {{"Authorization", kLambdaAuth}};
  EXPECT_EQ(server.Serve(r).status, 404);
}

}  // namespace
}  // namespace dbinsight::api
