// S3Service over a real BucketStore in a temporary directory: requests as
// botocore shapes them (path style, subresources in the query, aws-chunked
// bodies with checksum trailers), and S3's XML replies and error documents.
// The real clients run against the server in tests/api/s3_clients_test.py.
#include "api/s3/s3_service.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "api/s3/aws_chunked.h"
#include "api/s3/s3_wire.h"
#include "bucket/bucket_store.h"
#include "bucket/files.h"
#include "testing/manual_clock.h"
#include "testing/temp_dir.h"

namespace dbinsight::api::s3 {
namespace {

constexpr char kSigV4S3[] =
    "AWS4-HMAC-SHA256 Credential=x/20261127/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00";

HttpRequest Req(std::string method, std::string target, std::string body = "") {
  HttpRequest r;
  r.method = std::move(method);
  size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) r.query = target.substr(q + 1);
  r.body = std::move(body);
  r.headers.emplace("Authorization", kSigV4S3);
  return r;
}

// The framing botocore 1.43 sends with STREAMING-UNSIGNED-PAYLOAD-TRAILER.
std::string AwsChunked(const std::string& payload) {
  std::string out;
  if (!payload.empty()) out += fmt::format("{:x}\r\n{}\r\n", payload.size(), payload);
  return out + "0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";
}

class S3ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::move(testing::TempDir::Create("dbi-s3")).value();
    store_ = std::move(bucket::BucketStore::Open(dir_->File("buckets"), clock_)).value();
    service_ = std::make_unique<S3Service>(*store_);
  }
  HttpResponse Do(const HttpRequest& r) { return service_->Serve(r, "req-1"); }
  HttpResponse Do(std::string method, std::string target, std::string body = "") {
    return Do(Req(std::move(method), std::move(target), std::move(body)));
  }
  static std::string Code(const HttpResponse& r) {
    size_t a = r.body.find("<Code>"), b = r.body.find("</Code>");
    return a == std::string::npos ? "" : r.body.substr(a + 6, b - a - 6);
  }

  testing::ManualClock clock_{FromEpochSeconds(1'795'759'200)};  // 2026-11-27T06:00:00Z
  std::unique_ptr<testing::TempDir> dir_;
  std::unique_ptr<bucket::BucketStore> store_;
  std::unique_ptr<S3Service> service_;
};

TEST(S3RoutingTest, SignedOrPathStyle) {
  EXPECT_TRUE(IsSignedForS3(Req("GET", "/")));
  HttpRequest cw = Req("POST", "/");
  cw.headers["Authorization"] =
      "AWS4-HMAC-SHA256 Credential=x/20261127/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=0";
  EXPECT_FALSE(IsSignedForS3(cw));
  EXPECT_FALSE(LooksLikePathStyle(cw));
  HttpRequest presigned;
  presigned.method = "GET";
  presigned.path = "/reports/a.json";
  presigned.query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=x%2F20261127%2Fus-east-1%2Fs3%2Faws4_request";
  EXPECT_TRUE(IsSignedForS3(presigned));
  HttpRequest plain;
  plain.method = "GET";
  plain.path = "/reports/a.json";
  EXPECT_TRUE(LooksLikePathStyle(plain));
  plain.path = "/";
  EXPECT_FALSE(LooksLikePathStyle(plain));
  plain.path = "/Not_A_Bucket";
  EXPECT_FALSE(LooksLikePathStyle(plain));
}

TEST(AwsChunkedTest, DecodesAndRejectsBrokenFraming) {
  EXPECT_EQ(DecodeAwsChunked(AwsChunked("hello"), 5).value(), "hello");
  EXPECT_EQ(DecodeAwsChunked("3;chunk-signature=ab\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", -1).value(), "abcde");
  EXPECT_EQ(DecodeAwsChunked(AwsChunked(""), 0).value(), "");
  EXPECT_FALSE(DecodeAwsChunked(AwsChunked("hello"), 6).ok());
  EXPECT_FALSE(DecodeAwsChunked("5\r\nabc\r\n0\r\n\r\n", -1).ok());
  EXPECT_FALSE(DecodeAwsChunked("zz\r\nabc\r\n", -1).ok());
  EXPECT_FALSE(DecodeAwsChunked("3", -1).ok());
}

TEST(S3WireTest, XmlTimesAndTokens) {
  EXPECT_EQ(XmlUnescape("a&amp;b&lt;&#233;&#x41;&unknown;"),
            "a&b<\xc3\xa9"
            "A&unknown;");
  auto parts = Inner("<P><N>1</N></P><Px>no</Px><P a=\"1\"><N>2</N></P><P/>", "P");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(Text(parts[1], "N"), "2");
  EXPECT_EQ(parts[2], "");
  EXPECT_EQ(Text("<a/>", "b"), std::nullopt);
  EXPECT_EQ(HexDecode(HexEncode("performance-reports/2026/")), "performance-reports/2026/");
  EXPECT_EQ(HexDecode("abc"), std::nullopt);
  EXPECT_EQ(HexDecode("zz"), std::nullopt);
  WallTime t = FromEpochSeconds(1'795'759'200) + std::chrono::milliseconds(250);
  EXPECT_EQ(Iso(t), "2026-11-27T06:00:00.250Z");
  EXPECT_EQ(HttpDate(t), "Fri, 27 Nov 2026 06:00:00 GMT");
}

TEST_F(S3ServiceTest, BucketsAndVersioning) {
  EXPECT_EQ(Do("PUT", "/reports").status, 200);
  HttpResponse again = Do("PUT", "/reports");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(Code(again), "BucketAlreadyOwnedByYou");
  EXPECT_NE(again.body.find("<BucketName>reports</BucketName>"), std::string::npos);
  EXPECT_NE(again.body.find("<RequestId>req-1</RequestId>"), std::string::npos);
  EXPECT_EQ(Code(Do("PUT", "/ab")), "InvalidBucketName");

  HttpResponse list = Do("GET", "/");
  EXPECT_NE(list.body.find("<Bucket><Name>reports</Name><CreationDate>2026-11-27T06:00:00.000Z</CreationDate>"),
            std::string::npos)
      << list.body;
  EXPECT_EQ(Do("GET", "/reports?versioning").body.find("<Status>"), std::string::npos);
  EXPECT_EQ(Do("PUT", "/reports?versioning",
               "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Status>Enabled</Status>"
               "</VersioningConfiguration>")
                .status,
            200);
  EXPECT_NE(Do("GET", "/reports?versioning").body.find("<Status>Enabled</Status>"), std::string::npos);
  EXPECT_EQ(Code(Do("PUT", "/reports?versioning", "<VersioningConfiguration/>")), "MalformedXML");
  EXPECT_EQ(Do("HEAD", "/reports").status, 200);
  EXPECT_EQ(Do("HEAD", "/nothing-here").status, 404);
  EXPECT_EQ(Code(Do("GET", "/nothing-here?list-type=2")), "NoSuchBucket");
  EXPECT_EQ(Code(Do("GET", "/reports?acl")), "NotImplemented");
  EXPECT_EQ(Do("DELETE", "/reports").status, 204);
  EXPECT_EQ(Code(Do("DELETE", "/reports")), "NoSuchBucket");
}

TEST_F(S3ServiceTest, ObjectsVersionsAndErrors) {
  ASSERT_EQ(Do("PUT", "/reports").status, 200);
  ASSERT_TRUE(store_->SetVersioning("reports", bucket::Versioning::kEnabled).ok());
  // Old clients: a plain body. New ones: aws-chunked with a checksum trailer.
  HttpRequest put = Req("PUT", "/reports/performance-reports/2026/11/27/06/analysis.json", "{\"v\":1}");
  put.headers.emplace("Content-Type", "application/json");
  HttpResponse v1 = Do(put);
  ASSERT_EQ(v1.status, 200) << v1.body;
  EXPECT_EQ(v1.headers["ETag"], "\"" + bucket::Md5Hex("{\"v\":1}") + "\"");
  put.body = AwsChunked("{\"v\":2}");
  put.headers.emplace("Content-Encoding", "aws-chunked");
  put.headers.emplace("x-amz-decoded-content-length", "7");
  put.headers.emplace("x-amz-trailer", "x-amz-checksum-crc32");
  clock_.Advance(std::chrono::seconds(61));
  HttpResponse v2 = Do(put);
  ASSERT_EQ(v2.status, 200) << v2.body;
  EXPECT_NE(v1.headers["x-amz-version-id"], v2.headers["x-amz-version-id"]);

  HttpResponse get = Do("GET", "/reports/performance-reports/2026/11/27/06/analysis.json");
  EXPECT_EQ(get.body, "{\"v\":2}");
  EXPECT_EQ(get.content_type, "application/json");
  EXPECT_EQ(get.headers["Last-Modified"], "Fri, 27 Nov 2026 06:01:01 GMT");
  EXPECT_EQ(get.headers["x-amz-version-id"], v2.headers["x-amz-version-id"]);
  EXPECT_EQ(
      Do("GET", "/reports/performance-reports/2026/11/27/06/analysis.json?versionId=" + v1.headers["x-amz-version-id"])
          .body,
      "{\"v\":1}");
  HttpRequest ranged = Req("GET", "/reports/performance-reports/2026/11/27/06/analysis.json");
  ranged.headers.emplace("Range", "bytes=1-3");
  HttpResponse part = Do(ranged);
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, "\"v\"");
  EXPECT_EQ(part.headers["Content-Range"], "bytes 1-3/7");

  HttpResponse versions = Do("GET", "/reports?versions&prefix=performance-reports%2F");
  EXPECT_NE(versions.body.find("<IsLatest>true</IsLatest>"), std::string::npos);
  size_t first = versions.body.find("<Version>");
  ASSERT_NE(first, std::string::npos);
  EXPECT_NE(versions.body.find("<Version>", first + 1), std::string::npos) << versions.body;

  HttpResponse listed = Do("GET", "/reports?list-type=2&prefix=performance-reports%2F&delimiter=%2F");
  EXPECT_NE(listed.body.find("<CommonPrefixes><Prefix>performance-reports/2026/</Prefix></CommonPrefixes>"),
            std::string::npos)
      << listed.body;
  EXPECT_NE(listed.body.find("<KeyCount>1</KeyCount>"), std::string::npos);

  HttpResponse missing = Do("GET", "/reports/nope.json");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Code(missing), "NoSuchKey");
  EXPECT_NE(missing.body.find("<Key>nope.json</Key>"), std::string::npos);
  EXPECT_EQ(Code(Do("GET", "/reports/performance-reports/2026/11/27/06/analysis.json?versionId=bogus")),
            "NoSuchVersion");
  EXPECT_EQ(Code(Do("PUT", "/reports/a/../../etc/passwd", "x")), "InvalidArgument");
  EXPECT_EQ(Code(Do("DELETE", "/reports")), "BucketNotEmpty");

  HttpResponse marker = Do("DELETE", "/reports/performance-reports/2026/11/27/06/analysis.json");
  EXPECT_EQ(marker.status, 204);
  EXPECT_EQ(marker.headers["x-amz-delete-marker"], "true");
  EXPECT_EQ(Code(Do("GET", "/reports/performance-reports/2026/11/27/06/analysis.json")), "NoSuchKey");
  HttpResponse at_marker = Do("GET", "/reports/performance-reports/2026/11/27/06/analysis.json?versionId=" +
                                         marker.headers["x-amz-version-id"]);
  EXPECT_EQ(at_marker.status, 405);
}

TEST_F(S3ServiceTest, DeleteObjects) {
  ASSERT_EQ(Do("PUT", "/plain").status, 200);
  for (const char* k : {"a", "b&c", "d"}) ASSERT_EQ(Do("PUT", std::string("/plain/") + k, k).status, 200);
  HttpResponse r = Do("POST", "/plain?delete",
                      "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Object><Key>a</Key></Object>"
                      "<Object><Key>b&amp;c</Key></Object><Object><Key>../x</Key></Object></Delete>");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("<Deleted><Key>a</Key></Deleted>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<Deleted><Key>b&amp;c</Key></Deleted>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<Error><Key>../x</Key><Code>InvalidArgument</Code>"), std::string::npos) << r.body;
  EXPECT_EQ(Code(Do("GET", "/plain/a")), "NoSuchKey");
  EXPECT_EQ(Do("GET", "/plain/d").body, "d");
  EXPECT_EQ(Code(Do("POST", "/plain?delete", "garbage")), "MalformedXML");
}

TEST_F(S3ServiceTest, MultipartUpload) {
  ASSERT_EQ(Do("PUT", "/big").status, 200);
  HttpResponse init = Do("POST", "/big/file.bin?uploads");
  ASSERT_EQ(init.status, 200);
  size_t a = init.body.find("<UploadId>"), b = init.body.find("</UploadId>");
  ASSERT_NE(a, std::string::npos);
  std::string id = init.body.substr(a + 10, b - a - 10);
  HttpRequest p1 = Req("PUT", "/big/file.bin?partNumber=1&uploadId=" + id, AwsChunked(std::string(100, 'x')));
  p1.headers.emplace("Content-Encoding", "aws-chunked");
  HttpResponse r1 = Do(p1);
  HttpResponse r2 = Do("PUT", "/big/file.bin?partNumber=2&uploadId=" + id, "tail");
  ASSERT_EQ(r1.status, 200) << r1.body;
  ASSERT_EQ(r2.status, 200);
  HttpResponse done = Do("POST", "/big/file.bin?uploadId=" + id,
                         "<CompleteMultipartUpload><Part><ETag>" + r1.headers["ETag"] +
                             "</ETag><PartNumber>1</PartNumber></Part><Part><ETag>" + r2.headers["ETag"] +
                             "</ETag><PartNumber>2</PartNumber></Part></CompleteMultipartUpload>");
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_NE(done.body.find("-2&quot;</ETag>"), std::string::npos) << done.body;
  EXPECT_EQ(Do("GET", "/big/file.bin").body, std::string(100, 'x') + "tail");
  EXPECT_EQ(Code(Do("DELETE", "/big/file.bin?uploadId=" + id)), "NoSuchUpload");
}

}  // namespace
}  // namespace dbinsight::api::s3
