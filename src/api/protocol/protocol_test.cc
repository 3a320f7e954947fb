#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/protocol/errors.h"
#include "api/protocol/json_dispatcher.h"
#include "api/protocol/pagination.h"
#include "api/protocol/params.h"
#include "api/protocol/query_dispatcher.h"
#include "api/protocol/query_json.h"
#include "api/protocol/request_context.h"
#include "api/protocol/timestamps.h"
#include "api/protocol/utf8.h"
#include "api/protocol/xml_writer.h"

namespace dbinsight::api::protocol {
namespace {

using nlohmann::json;

constexpr ErrorVocabulary kTestErrors = {
    .invalid_argument = {"InvalidArgumentException", 400},
    .not_found = {"InvalidArgumentException", 400},
    .unavailable = {"InternalServiceError", 500},
    .resource_exhausted = {"ThrottlingException", 400},
    .internal = {"InternalServiceError", 500},
};

double Epoch(std::string_view text) {
  auto t = ParseTimestampString(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t ? ToEpochSeconds(*t) : -1;
}

TEST(TimestampTest, AcceptsEpochAndIsoForms) {
  EXPECT_DOUBLE_EQ(Epoch("1700000000"), 1700000000);
  EXPECT_DOUBLE_EQ(Epoch("1700000000.5"), 1700000000.5);
  EXPECT_DOUBLE_EQ(Epoch("2023-11-14T22:13:20Z"), 1700000000);
  EXPECT_DOUBLE_EQ(Epoch("2023-11-14t22:13:20z"), 1700000000);
  EXPECT_DOUBLE_EQ(Epoch("2023-11-14T22:13:20.250Z"), 1700000000.25);
  EXPECT_DOUBLE_EQ(Epoch("2023-11-14T22:13:20"), 1700000000);
  EXPECT_DOUBLE_EQ(Epoch("2023-11-14 22:13:20"), 1700000000);
  EXPECT_DOUBLE_EQ(Epoch("2023-11-14T22:13Z"), 1700000000 - 20);
  EXPECT_DOUBLE_EQ(Epoch("2023-11-14"), 1699920000);
  EXPECT_DOUBLE_EQ(Epoch("2023-11-14T23:13:20+01:00"), 1700000000);
  EXPECT_DOUBLE_EQ(Epoch("2023-11-14T23:13:20+0100"), 1700000000);
  EXPECT_DOUBLE_EQ(Epoch("2023-11-14T23:13:20+01"), 1700000000);
  EXPECT_DOUBLE_EQ(Epoch("2023-11-14T16:43:20-05:30"), 1700000000);
  EXPECT_DOUBLE_EQ(Epoch("2024-02-29T00:00:00Z"), 1709164800);
  EXPECT_DOUBLE_EQ(Epoch("1970-01-01T00:00:00Z"), 0);
}

TEST(TimestampTest, RejectsMalformedAndOutOfRange) {
  for (const char* bad : {"", "yesterday", "2023-11-14T", "2023-13-01", "2023-02-30", "2023-11-14T24:00:00Z",
                          "2023-11-14T22:60:00Z", "2023-11-14T22:13:20.Z", "2023-11-14T22:13:20+25:00",
                          "2023-11-14T22:13:20 UTC", "23-11-14", "1e9", "-5", "1969-12-31T23:59:59Z",
                          "10000-01-01T00:00:00Z", "nan", "0x10", "1700000000abc"}) {
    EXPECT_FALSE(ParseTimestampString(bad).has_value()) << bad;
  }
  EXPECT_FALSE(FromEpochSecondsChecked(-1).has_value());
  EXPECT_FALSE(FromEpochSecondsChecked(kMaxEpochSeconds).has_value());
  EXPECT_FALSE(FromEpochSecondsChecked(std::numeric_limits<double>::quiet_NaN()).has_value());
  EXPECT_TRUE(FromEpochSecondsChecked(kMaxEpochSeconds - 1).has_value());
}

TEST(TimestampTest, ReaderAcceptsJsonIntFloatAndString) {
  json body = {{"A", 1700000000}, {"B", 1700000000.75}, {"C", "2023-11-14T22:13:20Z"}};
  ParamErrors errors;
  ObjectReader r(body, "", errors);
  EXPECT_DOUBLE_EQ(ToEpochSeconds(*r.Timestamp("A", true)), 1700000000);
  EXPECT_DOUBLE_EQ(ToEpochSeconds(*r.Timestamp("B", true)), 1700000000.75);
  EXPECT_DOUBLE_EQ(ToEpochSeconds(*r.Timestamp("C", true)), 1700000000);
  EXPECT_FALSE(r.Timestamp("D", false).has_value());
  EXPECT_TRUE(errors.ok());
}

// Each rule's message, with the member's full path.
TEST(ParamsTest, NestedPathsAndFirstErrorWins) {
  json body = json::parse(R"({"Outer": {"Items": [{"N": 1}, {"N": 99}]}, "S": 5})");
  ParamErrors errors;
  ObjectReader root(body, "", errors);
  auto outer = root.Object("Outer", true);
  ASSERT_TRUE(outer.has_value());
  auto items = outer->ObjectList("Items", {.required = true, .min_items = 1, .max_items = 5});
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].Int("N", {.min = 1, .max = 25}), 1);
  EXPECT_FALSE(items[1].Int("N", {.min = 1, .max = 25}).has_value());
  EXPECT_FALSE(root.String("S", {.required = true}).has_value());  // a second error: not reported
  EXPECT_EQ(errors.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(errors.status().message(), "Invalid value for parameter Outer.Items[1].N, value: 99, valid max value: 25");
}

std::string FirstError(const json& body, const std::function<void(ObjectReader&)>& read) {
  ParamErrors errors;
  ObjectReader r(body, "Q[2]", errors);
  read(r);
  return errors.ok() ? "OK" : errors.status().message();
}

TEST(ParamsTest, EveryRuleNamesThePath) {
  json b = {{"s", "abc"}, {"n", 7}, {"l", {"x", "y"}}, {"m", {{"k", "v"}}}, {"o", {{"a", 1}}}};
  EXPECT_EQ(FirstError(b, [](ObjectReader& r) { (void)r.String("missing", {.required = true}); }),
            "Missing required parameter Q[2].missing");
  EXPECT_EQ(FirstError(b, [](ObjectReader& r) { (void)r.String("n", {}); }),
            "Invalid type for parameter Q[2].n, value: 7, type: number, valid types: string");
  EXPECT_EQ(FirstError(b, [](ObjectReader& r) { (void)r.String("s", {.min_length = 4}); }),
            "Invalid length for parameter Q[2].s, value: 3, valid min length: 4");
  EXPECT_EQ(FirstError(b, [](ObjectReader& r) { (void)r.String("s", {.max_length = 2}); }),
            "Invalid length for parameter Q[2].s, value: 3, valid max length: 2");
  static constexpr std::string_view kAllowed[] = {"X", "Y"};
  EXPECT_EQ(FirstError(b, [](ObjectReader& r) { (void)r.String("s", {.allowed = kAllowed}); }),
            "Invalid value for parameter Q[2].s, value: abc, valid values: X, Y");
  EXPECT_EQ(FirstError(b, [](ObjectReader& r) { (void)r.Int("s", {}); }),
            "Invalid type for parameter Q[2].s, value: abc, type: string, valid types: integer");
  static constexpr int64_t kPeriods[] = {1, 60};
  EXPECT_EQ(FirstError(b, [](ObjectReader& r) { (void)r.Int("n", {.allowed = kPeriods}); }),
            "Invalid value for parameter Q[2].n, value: 7, valid values: 1, 60");
  EXPECT_EQ(FirstError(b, [](ObjectReader& r) { (void)r.Int("n", {.min = 8}); }),
            "Invalid value for parameter Q[2].n, value: 7, valid min value: 8");
  EXPECT_EQ(FirstError(b, [](ObjectReader& r) { (void)r.StringList("l", {.max_items = 1}, {}); }),
            "Invalid length for parameter Q[2].l, value: 2, valid max length: 1");
  EXPECT_EQ(FirstError(b, [](ObjectReader& r) { (void)r.StringList("s", {}, {}); }),
            "Invalid type for parameter Q[2].s, value: abc, type: string, valid types: list");
  EXPECT_EQ(FirstError(b, [](ObjectReader& r) { (void)r.StringList("l", {}, {.allowed = kAllowed}); }),
            "Invalid value for parameter Q[2].l[0], value: x, valid values: X, Y");
  EXPECT_EQ(FirstError(b, [](ObjectReader& r) { (void)r.StringMap("l", false, {}, {}); }),
            "Invalid type for parameter Q[2].l, value: [\"x\",\"y\"], type: array, valid types: map");
  EXPECT_EQ(FirstError(b, [](ObjectReader& r) { (void)r.StringMap("m", false, {}, {.min_length = 2}); }),
            "Invalid length for parameter Q[2].m[k], value: 1, valid min length: 2");
  EXPECT_EQ(FirstError(b, [](ObjectReader& r) { (void)r.Object("s", false); }),
            "Invalid type for parameter Q[2].s, value: abc, type: string, valid types: structure");
  EXPECT_EQ(FirstError(b, [](ObjectReader& r) { (void)r.ObjectList("l", {}); }),
            "Invalid type for parameter Q[2].l[0], value: x, type: string, valid types: structure");
  EXPECT_EQ(FirstError(b, [](ObjectReader& r) { (void)r.Timestamp("o", false); }),
            "Invalid type for parameter Q[2].o, value: {\"a\":1}, type: object, valid types: timestamp (epoch "
            "seconds or ISO-8601 string)");
  EXPECT_EQ(FirstError(json::array(), [](ObjectReader&) {}),
            "Invalid type for parameter Q[2], value: [], type: array, valid types: object");
}

TEST(ParamsTest, PatternsOfTheNewModel) {
  EXPECT_TRUE(MatchesPattern("db-ABCDEFGHIJKLMNOPQRSTU1VW2X", Pattern::kIdentifier));
  EXPECT_FALSE(MatchesPattern("db_ABC", Pattern::kIdentifier));
  EXPECT_FALSE(MatchesPattern("", Pattern::kIdentifier));
  EXPECT_TRUE(MatchesPattern("db.wait_event.name", Pattern::kSanitized));
  EXPECT_TRUE(MatchesPattern("os.cpuUtilization.user.avg", Pattern::kSanitized));
  EXPECT_TRUE(MatchesPattern("a-b_c.d:e/f*g)h(i j", Pattern::kSanitized));
  EXPECT_FALSE(MatchesPattern("db.load;", Pattern::kSanitized));
  EXPECT_FALSE(MatchesPattern("caf\xc3\xa9", Pattern::kSanitized));
  EXPECT_TRUE(MatchesPattern("cDE6MTow_-=", Pattern::kNextToken));
  EXPECT_FALSE(MatchesPattern("a+b", Pattern::kNextToken));
  EXPECT_TRUE(MatchesPattern(" x ", Pattern::kNonBlank));
  EXPECT_FALSE(MatchesPattern(" \t", Pattern::kNonBlank));
}

TEST(ParamsTest, LongValuesAreCutInMessages) {
  json b = {{"s", std::string(300, 'x') + "!"}};
  std::string m = FirstError(b, [](ObjectReader& r) { (void)r.String("s", {.pattern = Pattern::kIdentifier}); });
  EXPECT_EQ(m, "Invalid value for parameter Q[2].s, value: " + std::string(100, 'x') +
                   "..., valid pattern: ^[a-zA-Z0-9-]+$");
}

TEST(Utf8Test, CutsAtSequenceBoundaries) {
  EXPECT_EQ(TruncateUtf8("hello", 500), "hello");
  EXPECT_EQ(TruncateUtf8("hello", 3), "hel");
  std::string two = "ab\xc3\xa9";  // "abé": é is 2 bytes
  EXPECT_EQ(TruncateUtf8(two, 3), "ab");
  EXPECT_EQ(TruncateUtf8(two, 4), two);
  std::string three = "a\xe2\x82\xac";  // "a€": € is 3 bytes
  EXPECT_EQ(TruncateUtf8(three, 2), "a");
  EXPECT_EQ(TruncateUtf8(three, 3), "a");
  EXPECT_EQ(TruncateUtf8(three + "b", 4), three);
  std::string four = "\xf0\x9f\x98\x80x";  // U+1F600 then x
  for (size_t n = 0; n < 4; ++n) EXPECT_EQ(TruncateUtf8(four, n), "") << n;
  EXPECT_EQ(TruncateUtf8(four, 4), "\xf0\x9f\x98\x80");
  // A 500-byte cut through the 250th two-byte character keeps 249 of them.
  std::string sql = "x";
  for (int i = 0; i < 300; ++i) sql += "\xc3\xa9";
  std::string_view cut = TruncateUtf8(sql, 500);
  EXPECT_EQ(cut.size(), 499u);
  EXPECT_EQ(TruncateUtf8(sql.substr(1), 500).size(), 500u);
  // Invalid bytes are single units.
  EXPECT_EQ(TruncateUtf8("ab\x80\x80\x80\x80", 3), "ab\x80");
}

TEST(PaginationTest, TokensRoundTripAndMatchThePattern) {
  for (size_t offset : {0ul, 1ul, 25ul, 123456789ul}) {
    std::string token = EncodePageToken(offset, 0xdeadbeef);
    EXPECT_TRUE(MatchesPattern(token, Pattern::kNextToken)) << token;
    auto back = DecodePageToken(token, 0xdeadbeef, "NextToken");
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back.value(), offset);
  }
}

TEST(PaginationTest, RejectsForeignAndMalformedTokens) {
  std::string token = EncodePageToken(5, 1);
  auto other = DecodePageToken(token, 2, "NextToken");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(other.status().message(), "Invalid value for parameter NextToken, value: " + token +
                                          ", the token was issued for a different request");
  auto junk = DecodePageToken("abc", 1, "Marker");
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.status().message(), "Invalid value for parameter Marker, value: abc, not a token this service issued");
  EXPECT_FALSE(DecodePageToken("cDE6eDow", 1, "NextToken").ok());  // "p1:x:0"
}

TEST(PaginationTest, SlicesAndChainsPages) {
  PageRequest page{.max_results = 10, .offset = 0, .fingerprint = 7};
  PageSlice s = Paginate(25, page);
  EXPECT_EQ(s.begin, 0u);
  EXPECT_EQ(s.end, 10u);
  ASSERT_TRUE(s.next_token);
  page.offset = DecodePageToken(*s.next_token, 7, "NextToken").value();
  s = Paginate(25, page);
  EXPECT_EQ(s.begin, 10u);
  EXPECT_EQ(s.end, 20u);
  page.offset = DecodePageToken(*s.next_token, 7, "NextToken").value();
  s = Paginate(25, page);
  EXPECT_EQ(s.begin, 20u);
  EXPECT_EQ(s.end, 25u);
  EXPECT_FALSE(s.next_token);
  // No limit (absent or 0): everything.
  EXPECT_EQ(Paginate(40, {.max_results = std::nullopt}).end, 40u);
  EXPECT_EQ(Paginate(40, {.max_results = 0}).end, 40u);
  // Offset past the end of a shrunken list: an empty last page.
  s = Paginate(3, {.max_results = 10, .offset = 20});
  EXPECT_EQ(s.begin, s.end);
  EXPECT_FALSE(s.next_token);
}

TEST(ErrorsTest, StatusCodesMapThroughTheVocabulary) {
  AwsError e = ToAwsError(Status::InvalidArgument("bad X"), kTestErrors);
  EXPECT_EQ(e.code, "InvalidArgumentException");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_TRUE(e.sender_fault);
  EXPECT_EQ(ToAwsError(Status::NotFound("x"), kTestErrors).code, "InvalidArgumentException");
  e = ToAwsError(Status::Unavailable("store down"), kTestErrors);
  EXPECT_EQ(e.code, "InternalServiceError");
  EXPECT_EQ(e.http_status, 500);
  EXPECT_FALSE(e.sender_fault);
  EXPECT_EQ(ToAwsError(Status::ResourceExhausted("x"), kTestErrors).code, "ThrottlingException");
  EXPECT_EQ(ToAwsError(Status::DataLoss("x"), kTestErrors).http_status, 500);
  EXPECT_EQ(ToAwsError(Status::Internal("x"), kTestErrors).code, "InternalServiceError");
}

TEST(ErrorsTest, FinerClientErrorsOnlyWhereTheVocabularyHasThem) {
  constexpr ErrorVocabulary kQueryCompatible = {
      .invalid_argument = {"InvalidParameterValue", 400, "InvalidParameterValueException"},
      .not_found = {"ResourceNotFound", 404},
      .unavailable = {"InternalServiceError", 500},
      .resource_exhausted = {"Throttling", 400},
      .internal = {"InternalServiceError", 500},
      .missing_parameter = {"MissingParameter", 400, "MissingRequiredParameterException"},
      .invalid_combination = {"InvalidParameterCombination", 400},
  };
  const Status missing = Status::InvalidArgument(MissingParameterMessage("MetricData[0].MetricName"));
  const Status combination = Status::InvalidArgument(InvalidCombinationMessage("A and B are mutually exclusive"));
  EXPECT_EQ(missing.message(), "Missing required parameter MetricData[0].MetricName");
  EXPECT_EQ(combination.message(), "Invalid parameter combination: A and B are mutually exclusive");
  AwsError e = ToAwsError(missing, kQueryCompatible);
  EXPECT_EQ(e.code, "MissingParameter");
  EXPECT_EQ(e.json_type, "MissingRequiredParameterException");
  EXPECT_EQ(ToAwsError(combination, kQueryCompatible).code, "InvalidParameterCombination");
  EXPECT_EQ(ToAwsError(combination, kQueryCompatible).json_type, "");
  EXPECT_EQ(ToAwsError(Status::InvalidArgument("bad"), kQueryCompatible).code, "InvalidParameterValue");
  // A vocabulary without them keeps its invalid-argument error.
  EXPECT_EQ(ToAwsError(missing, kTestErrors).code, "InvalidArgumentException");
  EXPECT_EQ(ToAwsError(combination, kTestErrors).code, "InvalidArgumentException");
}

TEST(ErrorsTest, Json10QueryCompatibleErrorShape) {
  HttpResponse r = JsonErrorResponse({"MissingParameter", "m", 400, true, "MissingRequiredParameterException"}, "r1",
                                     JsonProtocol::kJson10QueryCompatible);
  EXPECT_EQ(r.content_type, "application/x-amz-json-1.0");
  EXPECT_EQ(r.body, R"({"__type":"MissingRequiredParameterException","message":"m"})");
  EXPECT_EQ(r.headers.at("x-amzn-query-error"), "MissingParameter;Sender");
  r = JsonErrorResponse({"InternalServiceError", "x", 500, false}, "r2", JsonProtocol::kJson10QueryCompatible);
  EXPECT_EQ(json::parse(r.body)["__type"], "InternalServiceError");
  EXPECT_EQ(r.headers.at("x-amzn-query-error"), "InternalServiceError;Receiver");
  // JSON 1.1 sends neither the shape name nor the header.
  r = JsonErrorResponse({"MissingParameter", "m", 400, true, "MissingRequiredParameterException"}, "r3");
  EXPECT_EQ(json::parse(r.body)["__type"], "MissingParameter");
  EXPECT_FALSE(r.headers.contains("x-amzn-query-error"));
}

TEST(ErrorsTest, JsonErrorShape) {
  HttpResponse r = JsonErrorResponse({"InvalidArgumentException", "bad \"X\"", 400, true}, "req-1");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/x-amz-json-1.1");
  EXPECT_EQ(r.body, R"({"__type":"InvalidArgumentException","message":"bad \"X\""})");
  EXPECT_EQ(r.headers.at("x-amzn-requestid"), "req-1");
  EXPECT_EQ(r.headers.at("X-Amzn-ErrorType"), "InvalidArgumentException");
  EXPECT_EQ(JsonErrorResponse({"NotAuthorizedException", "no", 403, true}, "r").status, 403);
}

TEST(ErrorsTest, XmlErrorShape) {
  HttpResponse r = XmlErrorResponse({"DBInstanceNotFound", "DBInstance <x> not found.", 404, true},
                                    "http://rds.amazonaws.com/doc/2014-10-31/", "req-2");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "text/xml");
  EXPECT_EQ(r.body,
            "<ErrorResponse xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\"><Error><Type>Sender</Type>"
            "<Code>DBInstanceNotFound</Code><Message>DBInstance &lt;x&gt; not found.</Message></Error>"
            "<RequestId>req-2</RequestId></ErrorResponse>");
  r = XmlErrorResponse({"InternalFailure", "oops", 500, false}, "", "r");
  EXPECT_NE(r.body.find("<Type>Receiver</Type>"), std::string::npos);
  EXPECT_EQ(r.body.find("xmlns"), std::string::npos);
}

TEST(XmlWriterTest, EscapesAndDropsForbiddenControls) {
  EXPECT_EQ(XmlEscape("a&b<c>'\"\x01\t"), "a&amp;b&lt;c&gt;&apos;&quot;\t");
}

HttpRequest JsonRequest(std::string target, std::string body) {
  HttpRequest r;
  r.method = "POST";
  r.path = "/";
  r.headers.emplace("X-Amz-Target", std::move(target));
  r.headers.emplace("Content-Type", "application/x-amz-json-1.1");
  r.body = std::move(body);
  return r;
}

class JsonDispatcherTest : public ::testing::Test {
 protected:
  JsonDispatcherTest() : d_("Svc20180227", kTestErrors) {
    d_.Register("Echo", [](const json& body, const RequestContext&) -> Result<json> { return body; });
    d_.Register("Fail", [](const json&, const RequestContext&) -> Result<json> {
      return Status::InvalidArgument("Invalid value for parameter X");
    });
    d_.Register("Throw", [](const json& body, const RequestContext&) -> Result<json> {
      return json{{"n", body.at("missing").get<int>()}};
    });
    ctx_.request_id = "rid";
  }
  HttpResponse Call(std::string op, std::string body) { return d_.Dispatch(JsonRequest("Svc20180227." + op, body), ctx_); }

  JsonDispatcher d_;
  RequestContext ctx_;
};

TEST_F(JsonDispatcherTest, RoutesByTarget) {
  EXPECT_TRUE(d_.Accepts("Svc20180227.Echo"));
  EXPECT_TRUE(d_.Accepts("Svc20180227.Nope"));
  EXPECT_FALSE(d_.Accepts("Svc20180227"));
  EXPECT_FALSE(d_.Accepts("Svc2018022.Echo"));
  HttpResponse r = Call("Echo", R"({"A": 1})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/x-amz-json-1.1");
  EXPECT_EQ(r.body, R"({"A":1})");
  EXPECT_EQ(r.headers.at("x-amzn-RequestId"), "rid");
}

TEST_F(JsonDispatcherTest, EmptyBodyIsAnEmptyObject) { EXPECT_EQ(Call("Echo", " ").body, "{}"); }

TEST_F(JsonDispatcherTest, ProtocolErrors) {
  HttpResponse r = Call("Nope", "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"__type":"UnknownOperationException","message":"Unknown operation Svc20180227.Nope"})");
  r = Call("Echo", "{not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["__type"], "InvalidArgumentException");
  EXPECT_EQ(json::parse(r.body)["message"], "Malformed request body: not valid JSON (SerializationException)");
  r = Call("Echo", "[1]");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["message"], "Malformed request body: expected a JSON object, got array");
  r = Call("Fail", "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"__type":"InvalidArgumentException","message":"Invalid value for parameter X"})");
  r = Call("Throw", "{}");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(json::parse(r.body)["__type"], "InternalServiceError");
  EXPECT_EQ(UnknownOperationResponse("", "r").body,
            R"({"__type":"UnknownOperationException","message":"Missing X-Amz-Target header"})");
}

TEST(QueryProtocolTest, ParsesFormEncoding) {
  auto p = ParseFormEncoded("Action=DescribeDBInstances&Version=2014-10-31&A=x+y%2Fz&B=&C&A2=%C3%A9");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->at("Action"), "DescribeDBInstances");
  EXPECT_EQ(p->at("A"), "x y/z");
  EXPECT_EQ(p->at("B"), "");
  EXPECT_EQ(p->at("C"), "");
  EXPECT_EQ(p->at("A2"), "\xc3\xa9");
  EXPECT_FALSE(ParseFormEncoded("A=%G1").ok());
  EXPECT_FALSE(ParseFormEncoded("A=%4").ok());
}

TEST(QueryProtocolTest, DispatchesByVersionAndWrapsResults) {
  QueryDispatcher d("svc", "2014-10-31", "http://svc/doc/", kTestErrors);
  d.Register("Describe", [](const QueryParams& p, const RequestContext&) -> Result<std::string> {
    if (p.contains("Bad")) return Status::NotFound("thing not found");
    return std::string("<Things/>");
  });
  RequestContext ctx;
  ctx.request_id = "rid";
  QueryParams p = ParseFormEncoded("Action=Describe&Version=2014-10-31").value();
  EXPECT_TRUE(d.Accepts(p, ctx));
  EXPECT_FALSE(d.Accepts(ParseFormEncoded("Action=Describe&Version=2010-08-01").value(), ctx));
  QueryParams unversioned = ParseFormEncoded("Action=Describe").value();
  EXPECT_FALSE(d.Accepts(unversioned, ctx));
  ctx.service = "svc";
  EXPECT_TRUE(d.Accepts(unversioned, ctx));

  HttpResponse r = d.Dispatch(p, ctx);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/xml");
  EXPECT_EQ(r.body,
            "<DescribeResponse xmlns=\"http://svc/doc/\"><DescribeResult><Things/></DescribeResult>"
            "<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></DescribeResponse>");
  p["Bad"] = "1";
  r = d.Dispatch(p, ctx);
  EXPECT_EQ(r.status, 400);  // kTestErrors maps NotFound to 400
  EXPECT_NE(r.body.find("<Code>InvalidArgumentException</Code><Message>thing not found</Message>"), std::string::npos);
  r = d.Dispatch(ParseFormEncoded("Action=Other&Version=2014-10-31").value(), ctx);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("<Code>InvalidAction</Code>"), std::string::npos);
  r = UnknownActionResponse(ParseFormEncoded("Version=1").value(), "rid");
  EXPECT_NE(r.body.find("<Code>MissingAction</Code>"), std::string::npos);
}

TEST(QueryProtocolTest, IntegerParameters) {
  QueryParams p = {{"MaxRecords", "50"}, {"Bad", "5x"}, {"Low", "5"}};
  EXPECT_EQ(QueryInt(p, "MaxRecords", 20, 100).value(), 50);
  EXPECT_FALSE(QueryInt(p, "Absent", 20, 100).value().has_value());
  EXPECT_EQ(QueryInt(p, "Low", 20, 100).status().message(), "Invalid value 5 for Low. Must be between 20 and 100.");
  EXPECT_FALSE(QueryInt(p, "Bad", 20, 100).ok());
}

TEST(QueryJsonTest, UnflattensListsAndStructures) {
  QueryParams p = ParseFormEncoded(
                      "Action=GetMetricData&Version=2010-08-01&MetricDataQueries.member.2.Id=e1"
                      "&MetricDataQueries.member.1.Id=m1&MetricDataQueries.member.1.MetricStat.Period=300"
                      "&MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name=DBInstanceIdentifier"
                      "&MetricDataQueries.member.10.Id=e9&Statistics.member.2=Maximum&Statistics.member.1=Average"
                      "&Empty=&Values=&Values.member.1=1.5")
                      .value();
  EXPECT_EQ(QueryParamsToJson(p), json::parse(R"({
    "Action": "GetMetricData", "Version": "2010-08-01",
    "MetricDataQueries": [
      {"Id": "m1", "MetricStat": {"Period": "300", "Metric": {"Dimensions": [{"Name": "DBInstanceIdentifier"}]}}},
      {"Id": "e1"}, {"Id": "e9"}],
    "Statistics": ["Average", "Maximum"], "Empty": "", "Values": ["1.5"]})"));
  EXPECT_EQ(QueryParamsToJson({}), json::object());
  EXPECT_EQ(QueryParamsToJson({{"A.member.x", "1"}}), json::parse(R"({"A": {"member": {"x": "1"}}})"));
}

TEST(QueryJsonTest, WritesJsonAsQueryXml) {
  constexpr std::string_view kStamps[] = {"Timestamp", "Timestamps"};
  constexpr std::string_view kMaps[] = {"ExtendedStatistics"};
  json out = json::parse(R"({"Label": "a<b", "Datapoints": [{"Timestamp": 1700000000, "Sum": 2.5, "Count": 3,
      "ExtendedStatistics": {"p99": 1.0}}], "Timestamps": [1700000000.25], "Empty": [], "Flag": true, "Skip": null})");
  XmlWriter w;
  WriteJsonAsXml(w, out, {.timestamps = kStamps, .maps = kMaps});
  EXPECT_EQ(w.Take(),
            "<Datapoints><member><Count>3</Count><ExtendedStatistics><entry><key>p99</key><value>1</value></entry>"
            "</ExtendedStatistics><Sum>2.5</Sum><Timestamp>2023-11-14T22:13:20Z</Timestamp></member></Datapoints>"
            "<Empty></Empty><Flag>true</Flag><Label>a&lt;b</Label>"
            "<Timestamps><member>2023-11-14T22:13:20.250Z</member></Timestamps>");
  EXPECT_EQ(FormatIsoTimestamp(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIsoTimestamp(253402300799.5), "9999-12-31T23:59:59.500Z");
}

TEST(ParamsTest, QueryStyleParsesStringsAndNamesMembersTheQueryWay) {
  json body = QueryParamsToJson(ParseFormEncoded("Period=300&Value=1.5e2&Flag=true&Values.member.1=1&Values.member.2=2"
                                                 "&None=&MetricData.member.1.Unit=Bogus&Big=99999999999999999999")
                                    .value());
  ParamErrors errors;
  ObjectReader r(body, "", errors, InputStyle::kQuery);
  EXPECT_EQ(r.Int("Period", {}), 300);
  EXPECT_EQ(r.Double("Value", false), 150);
  EXPECT_EQ(r.Bool("Flag", false), true);
  EXPECT_EQ(r.DoubleList("Values", {}), (std::vector<double>{1, 2}));
  EXPECT_EQ(r.StringList("None", {}, {}), std::vector<std::string>{});
  EXPECT_TRUE(r.ObjectList("None", {}).empty());
  EXPECT_TRUE(errors.ok()) << errors.status().ToString();
  std::vector<ObjectReader> data = r.ObjectList("MetricData", {});
  ASSERT_EQ(data.size(), 1u);
  constexpr std::string_view kUnits[] = {"Count"};
  data[0].String("Unit", {.allowed = kUnits});
  EXPECT_EQ(errors.status().message(),
            "Invalid value for parameter MetricData.member.1.Unit, value: Bogus, valid values: Count");

  auto first_error = [](std::string_view form, const std::function<void(ObjectReader&)>& read) {
    json b = QueryParamsToJson(ParseFormEncoded(form).value());
    ParamErrors e;
    ObjectReader q(b, "", e, InputStyle::kQuery);
    read(q);
    return e.status().message();
  };
  EXPECT_EQ(first_error("Period=5x", [](ObjectReader& q) { q.Int("Period", {}); }),
            "Invalid type for parameter Period, value: 5x, type: string, valid types: integer");
  EXPECT_EQ(first_error("Value=nan", [](ObjectReader& q) { q.Double("Value", false); }),
            "Invalid value for parameter Value, value: nan, valid values: finite numbers");
  EXPECT_EQ(first_error("Flag=yes", [](ObjectReader& q) { q.Bool("Flag", false); }),
            "Invalid type for parameter Flag, value: yes, type: string, valid types: boolean");
  EXPECT_EQ(first_error("Values.member.1=1&Values.member.2=x", [](ObjectReader& q) { q.DoubleList("Values", {}); }),
            "Invalid type for parameter Values.member.2, value: x, type: string, valid types: float");
  EXPECT_EQ(first_error("Big=99999999999999999999", [](ObjectReader& q) { q.Int("Big", {}); }),
            "Invalid type for parameter Big, value: 99999999999999999999, type: string, valid types: integer");
  // JSON style keeps JSON types strict.
  json strict = {{"Period", "300"}, {"Values", {1, "2"}}};
  ParamErrors e;
  ObjectReader j(strict, "", e);
  EXPECT_FALSE(j.Int("Period", {}));
  EXPECT_EQ(e.status().message(), "Invalid type for parameter Period, value: 300, type: string, valid types: integer");
  ParamErrors e2;
  ObjectReader j2(strict, "", e2);
  EXPECT_FALSE(j2.DoubleList("Values", {}));
  EXPECT_EQ(e2.status().message(), "Invalid type for parameter Values[1], value: 2, type: string, valid types: float");
}

TEST(RequestContextTest, ParsesTheSigV4Scope) {
  RequestContext c;
  ParseAuthorization(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-east-1/pi/aws4_request, "
      "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=abc",
      c);
  EXPECT_EQ(c.access_key, "AKIDEXAMPLE");
  EXPECT_EQ(c.region, "us-east-1");
  EXPECT_EQ(c.service, "pi");
  RequestContext none;
  ParseAuthorization("Basic dXNlcjpwYXNz", none);
  ParseAuthorization("AWS4-HMAC-SHA256 Credential=a/b", none);
  EXPECT_EQ(none.service, "");
  EXPECT_EQ(none.access_key, "");
}

}  // namespace
}  // namespace dbinsight::api::protocol
