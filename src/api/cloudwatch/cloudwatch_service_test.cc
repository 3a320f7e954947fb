// The CloudWatch metric API through api::Server::Serve (no network), in both
// protocols: the requests the real clients sent (testdata/cloudwatch, from
// reference/wire) replayed against a real metric store, and every request
// check giving the AWS error code and naming the parameter the way each
// protocol spells it. The alarm and dashboard operations likewise, over real
// alarm and dashboard stores.
#include "api/cloudwatch/cloudwatch_service.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "alarm/alarm_store.h"
#include "api/server.h"
#include "dashboard/dashboard_store.h"
#include "metrics/metric_engine.h"
#include "pi/query_engine.h"
#include "store/metric_store.h"
#include "store/store.h"
#include "testing/manual_clock.h"
#include "testing/temp_dir.h"

namespace dbinsight::api::cloudwatch {
namespace {

using nlohmann::json;

constexpr double kNow = 1700004600;  // 2023-11-14T23:30:00Z, shortly after the captures' timestamps

// A captured request: '#' comment lines, the request line, headers, a blank
// line and the body.
HttpRequest LoadCapture(const std::string& name) {
  std::ifstream in(std::string(API_TESTDATA_DIR) + "/cloudwatch/" + name);
  EXPECT_TRUE(in) << name;
  HttpRequest r;
  std::string line;
  while (std::getline(in, line) && (line.empty() || line[0] == '#')) {
  }
  std::istringstream request_line(line);
  request_line >> r.method >> r.path;
  while (std::getline(in, line) && !line.empty()) {
    size_t colon = line.find(':');
    r.headers.emplace(line.substr(0, colon), line.substr(line.find_first_not_of(' ', colon + 1)));
  }
  std::ostringstream body;
  body << in.rdbuf();
  r.body = body.str();
  while (!r.body.empty() && r.body.back() == '\n') r.body.pop_back();
  return r;
}

// The query form a JSON request flattens to (botocore's serializer, for the tests).
void Flatten(const json& v, const std::string& prefix, std::string& out) {
  if (v.is_object()) {
    for (const auto& [k, e] : v.items()) Flatten(e, prefix.empty() ? k : prefix + "." + k, out);
  } else if (v.is_array()) {
    if (v.empty()) out += "&" + prefix + "=";
    for (size_t i = 0; i < v.size(); ++i) Flatten(v[i], prefix + ".member." + std::to_string(i + 1), out);
  } else {
    std::string text = v.is_string() ? v.get<std::string>() : v.dump();
    std::string escaped;
    for (char c : text) {
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') {
        escaped += c;
      } else {
        char hex[4];
        std::snprintf(hex, sizeof(hex), "%%%02X", static_cast<unsigned char>(c));
        escaped += hex;
      }
    }
    out += "&" + prefix + "=" + escaped;
  }
}

// "MetricData[0].Counts[1]" as the query protocol names it.
std::string QueryPath(const std::string& json_path) {
  std::string out;
  std::regex index(R"(\[(\d+)\])");
  auto begin = std::sregex_iterator(json_path.begin(), json_path.end(), index);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    out += json_path.substr(last, it->position() - last) + ".member." + std::to_string(std::stoi((*it)[1]) + 1);
    last = it->position() + it->length();
  }
  return out + json_path.substr(last);
}

class CloudWatchTest : public ::testing::TestWithParam<bool> {  // true: JSON 1.0, false: query
 protected:
  void SetUp() override {
    auto dir = testing::TempDir::Create("dbi-cw");
    ASSERT_TRUE(dir.ok());
    dir_ = std::move(dir.value());
    auto store = store::Store::Open({.directory = dir_->path().string()}, clock_);
    ASSERT_TRUE(store.ok());
    store_ = std::move(store.value());
    auto metrics = store::MetricStore::Open({.directory = dir_->path().string()}, clock_);
    ASSERT_TRUE(metrics.ok());
    metrics_ = std::move(metrics.value());
    pi_ = std::make_unique<pi::QueryEngine>(*store_, *metrics_);
    engine_ = std::make_unique<metrics::MetricEngine>(*metrics_, clock_);
    auto alarms = alarm::AlarmStore::Open(dir_->path().string());
    ASSERT_TRUE(alarms.ok());
    alarms_ = std::move(alarms.value());
    auto dashboards = dashboard::DashboardStore::Open(dir_->path().string());
    ASSERT_TRUE(dashboards.ok());
    dashboards_ = std::move(dashboards.value());
    server_ = std::make_unique<Server>(
        ServerOptions{}, *pi_, *engine_,
        [] {
          model::InstanceInfo pg1;
          pg1.id = "pg1";
          return std::vector<model::InstanceInfo>{pg1};
        },
        Backends{.alarms = alarms_.get(), .dashboards = dashboards_.get()});
  }
  bool Json() const { return GetParam(); }

  HttpResponse Replay(const std::string& name) { return server_->Serve(LoadCapture((Json() ? "json10-" : "") + name)); }
  HttpResponse Call(const std::string& op, const json& body) {
    HttpRequest r;
    r.method = "POST";
    r.path = "/";
    if (Json()) {
      r.headers = {{"X-Amz-Target", std::string(kTargetPrefix) + "." + op},
                   {"Content-Type", "application/x-amz-json-1.0"},
                   {"x-amzn-query-mode", "true"}};
      r.body = body.dump();
    } else {
      r.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
      r.body = "Action=" + op + "&Version=2010-08-01";
      Flatten(body, "", r.body);
    }
    return server_->Serve(r);
  }
  // The error's code and message, from either protocol's body.
  std::pair<std::string, std::string> Error(const HttpResponse& r) {
    if (Json()) {
      EXPECT_EQ(r.content_type, "application/x-amz-json-1.0");
      auto q = r.headers.find("x-amzn-query-error");
      EXPECT_NE(q, r.headers.end());
      std::string code = q == r.headers.end() ? "" : q->second.substr(0, q->second.find(';'));
      return {code, json::parse(r.body)["message"].get<std::string>()};
    }
    EXPECT_EQ(r.content_type, "text/xml");
    std::smatch code, message;
    std::regex_search(r.body, code, std::regex("<Code>(.*)</Code>"));
    std::regex_search(r.body, message, std::regex("<Message>(.*)</Message>"));
    std::string text = message[1];
    for (auto [entity, c] : {std::pair{"&apos;", "'"}, {"&quot;", "\""}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}})
      text = std::regex_replace(text, std::regex(entity), c);
    return {code[1], text};
  }

  testing::ManualClock clock_{FromEpochSeconds(kNow)};
  std::unique_ptr<testing::TempDir> dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::MetricStore> metrics_;
  std::unique_ptr<pi::QueryEngine> pi_;
  std::unique_ptr<metrics::MetricEngine> engine_;
  std::unique_ptr<alarm::AlarmStore> alarms_;
  std::unique_ptr<dashboard::DashboardStore> dashboards_;
  std::unique_ptr<Server> server_;
};

INSTANTIATE_TEST_SUITE_P(Protocols, CloudWatchTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& p) { return p.param ? "Json10" : "Query"; });

TEST_P(CloudWatchTest, CapturedClientRequestsRoundTrip) {
  for (const char* put : {"PutMetricData.txt", "PutMetricData-2.txt", "PutMetricData-boto3.txt"}) {
    HttpResponse r = Replay(put);
    ASSERT_EQ(r.status, 200) << put << ": " << r.body;
    if (!Json()) {
      EXPECT_TRUE(r.body.starts_with("<PutMetricDataResponse xmlns=")) << r.body;
    }
  }
  // DBLoad{X} 1.5 at 22:13:20 (standard resolution: its minute) in the 22:10 period.
  HttpResponse stats = Replay("GetMetricStatistics.txt");
  ASSERT_EQ(stats.status, 200) << stats.body;
  HttpResponse data = Replay("GetMetricData.txt");
  ASSERT_EQ(data.status, 200) << data.body;
  HttpResponse list = Replay("ListMetrics.txt");
  ASSERT_EQ(list.status, 200) << list.body;
  const json want_metrics = json::parse(R"([
    {"Namespace": "RDS/PerformanceInsights", "MetricName": "Connections",
     "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": "X"}, {"Name": "Engine", "Value": "mysql"}]},
    {"Namespace": "RDS/PerformanceInsights", "MetricName": "DBLoad", "Dimensions": []},
    {"Namespace": "RDS/PerformanceInsights", "MetricName": "DBLoad",
     "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": "X"}]},
    {"Namespace": "RDS/PerformanceInsights", "MetricName": "DBLoadCPU",
     "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": "X"}, {"Name": "Engine", "Value": "postgres"}]}])");
  if (Json()) {
    EXPECT_EQ(stats.content_type, "application/x-amz-json-1.0");
    EXPECT_EQ(json::parse(stats.body), json::parse(R"({"Label": "DBLoad", "Datapoints": [{"Timestamp": 1699999800,
        "Average": 1.5, "Maximum": 1.5, "ExtendedStatistics": {"p99": 1.5}, "Unit": "Count"}]})"));
    EXPECT_EQ(json::parse(data.body), json::parse(R"({"Messages": [], "MetricDataResults": [
        {"Id": "m1", "Label": "DBLoad", "Timestamps": [1699999800], "Values": [1.5], "StatusCode": "Complete"},
        {"Id": "e1", "Label": "double", "Timestamps": [1699999800], "Values": [3.0], "StatusCode": "Complete"}]})"));
    EXPECT_EQ(json::parse(list.body), json({{"Metrics", want_metrics}}));
    return;
  }
  EXPECT_EQ(stats.body.substr(0, stats.body.find("<ResponseMetadata>")),
            "<GetMetricStatisticsResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">"
            "<GetMetricStatisticsResult><Datapoints><member><Average>1.5</Average><ExtendedStatistics><entry>"
            "<key>p99</key><value>1.5</value></entry></ExtendedStatistics><Maximum>1.5</Maximum>"
            "<Timestamp>2023-11-14T22:10:00Z</Timestamp><Unit>Count</Unit></member></Datapoints>"
            "<Label>DBLoad</Label></GetMetricStatisticsResult>");
  EXPECT_NE(data.body.find("<MetricDataResults><member><Id>m1</Id><Label>DBLoad</Label><StatusCode>Complete"
                           "</StatusCode><Timestamps><member>2023-11-14T22:10:00Z</member></Timestamps><Values>"
                           "<member>1.5</member></Values></member><member><Id>e1</Id><Label>double</Label>"),
            std::string::npos)
      << data.body;
  EXPECT_NE(data.body.find("<Values><member>3</member></Values>"), std::string::npos) << data.body;
  EXPECT_NE(data.body.find("<Messages></Messages>"), std::string::npos) << data.body;
  for (const json& m : want_metrics) {
    std::string dims;
    for (const json& d : m["Dimensions"])
      dims += "<member><Name>" + d["Name"].get<std::string>() + "</Name><Value>" + d["Value"].get<std::string>() +
              "</Value></member>";
    EXPECT_NE(list.body.find("<member><Dimensions>" + dims + "</Dimensions><MetricName>" +
                             m["MetricName"].get<std::string>() + "</MetricName>"),
              std::string::npos)
        << m.dump() << "\n"
        << list.body;
  }
}

TEST_P(CloudWatchTest, InvalidRequestsNameTheParameter) {
  const json datum = {{"MetricName", "Hits"}, {"Value", 1}};
  const json stats = {{"Namespace", "App"}, {"MetricName", "Hits"}, {"StartTime", kNow - 3600},
                      {"EndTime", kNow},    {"Period", 60},         {"Statistics", {"Sum"}}};
  auto with = [](json base, const json& patch) {
    base.merge_patch(patch);
    return base;
  };
  auto put = [&](const json& d) { return json{{"Namespace", "App"}, {"MetricData", {d}}}; };
  const json m1 = {
      {"Id", "m1"},
      {"MetricStat", {{"Metric", {{"Namespace", "App"}, {"MetricName", "Hits"}}}, {"Period", 60}, {"Stat", "Sum"}}}};
  auto data = [&](const json& query) {
    return json{{"MetricDataQueries", {m1, query}}, {"StartTime", kNow - 3600}, {"EndTime", kNow}};
  };
  struct Case {
    const char* op;
    json body;
    const char* code;
    std::string message;  // JSON-style paths; the query protocol's are derived
  };
  const Case cases[] = {
      {"PutMetricData", {{"MetricData", {datum}}}, "MissingParameter", "Missing required parameter Namespace"},
      {"PutMetricData", {{"Namespace", "App"}}, "MissingParameter", "Missing required parameter MetricData"},
      {"PutMetricData", put({{"Value", 1}}), "MissingParameter", "Missing required parameter MetricData[0].MetricName"},
      {"PutMetricData", with(put(datum), {{"Namespace", "AWS/RDS"}}), "InvalidParameterValue",
       "Invalid value for parameter Namespace, value: AWS/RDS, namespaces starting with AWS/ are reserved"},
      {"PutMetricData", put(with(datum, {{"Unit", "Bogus"}})), "InvalidParameterValue",
       "Invalid value for parameter MetricData[0].Unit, value: Bogus, valid values: Seconds, Microseconds"},
      {"PutMetricData", put(with(datum, {{"Values", {1, 2}}})), "InvalidParameterCombination",
       "Invalid parameter combination: MetricData[0].Value, MetricData[0].StatisticValues and MetricData[0].Values "
       "are mutually exclusive"},
      {"PutMetricData", put({{"MetricName", "Hits"}}), "InvalidParameterCombination",
       "Invalid parameter combination: one of MetricData[0].Value, MetricData[0].StatisticValues and "
       "MetricData[0].Values is required"},
      {"PutMetricData", put(with(datum, {{"StorageResolution", 5}})), "InvalidParameterValue",
       "Invalid value for parameter MetricData[0].StorageResolution, value: 5, valid values: 1, 60"},
      {"PutMetricData", put(with(datum, {{"Timestamp", kNow - 15 * 86400}})), "InvalidParameterValue",
       "Invalid value for parameter MetricData[0].Timestamp, value: 2023-10-30T23:30:00Z, must be no more than two "
       "weeks in the past"},
      {"PutMetricData", put(with(datum, {{"Timestamp", kNow + 3 * 3600}})), "InvalidParameterValue",
       "must be no more than two hours in the future"},
      {"PutMetricData", put({{"MetricName", "Hits"}, {"Values", {1, 2}}, {"Counts", {1, 1.5}}}),
       "InvalidParameterValue", "Invalid value for parameter MetricData[0].Counts[1], value: 1.5, must be a whole"},
      {"PutMetricData", put({{"MetricName", "Hits"}, {"Values", {1, 2}}, {"Counts", {1}}}), "InvalidParameterValue",
       "MetricData[0].Counts, value: 1 counts, must have as many entries as Values (2)"},
      {"PutMetricData",
       put({{"MetricName", "Hits"},
            {"StatisticValues", {{"SampleCount", 2}, {"Sum", 3}, {"Minimum", 2}, {"Maximum", 1}}}}),
       "InvalidParameterValue", "MetricData[0].StatisticValues.Minimum, value: 2, must not be greater than Maximum"},
      {"PutMetricData",
       put({{"MetricName", "Hits"}, {"StatisticValues", {{"Sum", 3}, {"Minimum", 1}, {"Maximum", 2}}}}),
       "MissingParameter", "Missing required parameter MetricData[0].StatisticValues.SampleCount"},
      {"PutMetricData",
       put(with(datum, {{"Dimensions", {{{"Name", "A"}, {"Value", "1"}}, {{"Name", "A"}, {"Value", "2"}}}}})),
       "InvalidParameterValue",
       "Invalid value for parameter MetricData[0].Dimensions, value: A, a dimension name may "
       "appear once"},
      {"PutMetricData", put(with(datum, {{"Value", 1e300}})), "InvalidParameterValue",
       "MetricData[0].Value, value: 1e+300, valid values: -2^360 to 2^360"},
      {"PutMetricData", put(with(datum, {{"MetricName", "bad\tname"}})), "InvalidParameterValue",
       "MetricData[0].MetricName"},
      {"GetMetricStatistics", with(stats, {{"Statistics", nullptr}}), "InvalidParameterCombination",
       "at least one of the parameters Statistics and ExtendedStatistics must be specified"},
      {"GetMetricStatistics", with(stats, {{"Period", 7}}), "InvalidParameterValue",
       "Invalid value for parameter Period, value: 7, valid values: 1, 5, 10, 30 or a multiple of 60"},
      {"GetMetricStatistics", with(stats, {{"Statistics", {"Median"}}}), "InvalidParameterValue",
       "Invalid value for parameter Statistics[0], value: Median, valid values: SampleCount, Average"},
      {"GetMetricStatistics", with(stats, {{"ExtendedStatistics", {"p99", "p999"}}}), "InvalidParameterValue",
       "Invalid value for parameter ExtendedStatistics[1], value: p999, valid values: percentiles"},
      {"GetMetricStatistics", with(stats, {{"Period", 1}}), "InvalidParameterCombination",
       "the request covers 3600 periods of Period 1, more than the limit of 1440 datapoints"},
      {"GetMetricStatistics", with(stats, {{"EndTime", kNow - 7200}}), "InvalidParameterValue",
       "Invalid value for parameter EndTime, value: 2023-11-14T21:30:00Z, must be later than StartTime"},
      {"GetMetricStatistics", with(stats, {{"Namespace", ":x"}}), "InvalidParameterValue",
       "Invalid value for parameter Namespace, value: :x, must not start with ':'"},
      {"GetMetricData", data({{"Id", "M2"}, {"Expression", "m1*2"}}), "InvalidParameterValue",
       "Invalid value for parameter MetricDataQueries[1].Id, value: M2, must start with a lowercase letter"},
      {"GetMetricData", data({{"Id", "e1"}, {"Expression", "m1 *"}}), "InvalidParameterValue",
       "Invalid value for parameter MetricDataQueries[1].Expression, value: m1 *, syntax error at character 5"},
      {"GetMetricData", data({{"Id", "e1"}, {"Expression", "m9 * 2"}}), "InvalidParameterValue",
       "Invalid value for parameter MetricDataQueries[1].Expression, value: (expression), at character 1: no query "
       "has the id m9"},
      {"GetMetricData", data({{"Id", "e1"}, {"Expression", "ANOMALY_DETECTION_BAND(m1, 0)"}}), "InvalidParameterValue",
       "the second argument of ANOMALY_DETECTION_BAND must be a positive number"},
      {"GetMetricData", data({{"Id", "m1"}, {"Expression", "2 * 2"}, {"ReturnData", false}}), "InvalidParameterValue",
       "Invalid value for parameter MetricDataQueries[1].Id, value: m1, the id m1 is used by more than one query"},
      {"GetMetricData", data(with(m1, {{"Id", "e1"}, {"Expression", "m1"}})), "InvalidParameterCombination",
       "MetricDataQueries[1].MetricStat and MetricDataQueries[1].Expression are mutually exclusive"},
      {"GetMetricData", data(with(m1, {{"Id", "m2"}, {"MetricStat", {{"Stat", "Median"}}}})), "InvalidParameterValue",
       "Invalid value for parameter MetricDataQueries[1].MetricStat.Stat, value: Median"},
      {"GetMetricData", with(data({{"Id", "e1"}, {"Expression", "m1"}}), {{"ScanBy", "Sideways"}}),
       "InvalidParameterValue", "Invalid value for parameter ScanBy, value: Sideways"},
      {"GetMetricData", with(data({{"Id", "e1"}, {"Expression", "m1"}}), {{"NextToken", "garbage"}}),
       "InvalidParameterValue", "NextToken"},
      {"ListMetrics",
       {{"RecentlyActive", "PT1H"}},
       "InvalidParameterValue",
       "Invalid value for parameter RecentlyActive, value: PT1H, valid values: PT3H"},
      {"ListMetrics",
       {{"Dimensions", {{{"Value", "x"}}}}},
       "MissingParameter",
       "Missing required parameter Dimensions[0].Name"},
  };
  for (const Case& c : cases) {
    HttpResponse r = Call(c.op, c.body);
    const std::string want = Json() ? c.message : QueryPath(c.message);
    SCOPED_TRACE(std::string(c.op) + " " + c.body.dump());
    EXPECT_EQ(r.status, 400) << r.body;
    auto [code, message] = Error(r);
    EXPECT_EQ(code, c.code) << message;
    EXPECT_NE(message.find(want), std::string::npos) << "message: " << message << "\nwanted: " << want;
  }
}

TEST_P(CloudWatchTest, PutThenReadEveryFormAndPage) {
  // Values with counts, a statistic set and single values in separate seconds, high resolution.
  json put = {{"Namespace", "App/Test"},
              {"MetricData",
               {{{"MetricName", "Latency"},
                 {"Dimensions", {{{"Name", "Shop"}, {"Value", "eu"}}}},
                 {"Timestamp", kNow - 600},
                 {"Values", {1, 2, 3}},
                 {"Counts", {1, 1, 2}},
                 {"Unit", "Milliseconds"},
                 {"StorageResolution", 1}},
                {{"MetricName", "Latency"},
                 {"Dimensions", {{{"Name", "Shop"}, {"Value", "eu"}}}},
                 {"Timestamp", kNow - 599},
                 {"StatisticValues", {{"SampleCount", 4}, {"Sum", 40}, {"Minimum", 4}, {"Maximum", 16}}},
                 {"Unit", "Milliseconds"},
                 {"StorageResolution", 1}}}}};
  for (int i = 0; i < 5; ++i)
    put["MetricData"].push_back({{"MetricName", "Latency"},
                                 {"Dimensions", {{{"Name", "Shop"}, {"Value", "eu"}}}},
                                 {"Timestamp", kNow - 590 + i},
                                 {"Value", 100 + i},
                                 {"Unit", "Milliseconds"},
                                 {"StorageResolution", 1}});
  HttpResponse r = Call("PutMetricData", put);
  ASSERT_EQ(r.status, 200) << r.body;
  const json dims = {{{"Name", "Shop"}, {"Value", "eu"}}};
  const json metric = {{"Namespace", "App/Test"}, {"MetricName", "Latency"}, {"Dimensions", dims}};
  // GetMetricData: 1-s sums of the first two seconds, then every value's p50
  // over one period; two points per page.
  json queries = {{{"Id", "s"}, {"MetricStat", {{"Metric", metric}, {"Period", 1}, {"Stat", "Sum"}}}},
                  {{"Id", "c"},
                   {"MetricStat", {{"Metric", metric}, {"Period", 60}, {"Stat", "SampleCount"}}},
                   {"ReturnData", false}},
                  {{"Id", "avg"}, {"Expression", "s / 2"}, {"Label", "half"}}};
  json request = {{"MetricDataQueries", queries},
                  {"StartTime", kNow - 600},
                  {"EndTime", kNow - 598},
                  {"ScanBy", "TimestampAscending"},
                  {"MaxDatapoints", 3}};
  r = Call("GetMetricData", request);
  ASSERT_EQ(r.status, 200) << r.body;
  if (Json()) {
    json out = json::parse(r.body);
    EXPECT_EQ(out["MetricDataResults"][0]["Values"], json({9.0, 40.0}));
    EXPECT_EQ(out["MetricDataResults"][0]["StatusCode"], "Complete");
    EXPECT_EQ(out["MetricDataResults"][1]["Values"], json({4.5}));
    EXPECT_EQ(out["MetricDataResults"][1]["StatusCode"], "PartialData");
    ASSERT_TRUE(out.contains("NextToken"));
    request["NextToken"] = out["NextToken"];
    out = json::parse(Call("GetMetricData", request).body);
    EXPECT_EQ(out["MetricDataResults"][0]["Values"], json::array());
    EXPECT_EQ(out["MetricDataResults"][1]["Values"], json({20.0}));
    EXPECT_EQ(out["MetricDataResults"][1]["Timestamps"], json({kNow - 599}));
    EXPECT_FALSE(out.contains("NextToken"));
  } else {
    EXPECT_NE(r.body.find("<StatusCode>PartialData</StatusCode>"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("<NextToken>"), std::string::npos) << r.body;
  }
  json stats = {{"Namespace", "App/Test"},
                {"MetricName", "Latency"},
                {"Dimensions", dims},
                {"StartTime", kNow - 660},
                {"EndTime", kNow - 540},
                {"Period", 60},
                {"Statistics", {"SampleCount", "Sum", "Average", "Minimum", "Maximum"}},
                {"ExtendedStatistics", {"p50", "p90"}},
                {"Unit", "Milliseconds"}};
  r = Call("GetMetricStatistics", stats);
  ASSERT_EQ(r.status, 200) << r.body;
  // 13 values, sum 559. The Values of one second are one aggregate (1, 3 and
  // the rest's mean 2.5 twice), so is the statistic set (4, 16, 10, 10);
  // percentiles rank 1 2.5 2.5 3 4 10 10 16 100 101 102 103 104.
  if (Json()) {
    EXPECT_EQ(json::parse(r.body)["Datapoints"],
              json::parse(R"([{"Timestamp": 1700004000, "SampleCount": 13.0, "Sum": 559.0, "Average": 43.0,
                               "Minimum": 1.0, "Maximum": 104.0, "ExtendedStatistics": {"p50": 10.0, "p90": 103.0},
                               "Unit": "Milliseconds"}])"));
  } else {
    EXPECT_NE(r.body.find("<SampleCount>13</SampleCount><Sum>559</Sum><Timestamp>2023-11-14T23:20:00Z</Timestamp>"),
              std::string::npos)
        << r.body;
  }
}

// The alarm captures replayed: create, describe, set state, history, delete.
TEST_P(CloudWatchTest, AlarmLifecycleFromCapturedRequests) {
  HttpResponse put = Replay("PutMetricAlarm.txt");
  ASSERT_EQ(put.status, 200) << put.body;
  HttpResponse described = Replay("DescribeAlarms.txt");
  ASSERT_EQ(described.status, 200) << described.body;
  const std::string arn = "arn:aws:cloudwatch:us-east-1:000000000000:alarm:high-connections";
  if (Json()) {
    const json alarms = json::parse(described.body)["MetricAlarms"];
    ASSERT_EQ(alarms.size(), 1u) << described.body;
    const json& a = alarms[0];
    EXPECT_EQ(a["AlarmArn"], arn);
    EXPECT_EQ(a["StateValue"], "INSUFFICIENT_DATA");
    EXPECT_EQ(a["StateReason"], "Unchecked: Initial alarm creation");
    EXPECT_EQ(a["StateUpdatedTimestamp"], kNow);
    EXPECT_EQ(a["AlarmConfigurationUpdatedTimestamp"], kNow);
    EXPECT_EQ(a["Statistic"], "Average");
    EXPECT_EQ(a["Period"], 300);
    EXPECT_EQ(a["Threshold"], 80.0);
    EXPECT_EQ(a["Dimensions"], json::parse(R"([{"Name": "DBInstanceIdentifier", "Value": "X"}])"));
    EXPECT_EQ(a["AlarmActions"], json::parse(R"(["arn:aws:sns:us-east-1:000000000000:alerts"])"));
    EXPECT_FALSE(a.contains("DatapointsToAlarm"));
    EXPECT_FALSE(a.contains("StateReasonData"));
  } else {
    EXPECT_NE(described.body.find("<AlarmArn>" + arn + "</AlarmArn>"), std::string::npos) << described.body;
    EXPECT_NE(described.body.find("<StateReason>Unchecked: Initial alarm creation</StateReason>"), std::string::npos);
    EXPECT_NE(described.body.find("<StateUpdatedTimestamp>2023-11-14T23:30:00Z</StateUpdatedTimestamp>"),
              std::string::npos);
    EXPECT_NE(described.body.find("<OKActions></OKActions>"), std::string::npos);
    EXPECT_NE(described.body.find("<CompositeAlarms></CompositeAlarms>"), std::string::npos);
  }

  clock_.Advance(std::chrono::minutes(1));
  HttpResponse set = Replay("SetAlarmState.txt");
  ASSERT_EQ(set.status, 200) << set.body;
  HttpResponse history = Replay("DescribeAlarmHistory.txt");
  ASSERT_EQ(history.status, 200) << history.body;
  if (Json()) {
    const json items = json::parse(history.body)["AlarmHistoryItems"];
    ASSERT_EQ(items.size(), 1u) << history.body;
    EXPECT_EQ(items[0]["HistorySummary"], "Alarm updated from INSUFFICIENT_DATA to ALARM");
    EXPECT_EQ(items[0]["HistoryItemType"], "StateUpdate");
    EXPECT_EQ(items[0]["Timestamp"], kNow + 60);
    EXPECT_EQ(json::parse(items[0]["HistoryData"].get<std::string>())["newState"]["stateReason"], "testing");
  } else {
    EXPECT_NE(history.body.find("<HistorySummary>Alarm updated from INSUFFICIENT_DATA to ALARM</HistorySummary>"),
              std::string::npos)
        << history.body;
  }
  described = Call("DescribeAlarms", {{"StateValue", "ALARM"}});
  EXPECT_NE(described.body.find("testing"), std::string::npos) << described.body;

  // The capture also names high-load, which does not exist: nothing is deleted.
  HttpResponse del = Replay("DeleteAlarms.txt");
  EXPECT_EQ(del.status, 404);
  EXPECT_EQ(Error(del).first, "ResourceNotFound");
  ASSERT_EQ(Call("DeleteAlarms", {{"AlarmNames", {"high-connections"}}}).status, 200);
  described = Call("DescribeAlarms", json::object());
  EXPECT_EQ(described.body.find("high-connections"), std::string::npos) << described.body;
}

TEST_P(CloudWatchTest, AlarmRequestErrorsNameTheParameter) {
  const json good = json::parse(R"({"AlarmName": "low", "Namespace": "App", "MetricName": "Depth",
      "Statistic": "Minimum", "Period": 60, "EvaluationPeriods": 2, "Threshold": 10,
      "ComparisonOperator": "LessThanThreshold"})");
  ASSERT_EQ(Call("PutMetricAlarm", good).status, 200);
  struct Case {
    json patch;
    std::string code;
    std::string message_part;
  };
  const Case cases[] = {
      {{{"DatapointsToAlarm", 3}},
       "InvalidParameterValue",
       "DatapointsToAlarm must be less than or equal to EvaluationPeriods"},
      {{{"ComparisonOperator", "Bigger"}}, "InvalidParameterValue", "ComparisonOperator"},
      {{{"TreatMissingData", "sometimes"}}, "InvalidParameterValue", "TreatMissingData"},
      {{{"Period", 45}}, "InvalidParameterValue", "Period"},
      {{{"EvaluationPeriods", nullptr}}, "MissingParameter", "EvaluationPeriods"},
      {{{"ComparisonOperator", "LessThanLowerOrGreaterThanUpperThreshold"},
        {"Threshold", nullptr},
        {"ThresholdMetricId", "ad1"}},
       "InvalidParameterValue",
       "Metrics list must contain exactly one metric matching the ThresholdMetricId parameter"},
      {{{"ComparisonOperator", "GreaterThanUpperThreshold"}, {"Threshold", nullptr}},
       "InvalidParameterValue",
       "ComparisonOperators for ranges require ThresholdMetricId to be set"},
  };
  for (const Case& c : cases) {
    json body = good;
    body.merge_patch(c.patch);
    HttpResponse r = Call("PutMetricAlarm", body);
    EXPECT_EQ(r.status, 400) << c.patch.dump();
    auto [code, message] = Error(r);
    EXPECT_EQ(code, c.code) << c.patch.dump();
    EXPECT_NE(message.find(c.message_part), std::string::npos) << message;
  }
  HttpResponse unknown = Call("SetAlarmState", {{"AlarmName", "nope"}, {"StateValue", "OK"}, {"StateReason", "x"}});
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(Error(unknown).first, "ResourceNotFound");
  HttpResponse bad_data = Call(
      "SetAlarmState", {{"AlarmName", "low"}, {"StateValue", "OK"}, {"StateReason", "x"}, {"StateReasonData", "[1]"}});
  EXPECT_EQ(bad_data.status, 400);
  EXPECT_NE(Error(bad_data).second.find("StateReasonData"), std::string::npos);
  HttpResponse both = Call("DescribeAlarms", {{"AlarmNames", {"low"}}, {"AlarmNamePrefix", "l"}});
  EXPECT_EQ(Error(both).first, "InvalidParameterCombination");
}

// An anomaly-band alarm: Metrics and ThresholdMetricId are kept and shown,
// the single-metric members are not; a bad band expression names Metrics.
TEST_P(CloudWatchTest, BandAlarmKeepsItsMetricsList) {
  json body = json::parse(R"j({"AlarmName": "band", "EvaluationPeriods": 2, "DatapointsToAlarm": 1,
      "ComparisonOperator": "LessThanLowerOrGreaterThanUpperThreshold", "ThresholdMetricId": "ad1",
      "Metrics": [{"Id": "m1", "ReturnData": true, "MetricStat": {"Metric": {"Namespace": "App",
        "MetricName": "Depth", "Dimensions": [{"Name": "Queue", "Value": "jobs"}]}, "Period": 300, "Stat": "p90"}},
        {"Id": "ad1", "Expression": "ANOMALY_DETECTION_BAND(m1, 2)", "Label": "Depth (expected)", "ReturnData": true}]})j");
  HttpResponse put = Call("PutMetricAlarm", body);
  ASSERT_EQ(put.status, 200) << put.body;
  HttpResponse described = Call("DescribeAlarms", {{"AlarmNames", {"band"}}});
  ASSERT_EQ(described.status, 200) << described.body;
  if (Json()) {
    const json a = json::parse(described.body)["MetricAlarms"][0];
    EXPECT_EQ(a["ThresholdMetricId"], "ad1");
    EXPECT_EQ(a["Metrics"], body["Metrics"]);
    EXPECT_FALSE(a.contains("MetricName"));
    EXPECT_FALSE(a.contains("Period"));
    EXPECT_FALSE(a.contains("Threshold"));
  } else {
    EXPECT_NE(described.body.find("<ThresholdMetricId>ad1</ThresholdMetricId>"), std::string::npos) << described.body;
    EXPECT_NE(described.body.find("<Expression>ANOMALY_DETECTION_BAND(m1, 2)</Expression>"), std::string::npos);
    EXPECT_NE(described.body.find("<Stat>p90</Stat>"), std::string::npos);
  }
  json bad = body;
  bad["Metrics"][1]["Expression"] = "ANOMALY_DETECTION_BAND(m1, -1)";
  auto [code, message] = Error(Call("PutMetricAlarm", bad));
  EXPECT_EQ(code, "InvalidParameterValue");
  EXPECT_NE(message.find("Invalid metrics list: the Expression of ad1: at character 28: the second argument of "
                         "ANOMALY_DETECTION_BAND must be a positive number"),
            std::string::npos)
      << message;
  bad = body;
  bad["Metrics"][0]["ReturnData"] = false;
  EXPECT_NE(Error(Call("PutMetricAlarm", bad))
                .second.find("Exactly two elements of the metrics list should return "
                             "data."),
            std::string::npos);
}

TEST_P(CloudWatchTest, DescribeAlarmsFiltersPagesAndSwitchesActions) {
  json body = json::parse(R"({"Namespace": "App", "MetricName": "Depth", "Statistic": "Minimum", "Period": 60,
      "EvaluationPeriods": 1, "Threshold": 10, "ComparisonOperator": "LessThanThreshold"})");
  for (const char* name : {"a1", "a2", "b1"}) {
    body["AlarmName"] = name;
    ASSERT_EQ(Call("PutMetricAlarm", body).status, 200);
  }
  // Only JSON is parsed here: the filters and pages are the same code for both.
  HttpResponse first = Call("DescribeAlarms", {{"AlarmNamePrefix", "a"}, {"MaxRecords", 1}});
  ASSERT_EQ(first.status, 200) << first.body;
  if (!Json()) {
    EXPECT_NE(first.body.find("<NextToken>"), std::string::npos);
    return;
  }
  const json page1 = json::parse(first.body);
  ASSERT_EQ(page1["MetricAlarms"].size(), 1u);
  EXPECT_EQ(page1["MetricAlarms"][0]["AlarmName"], "a1");
  const json page2 = json::parse(
      Call("DescribeAlarms", {{"AlarmNamePrefix", "a"}, {"MaxRecords", 1}, {"NextToken", page1["NextToken"]}}).body);
  ASSERT_EQ(page2["MetricAlarms"].size(), 1u);
  EXPECT_EQ(page2["MetricAlarms"][0]["AlarmName"], "a2");
  EXPECT_FALSE(page2.contains("NextToken"));
  EXPECT_TRUE(json::parse(Call("DescribeAlarms", {{"StateValue", "OK"}}).body)["MetricAlarms"].empty());
  ASSERT_EQ(Call("DisableAlarmActions", {{"AlarmNames", {"b1"}}}).status, 200);
  const json b1 = json::parse(Call("DescribeAlarms", {{"AlarmNames", {"b1"}}}).body)["MetricAlarms"];
  ASSERT_EQ(b1.size(), 1u);
  EXPECT_EQ(b1[0]["ActionsEnabled"], false);
  const json configured =
      json::parse(Call("DescribeAlarmHistory", {{"HistoryItemType", "ConfigurationUpdate"}}).body)["AlarmHistoryItems"];
  EXPECT_EQ(configured.size(), 3u);
}

// The detector captures (aws-cli 2.9 and 1.45 both send the deprecated
// top-level members), the newer SingleMetricAnomalyDetector form, and errors.
TEST_P(CloudWatchTest, AnomalyDetectorsPutDescribeDelete) {
  HttpResponse put = Replay("PutAnomalyDetector.txt");
  ASSERT_EQ(put.status, 200) << put.body;
  const json single = json::parse(R"({"SingleMetricAnomalyDetector": {"Namespace": "RDS/PerformanceInsights",
      "MetricName": "DBLoad", "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": "X"}], "Stat": "p99"},
      "Configuration": {"ExcludedTimeRanges": [{"StartTime": 1700000000, "EndTime": 1700003600}],
                        "MetricTimezone": "UTC"}})");
  ASSERT_EQ(Call("PutAnomalyDetector", single).status, 200);
  HttpResponse described = Replay("DescribeAnomalyDetectors.txt");
  ASSERT_EQ(described.status, 200) << described.body;
  if (Json()) {
    const json detectors = json::parse(described.body)["AnomalyDetectors"];
    ASSERT_EQ(detectors.size(), 2u) << described.body;
    EXPECT_EQ(detectors[0]["Stat"], "Average");
    EXPECT_EQ(detectors[0]["StateValue"], "PENDING_TRAINING");
    EXPECT_EQ(detectors[0]["SingleMetricAnomalyDetector"]["MetricName"], "DBLoad");
    EXPECT_EQ(detectors[0]["Configuration"], json::parse(R"({"ExcludedTimeRanges": []})"));
    EXPECT_EQ(detectors[1]["Stat"], "p99");
    EXPECT_EQ(detectors[1]["Configuration"]["ExcludedTimeRanges"][0]["EndTime"], 1700003600);
    EXPECT_EQ(detectors[1]["Configuration"]["MetricTimezone"], "UTC");
  } else {
    EXPECT_NE(described.body.find("<Stat>p99</Stat>"), std::string::npos) << described.body;
    EXPECT_NE(described.body.find("<EndTime>2023-11-14T23:13:20Z</EndTime>"), std::string::npos) << described.body;
  }
  HttpResponse del = Replay("DeleteAnomalyDetector.txt");
  ASSERT_EQ(del.status, 200) << del.body;
  HttpResponse again = Replay("DeleteAnomalyDetector.txt");
  EXPECT_EQ(again.status, 404);
  EXPECT_EQ(Error(again).first, "ResourceNotFound");
  described = Call("DescribeAnomalyDetectors", {{"Dimensions", {{{"Name", "DBInstanceIdentifier"}, {"Value", "X"}}}}});
  EXPECT_EQ(described.body.find("Average"), std::string::npos) << described.body;
  EXPECT_NE(described.body.find("p99"), std::string::npos) << described.body;

  json both = single;
  both["Namespace"] = "App";
  EXPECT_EQ(Error(Call("PutAnomalyDetector", both)).first, "InvalidParameterCombination");
  json bad_stat = single;
  bad_stat["SingleMetricAnomalyDetector"]["Stat"] = "Median";
  auto [code, message] = Error(Call("PutAnomalyDetector", bad_stat));
  EXPECT_EQ(code, "InvalidParameterValue");
  EXPECT_NE(message.find("SingleMetricAnomalyDetector.Stat, value: Median"), std::string::npos) << message;
}

TEST_P(CloudWatchTest, DashboardLifecycleFromCapturedRequests) {
  HttpResponse put = Replay("PutDashboard.txt");
  ASSERT_EQ(put.status, 200) << put.body;
  if (Json()) {
    EXPECT_EQ(json::parse(put.body), json::parse(R"({"DashboardValidationMessages": []})"));
  } else {
    EXPECT_NE(put.body.find("<PutDashboardResult><DashboardValidationMessages></DashboardValidationMessages>"),
              std::string::npos)
        << put.body;
  }
  const std::string body =
      R"({"widgets":[{"type":"metric","x":0,"y":0,"width":12,"height":6,"properties":{"metrics":[["RDS/PerformanceInsights","DBLoad","DBInstanceIdentifier","X"]],"period":300,"stat":"Average","region":"us-east-1"}}]})";
  const std::string arn = "arn:aws:cloudwatch::000000000000:dashboard/db-perf";
  HttpResponse got = Replay("GetDashboard.txt");
  ASSERT_EQ(got.status, 200) << got.body;
  HttpResponse listed = Replay("ListDashboards.txt");
  ASSERT_EQ(listed.status, 200) << listed.body;
  if (Json()) {
    EXPECT_EQ(json::parse(got.body),
              (json{{"DashboardArn", arn}, {"DashboardBody", body}, {"DashboardName", "db-perf"}}));
    EXPECT_EQ(
        json::parse(listed.body),
        (json{
            {"DashboardEntries",
             {{{"DashboardName", "db-perf"}, {"DashboardArn", arn}, {"LastModified", kNow}, {"Size", body.size()}}}}}));
  } else {
    std::string escaped = std::regex_replace(body, std::regex("\""), "&quot;");
    EXPECT_NE(got.body.find("<DashboardBody>" + escaped + "</DashboardBody>"), std::string::npos) << got.body;
    EXPECT_NE(got.body.find("<DashboardArn>" + arn + "</DashboardArn>"), std::string::npos) << got.body;
    for (const std::string& element :
         std::vector<std::string>{"<DashboardName>db-perf</DashboardName>", "<DashboardArn>" + arn + "</DashboardArn>",
                                  std::string("<LastModified>2023-11-14T23:30:00Z</LastModified>"),
                                  "<Size>" + std::to_string(body.size()) + "</Size>"})
      EXPECT_NE(listed.body.find(element), std::string::npos) << element << " in " << listed.body;
  }

  // The capture also names "other", which does not exist: nothing is deleted.
  HttpResponse del = Replay("DeleteDashboards.txt");
  EXPECT_EQ(del.status, 404);
  EXPECT_EQ(Error(del),
            (std::pair<std::string, std::string>{"ResourceNotFound", "The specified dashboard does not exist: other"}));
  if (Json()) {
    EXPECT_EQ(json::parse(del.body)["__type"], "DashboardNotFoundError");
  }
  ASSERT_EQ(Call("PutDashboard", {{"DashboardName", "other"}, {"DashboardBody", R"({"widgets":[]})"}}).status, 200);
  del = Replay("DeleteDashboards.txt");
  ASSERT_EQ(del.status, 200) << del.body;
  if (!Json()) {
    EXPECT_NE(del.body.find("<DeleteDashboardsResult></DeleteDashboardsResult>"), std::string::npos);
  }
  HttpResponse gone = Replay("GetDashboard.txt");
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(Error(gone), (std::pair<std::string, std::string>{"ResourceNotFound", "Dashboard db-perf does not exist"}));
}

TEST_P(CloudWatchTest, DashboardErrorsAndWarnings) {
  HttpResponse invalid = Call(
      "PutDashboard", {{"DashboardName", "d"}, {"DashboardBody", R"({"widgets":[{"type":"text","properties":{}}]})"}});
  EXPECT_EQ(invalid.status, 400);
  EXPECT_EQ(Error(invalid).first, "InvalidParameterInput");
  // The message lists the errors as JSON over several lines (quotes escaped in XML).
  EXPECT_NE(invalid.body.find("there are 1 validation errors:"), std::string::npos) << invalid.body;
  EXPECT_NE(invalid.body.find("/widgets/0/properties"), std::string::npos) << invalid.body;
  if (Json()) {
    EXPECT_EQ(json::parse(invalid.body)["__type"], "DashboardInvalidInputError");
  }

  const std::pair<json, std::pair<std::string, std::string>> cases[] = {
      {{{"DashboardName", "d"}, {"DashboardBody", "{"}},
       {"InvalidParameterInput", "The field DashboardBody must be a valid JSON object"}},
      {{{"DashboardName", "a b"}, {"DashboardBody", R"({"widgets":[]})"}},
       {"InvalidParameterInput",
        "The value for field DashboardName contains invalid characters. It can only contain alphanumerics, dash (-) "
        "and underscore (_)."}},
      {{{"DashboardBody", R"({"widgets":[]})"}}, {"MissingParameter", "Missing required parameter DashboardName"}},
  };
  for (const auto& [request, expected] : cases) {
    HttpResponse r = Call("PutDashboard", request);
    EXPECT_EQ(r.status, 400) << request.dump();
    EXPECT_EQ(Error(r), expected) << request.dump();
  }
  HttpResponse bad_get = Call("GetDashboard", {{"DashboardName", "a/b"}});
  EXPECT_EQ(bad_get.status, 400);
  EXPECT_EQ(Error(bad_get).first, "InvalidParameterValue");
  HttpResponse bad_prefix = Call("ListDashboards", {{"DashboardNamePrefix", "a b"}});
  EXPECT_EQ(Error(bad_prefix).first, "InvalidParameterValue");

  // Warnings come back with the stored dashboard.
  HttpResponse warned =
      Call("PutDashboard",
           {{"DashboardName", "x"}, {"DashboardBody", R"({"widgets":[{"type":"explorer","properties":{}}]})"}});
  ASSERT_EQ(warned.status, 200) << warned.body;
  if (Json()) {
    const json messages = json::parse(warned.body)["DashboardValidationMessages"];
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0]["DataPath"], "/widgets/0/type");
  } else {
    EXPECT_NE(warned.body.find("<DataPath>/widgets/0/type</DataPath>"), std::string::npos) << warned.body;
  }
}

TEST_P(CloudWatchTest, ListDashboardsByPrefixAndPage) {
  for (int i = 0; i < 1001; ++i) {
    const std::string name = (i % 2 ? "RDS-Performance-" : "ops-") + std::to_string(i);
    ASSERT_TRUE(dashboards_->Put(name, R"({"widgets":[]})", clock_.Now()).ok());
  }
  // Only JSON is parsed here: paging is the same code for both.
  if (!Json()) return;
  json first = json::parse(Call("ListDashboards", json::object()).body);
  ASSERT_EQ(first["DashboardEntries"].size(), 1000u);
  ASSERT_TRUE(first.contains("NextToken"));
  json rest = json::parse(Call("ListDashboards", {{"NextToken", first["NextToken"]}}).body);
  EXPECT_EQ(rest["DashboardEntries"].size(), 1u);
  EXPECT_FALSE(rest.contains("NextToken"));
  json prefixed = json::parse(Call("ListDashboards", {{"DashboardNamePrefix", "RDS-"}}).body);
  EXPECT_EQ(prefixed["DashboardEntries"].size(), 500u);
  EXPECT_FALSE(prefixed.contains("NextToken"));
  HttpResponse replayed = Call("ListDashboards", {{"DashboardNamePrefix", "ops"}, {"NextToken", first["NextToken"]}});
  EXPECT_EQ(replayed.status, 400);
}

}  // namespace
}  // namespace dbinsight::api::cloudwatch
