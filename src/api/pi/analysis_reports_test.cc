// The PI performance-analysis-report operations through Server::Serve, over a
// real store holding a known lock-wait episode and a real report store: the
// happy path (create, get in both text formats, list with paging and tags,
// delete) and every validation error.
#include "api/pi/analysis_reports.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "api/pi/pi_service.h"
#include "api/server.h"
#include "metrics/metric_engine.h"
#include "store/metric_store.h"
#include "store/store.h"
#include "testing/manual_clock.h"
#include "testing/session_rows.h"
#include "testing/temp_dir.h"

namespace dbinsight::api {
namespace {

using nlohmann::json;

const std::string kUpdate = "update accounts set balance = balance + $1 where id = $2";
constexpr const char* kResourceId = "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ";

class AnalysisReportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = testing::TempDir::Create("dbi-pi-reports");
    ASSERT_TRUE(dir.ok());
    dir_ = std::move(dir.value());
    clock_.SetNow(FromEpochSeconds(static_cast<double>(t0_ + 1000)));
    auto store = store::Store::Open({.directory = dir_->path().string()}, clock_);
    ASSERT_TRUE(store.ok());
    store_ = std::move(store.value());
    auto metrics = store::MetricStore::Open({.directory = dir_->path().string()}, clock_);
    ASSERT_TRUE(metrics.ok());
    metrics_ = std::move(metrics.value());
    auto reports = analysis::ReportStore::Open(dir_->path().string());
    ASSERT_TRUE(reports.ok());
    reports_ = std::move(reports.value());
    // [t0, t0+600): idle but sampled, except 4 sessions waiting on a row lock
    // running the UPDATE during [200, 320).
    for (int i = 0; i < 600; ++i) {
      model::Sample s{"pg1", FromEpochSeconds(static_cast<double>(t0_ + i)), {}, 0};
      if (i >= 200 && i < 320)
        for (int n = 0; n < 4; ++n)
          s.active.push_back(testing::MakeSessionRow({.wait = "Lock:transactionid", .sql = kUpdate}));
      ASSERT_TRUE(store_->AppendSample(s).ok());
    }
    pi_ = std::make_unique<::dbinsight::pi::QueryEngine>(*store_, *metrics_);
    engine_ = std::make_unique<metrics::MetricEngine>(*metrics_, clock_);
    server_ = std::make_unique<Server>(
        ServerOptions{}, *pi_, *engine_,
        [] {
          model::InstanceInfo pg1;
          pg1.id = "pg1";
          pg1.resource_id = kResourceId;
          pg1.engine = "postgres";
          pg1.vcpus = 2;
          return std::vector<model::InstanceInfo>{pg1};
        },
        Backends{.reports = reports_.get()});
  }

  HttpResponse Call(const std::string& op, json body) {
    body["ServiceType"] = "RDS";
    if (!body.contains("Identifier")) body["Identifier"] = kResourceId;
    HttpRequest r;
    r.method = "POST";
    r.path = "/";
    r.headers = {{"X-Amz-Target", std::string(pi::kTargetPrefix) + "." + op},
                 {"Content-Type", "application/x-amz-json-1.1"}};
    r.body = body.dump();
    return server_->Serve(r);
  }
  json Ok(const std::string& op, json body) {
    HttpResponse r = Call(op, std::move(body));
    EXPECT_EQ(r.status, 200) << op << ": " << r.body;
    return json::parse(r.body);
  }
  // The InvalidArgumentException message for a bad request.
  std::string Error(const std::string& op, json body) {
    HttpResponse r = Call(op, std::move(body));
    EXPECT_EQ(r.status, 400) << r.body;
    json j = json::parse(r.body);
    EXPECT_EQ(j.value("__type", ""), "InvalidArgumentException") << r.body;
    return j.value("message", j.value("Message", ""));
  }
  std::string Create(int from = 0, int to = 600) {
    json out = Ok("CreatePerformanceAnalysisReport", {{"StartTime", t0_ + from}, {"EndTime", t0_ + to}});
    return out.value("AnalysisReportId", "");
  }

  const int64_t t0_ = 1700000000 - 1700000000 % 3600;
  std::unique_ptr<testing::TempDir> dir_;
  testing::ManualClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::MetricStore> metrics_;
  std::unique_ptr<analysis::ReportStore> reports_;
  std::unique_ptr<::dbinsight::pi::QueryEngine> pi_;
  std::unique_ptr<metrics::MetricEngine> engine_;
  std::unique_ptr<Server> server_;
};

TEST_F(AnalysisReportsTest, CreateThenGetNamesTheLockWaitAndTheStatement) {
  const std::string id = Create();
  EXPECT_TRUE(std::regex_match(id, std::regex("report-[0-9a-f]{17}"))) << id;
  json report = Ok("GetPerformanceAnalysisReport", {{"AnalysisReportId", id}})["AnalysisReport"];
  EXPECT_EQ(report["AnalysisReportId"], id);
  EXPECT_EQ(report["Identifier"], kResourceId);
  EXPECT_EQ(report["ServiceType"], "RDS");
  EXPECT_EQ(report["Status"], "SUCCEEDED");
  EXPECT_EQ(report["StartTime"], t0_);
  EXPECT_EQ(report["EndTime"], t0_ + 600);
  EXPECT_EQ(report["CreateTime"], t0_ + 1000);
  ASSERT_FALSE(report["Insights"].empty());
  const json& top = report["Insights"][0];
  EXPECT_EQ(top["InsightType"], "LockWaits");
  EXPECT_EQ(top["Context"], "CAUSAL");
  EXPECT_EQ(top["Severity"], "HIGH");
  EXPECT_EQ(top["StartTime"], t0_ + 200);
  EXPECT_EQ(top["EndTime"], t0_ + 320);
  const std::string plain = top["Description"];
  EXPECT_NE(plain.find("Load 4.0 on 2 vCPUs"), std::string::npos) << plain;
  EXPECT_NE(plain.find("100% is \"" + kUpdate + "\" waiting on Lock:transactionid"), std::string::npos) << plain;
  EXPECT_EQ(plain.find('`'), std::string::npos);
  ASSERT_FALSE(top["Recommendations"].empty());
  EXPECT_EQ(top["Recommendations"][0]["RecommendationId"], "lock-find-blocker");
  const json& metric = top["InsightData"][0]["PerformanceInsightsMetric"];
  EXPECT_EQ(metric["Metric"], "db.load.avg");
  EXPECT_DOUBLE_EQ(metric["Value"].get<double>(), 4.0);

  json md = Ok("GetPerformanceAnalysisReport",
               {{"AnalysisReportId", id}, {"TextFormat", "MARKDOWN"}, {"AcceptLanguage", "EN_US"}});
  const std::string markdown = md["AnalysisReport"]["Insights"][0]["Description"];
  EXPECT_NE(markdown.find("`" + kUpdate + "`"), std::string::npos) << markdown;
}

TEST_F(AnalysisReportsTest, QuietWindowHasOnlyALowInsight) {
  json report = Ok("GetPerformanceAnalysisReport", {{"AnalysisReportId", Create(0, 150)}})["AnalysisReport"];
  ASSERT_EQ(report["Insights"].size(), 1u);
  EXPECT_EQ(report["Insights"][0]["InsightType"], "NoHighLoad");
  EXPECT_EQ(report["Insights"][0]["Severity"], "LOW");
}

TEST_F(AnalysisReportsTest, ListPagesNewestFirstWithTagsOnRequest) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(std::chrono::seconds(1));
    json out =
        Ok("CreatePerformanceAnalysisReport",
           {{"StartTime", t0_}, {"EndTime", t0_ + 300}, {"Tags", {{{"Key", "run"}, {"Value", std::to_string(i)}}}}});
    ids.push_back(out["AnalysisReportId"]);
  }
  json page = Ok("ListPerformanceAnalysisReports", {{"MaxResults", 2}});
  ASSERT_EQ(page["AnalysisReports"].size(), 2u);
  EXPECT_EQ(page["AnalysisReports"][0]["AnalysisReportId"], ids[2]);
  EXPECT_EQ(page["AnalysisReports"][0]["Status"], "SUCCEEDED");
  EXPECT_FALSE(page["AnalysisReports"][0].contains("Tags"));
  ASSERT_TRUE(page.contains("NextToken"));
  json rest = Ok("ListPerformanceAnalysisReports", {{"MaxResults", 2}, {"NextToken", page["NextToken"]}});
  ASSERT_EQ(rest["AnalysisReports"].size(), 1u);
  EXPECT_EQ(rest["AnalysisReports"][0]["AnalysisReportId"], ids[0]);
  EXPECT_FALSE(rest.contains("NextToken"));
  json tagged = Ok("ListPerformanceAnalysisReports", {{"ListTags", true}});
  ASSERT_EQ(tagged["AnalysisReports"].size(), 3u);
  EXPECT_EQ(tagged["AnalysisReports"][0]["Tags"], json::parse(R"([{"Key":"run","Value":"2"}])"));
}

TEST_F(AnalysisReportsTest, DeleteRemovesIt) {
  const std::string id = Create();
  EXPECT_EQ(Ok("DeletePerformanceAnalysisReport", {{"AnalysisReportId", id}}), json::object());
  EXPECT_NE(Error("GetPerformanceAnalysisReport", {{"AnalysisReportId", id}}).find("AnalysisReportId"),
            std::string::npos);
  EXPECT_NE(Error("DeletePerformanceAnalysisReport", {{"AnalysisReportId", id}}).find("AnalysisReportId"),
            std::string::npos);
  EXPECT_TRUE(Ok("ListPerformanceAnalysisReports", json::object())["AnalysisReports"].empty());
}

TEST_F(AnalysisReportsTest, ValidationErrorsNameTheParameter) {
  auto expect = [&](const std::string& op, json body, const std::string& part) {
    const std::string message = Error(op, body);
    EXPECT_NE(message.find(part), std::string::npos) << op << " " << body.dump() << ": " << message;
  };
  const std::string create = "CreatePerformanceAnalysisReport";
  expect(create, {{"Identifier", "db-NOPE"}, {"StartTime", t0_}, {"EndTime", t0_ + 60}}, "Identifier");
  expect(create, {{"StartTime", t0_ + 60}, {"EndTime", t0_}}, "EndTime must be later than StartTime");
  expect(create, {{"StartTime", t0_}, {"EndTime", t0_ + 2000}}, "EndTime is in the future");
  expect(create, {{"StartTime", t0_ - 8 * 86400}, {"EndTime", t0_}}, "parameter StartTime");
  expect(create, {{"EndTime", t0_}}, "StartTime");
  json many = json::array();
  for (int i = 0; i < 201; ++i) many.push_back({{"Key", "k"}, {"Value", "v"}});
  expect(create, {{"StartTime", t0_}, {"EndTime", t0_ + 60}, {"Tags", many}}, "Tags");
  expect(create, {{"StartTime", t0_}, {"EndTime", t0_ + 60}, {"Tags", {{{"Value", "v"}}}}}, "Tags[0].Key");
  expect("GetPerformanceAnalysisReport", {{"AnalysisReportId", "report-xyz"}}, "AnalysisReportId");
  expect("GetPerformanceAnalysisReport", json::object(), "AnalysisReportId");
  expect("GetPerformanceAnalysisReport", {{"AnalysisReportId", "report-0123456789abcdef0"}}, "AnalysisReportId");
  expect("GetPerformanceAnalysisReport", {{"AnalysisReportId", "report-0123456789abcdef0"}, {"TextFormat", "HTML"}},
         "TextFormat");
  expect("GetPerformanceAnalysisReport",
         {{"AnalysisReportId", "report-0123456789abcdef0"}, {"AcceptLanguage", "DE_DE"}}, "AcceptLanguage");
  expect("ListPerformanceAnalysisReports", {{"MaxResults", 26}}, "MaxResults");
  expect("ListPerformanceAnalysisReports", {{"NextToken", "garbage"}}, "NextToken");
  expect("DeletePerformanceAnalysisReport", {{"AnalysisReportId", "report-0123456789abcdef0"}}, "AnalysisReportId");
  // A report of another instance is not found through this one.
  EXPECT_TRUE(Ok("ListPerformanceAnalysisReports", {{"Identifier", "pg1"}})["AnalysisReports"].empty());
}

}  // namespace
}  // namespace dbinsight::api
