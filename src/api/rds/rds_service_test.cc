#include "api/rds/rds_service.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "api/protocol/query_dispatcher.h"

namespace dbinsight::api::rds {
namespace {

std::vector<model::InstanceInfo> Instances() {
  std::vector<model::InstanceInfo> v(3);
  v[0].id = "pg-b";
  v[0].resource_id = "db-BBBB";
  v[0].engine = "postgres";
  v[0].host = "10.0.0.2";
  v[0].port = 5433;
  v[0].sampling_live = false;
  v[0].role = "replica";
  v[0].replica_of = "pg-a";
  v[1].id = "pg-a";
  v[1].resource_id = "db-AAAA";
  v[1].engine = "postgres";
  v[1].host = "127.0.0.1";
  v[1].port = 5432;
  v[1].sampling_live = true;
  v[1].role = "primary";
  v[1].version = "15.18";
  v[2].id = "maria";
  v[2].resource_id = "db-MMMM";
  v[2].engine = "mariadb";
  v[2].host = "db<&>host";
  v[2].port = 3306;
  v[2].sampling_live = true;
  return v;
}

class RdsServiceTest : public ::testing::Test {
 protected:
  RdsServiceTest()
      : service_(Instances),
        dispatcher_(std::string(kSigningName), std::string(kVersion), std::string(kXmlns), kErrors) {
    service_.Register(dispatcher_);
    ctx_.request_id = "rid";
  }
  HttpResponse Call(std::string form) {
    auto params = protocol::ParseFormEncoded("Action=DescribeDBInstances&Version=2014-10-31&" + form);
    EXPECT_TRUE(params.ok());
    EXPECT_TRUE(dispatcher_.Accepts(params.value(), ctx_));
    return dispatcher_.Dispatch(params.value(), ctx_);
  }

  RdsService service_;
  protocol::QueryDispatcher dispatcher_;
  protocol::RequestContext ctx_;
};

TEST_F(RdsServiceTest, DescribesEveryInstanceSortedById) {
  HttpResponse r = Call("");
  EXPECT_EQ(r.status, 200);
  std::ifstream in(std::string(API_TESTDATA_DIR) + "/rds_describe_db_instances.response.xml");
  std::stringstream golden;
  golden << in.rdbuf();
  std::string expected = golden.str();
  while (!expected.empty() && expected.back() == '\n') expected.pop_back();
  EXPECT_EQ(r.body, expected);
}

TEST_F(RdsServiceTest, FiltersByIdentifierAndFilters) {
  HttpResponse r = Call("DBInstanceIdentifier=pg-a");
  EXPECT_NE(r.body.find("<DbiResourceId>db-AAAA</DbiResourceId>"), std::string::npos);
  EXPECT_EQ(r.body.find("db-BBBB"), std::string::npos);
  r = Call("Filters.Filter.1.Name=engine&Filters.Filter.1.Values.Value.1=mariadb");
  EXPECT_NE(r.body.find("db-MMMM"), std::string::npos);
  EXPECT_EQ(r.body.find("db-AAAA"), std::string::npos);
  r = Call("Filters.Filter.1.Name=dbi-resource-id&Filters.Filter.1.Values.Value.1=db-BBBB&"
           "Filters.Filter.1.Values.Value.2=db-AAAA");
  EXPECT_NE(r.body.find("db-BBBB"), std::string::npos);
  EXPECT_NE(r.body.find("db-AAAA"), std::string::npos);
  EXPECT_EQ(r.body.find("db-MMMM"), std::string::npos);
  r = Call("Filters.Filter.1.Name=db-cluster-id&Filters.Filter.1.Values.Value.1=x");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("<Code>InvalidParameterValue</Code>"), std::string::npos);
}

TEST_F(RdsServiceTest, UnknownIdentifierIsDBInstanceNotFound) {
  HttpResponse r = Call("DBInstanceIdentifier=nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body,
            "<ErrorResponse xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\"><Error><Type>Sender</Type>"
            "<Code>DBInstanceNotFound</Code><Message>DBInstance nope not found.</Message></Error>"
            "<RequestId>rid</RequestId></ErrorResponse>");
}

TEST_F(RdsServiceTest, MaxRecordsAndMarker) {
  HttpResponse r = Call("MaxRecords=5");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Invalid value 5 for MaxRecords. Must be between 20 and 100."), std::string::npos);
  // Paging needs more than 20 instances.
  std::vector<model::InstanceInfo> many(45);
  for (size_t i = 0; i < many.size(); ++i) {
    many[i].id = "i" + std::to_string(100 + i);
    many[i].resource_id = "db-" + std::to_string(i);
  }
  RdsService big([&] { return many; });
  auto first = big.DescribeDBInstances({{"MaxRecords", "20"}});
  ASSERT_TRUE(first.ok());
  size_t m = first->find("<Marker>");
  ASSERT_NE(m, std::string::npos);
  std::string marker = first->substr(m + 8, first->find("</Marker>") - m - 8);
  auto second = big.DescribeDBInstances({{"MaxRecords", "20"}, {"Marker", marker}});
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->find("<DBInstanceIdentifier>i120</DBInstanceIdentifier>"), std::string::npos);
  EXPECT_EQ(second->find("<DBInstanceIdentifier>i119</DBInstanceIdentifier>"), std::string::npos);
  auto bad = big.DescribeDBInstances({{"Marker", "zzz"}});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace dbinsight::api::rds
