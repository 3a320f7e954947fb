// BucketStore over a real temporary directory: S3 versioning semantics,
// listing with prefixes, delimiters and pages, multipart uploads, key
// validation, crash leftovers, and concurrent writers.
#include "bucket/bucket_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "bucket/files.h"
#include "bucket/names.h"
#include "testing/manual_clock.h"
#include "testing/temp_dir.h"

namespace dbinsight::bucket {
namespace {

class BucketStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::move(testing::TempDir::Create("dbi-bucket")).value();
    Reopen();
  }
  void Reopen() {
    store_.reset();
    store_ = std::move(BucketStore::Open(dir_->File("buckets"), clock_)).value();
  }
  std::string Body(const std::string& bucket, const std::string& key, const std::string& version = "") {
    auto o = store_->Get(bucket, key, version);
    return o.ok() ? o->body : "<" + o.status().ToString() + ">";
  }
  std::vector<std::string> Keys(const ListResult& r) {
    std::vector<std::string> out;
    for (const auto& o : r.objects) out.push_back(o.key);
    return out;
  }

  testing::ManualClock clock_{FromEpochSeconds(1'800'000'000)};
  std::unique_ptr<testing::TempDir> dir_;
  std::unique_ptr<BucketStore> store_;
};

TEST(Md5Test, KnownDigests) {
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5Hex("The quick brown fox jumps over the lazy dog"), "9e107d9d372bb6826bd81d3542a419d6");
}

TEST(NamesTest, BucketNames) {
  EXPECT_TRUE(ValidateBucketName("reports").ok());
  EXPECT_TRUE(ValidateBucketName("my.reports-2026").ok());
  for (const char* bad : {"ab", "Reports", "-reports", "reports-", "a..b", "192.168.1.1", "a_b", ".hidden"}) {
    Status st = ValidateBucketName(bad);
    EXPECT_EQ(FailureOf(st), Failure::kInvalidBucketName) << bad;
  }
}

TEST(NamesTest, KeysNeverEscapeTheBucket) {
  for (const char* bad : {"", "/etc/passwd", "../x", "a/../../x", "a/./b", "a//b", "a/", "..", "a\nb"}) {
    EXPECT_EQ(FailureOf(ValidateKey(bad)), Failure::kInvalidKey) << bad;
  }
  EXPECT_EQ(FailureOf(ValidateKey(std::string(1025, 'a'))), Failure::kInvalidKey);
  EXPECT_TRUE(ValidateKey("performance-reports/2026/11/27/06/analysis.json").ok());
  // Dot-names and '%' are encoded, never passed through.
  EXPECT_EQ(KeyToPath(".bucket/..x/a%2Eb"), (std::vector<std::string>{"%2Ebucket", "%2E.x", "a%252Eb"}));
  for (const char* c : {"%2Ebucket", "%2E.x", "a%252Eb"}) EXPECT_EQ(KeyToPath(DecodeComponent(c)).front(), c);
}

TEST(FailureTest, RoundTripsOnlyItsOwnStatuses) {
  EXPECT_EQ(FailureOf(Fail(Failure::kNoSuchKey, "k")), Failure::kNoSuchKey);
  EXPECT_EQ(Fail(Failure::kNoSuchKey, "k").code(), StatusCode::kNotFound);
  EXPECT_EQ(FailureOf(Status::NotFound("no such key")), std::nullopt);
  EXPECT_EQ(FailureOf(Status::Internal("no such key: x")), std::nullopt);
}

TEST_F(BucketStoreTest, BucketLifecycle) {
  ASSERT_TRUE(store_->CreateBucket("reports", true).ok());
  ASSERT_TRUE(store_->CreateBucket("other", false).ok());
  EXPECT_EQ(FailureOf(store_->CreateBucket("reports", false)), Failure::kBucketExists);
  EXPECT_EQ(FailureOf(store_->CreateBucket("Bad_Name", false)), Failure::kInvalidBucketName);
  auto all = store_->Buckets();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "other");
  EXPECT_EQ((*all)[1].versioning, Versioning::kEnabled);
  EXPECT_EQ((*all)[1].created, clock_.Now());

  ASSERT_TRUE(store_->Put("other", "a/b.json", "{}").ok());
  EXPECT_EQ(FailureOf(store_->DeleteBucket("other")), Failure::kBucketNotEmpty);
  ASSERT_TRUE(store_->Delete("other", "a/b.json").ok());
  EXPECT_TRUE(store_->DeleteBucket("other").ok());
  EXPECT_EQ(FailureOf(store_->DeleteBucket("other")), Failure::kNoSuchBucket);
  EXPECT_EQ(FailureOf(store_->Put("other", "k", "x").status()), Failure::kNoSuchBucket);
  EXPECT_FALSE(std::filesystem::exists(dir_->File("buckets/other")));
}

TEST_F(BucketStoreTest, VersionedOverwriteKeepsOlderVersions) {
  ASSERT_TRUE(store_->CreateBucket("reports", true).ok());
  auto v1 = store_->Put("reports", "r.json", "one", "application/json");
  clock_.Advance(std::chrono::seconds(5));
  auto v2 = store_->Put("reports", "r.json", "two!", "application/json");
  ASSERT_TRUE(v1.ok() && v2.ok());
  EXPECT_NE(v1->version_id, v2->version_id);
  EXPECT_NE(v1->version_id, "null");
  EXPECT_EQ(v2->etag, Md5Hex("two!"));
  EXPECT_EQ(Body("reports", "r.json"), "two!");
  EXPECT_EQ(Body("reports", "r.json", v1->version_id), "one");

  auto versions = store_->Versions("reports", "r.json");
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ((*versions)[0].version_id, v2->version_id);
  EXPECT_TRUE((*versions)[0].is_latest);
  EXPECT_FALSE((*versions)[1].is_latest);
  EXPECT_EQ((*versions)[1].size, 3u);
  EXPECT_EQ((*versions)[1].content_type, "application/json");
  EXPECT_EQ((*versions)[0].last_modified - (*versions)[1].last_modified, std::chrono::seconds(5));

  // A delete adds a marker; the data stays reachable by version id.
  auto marker = store_->Delete("reports", "r.json");
  ASSERT_TRUE(marker.ok());
  EXPECT_TRUE(marker->delete_marker);
  EXPECT_EQ(FailureOf(store_->Get("reports", "r.json").status()), Failure::kNoSuchKey);
  EXPECT_EQ(FailureOf(store_->Get("reports", "r.json", marker->version_id).status()), Failure::kDeleteMarker);
  EXPECT_EQ(Body("reports", "r.json", v2->version_id), "two!");
  EXPECT_TRUE(Keys(store_->List("reports", {}).value()).empty());
  EXPECT_EQ(FailureOf(store_->DeleteBucket("reports")), Failure::kBucketNotEmpty);

  // Removing the marker by id brings the object back.
  ASSERT_TRUE(store_->Delete("reports", "r.json", marker->version_id).ok());
  EXPECT_EQ(Body("reports", "r.json"), "two!");
  EXPECT_EQ(FailureOf(store_->Get("reports", "r.json", "nope").status()), Failure::kNoSuchVersion);

  // Removing every version removes the object and its directories.
  const std::vector<ObjectInfo> all = store_->Versions("reports", "r.json").value();
  for (const auto& v : all) ASSERT_TRUE(store_->Delete("reports", "r.json", v.version_id).ok());
  EXPECT_TRUE(store_->Versions("reports", "r.json")->empty());
  EXPECT_TRUE(store_->DeleteBucket("reports").ok());
}

TEST_F(BucketStoreTest, UnversionedAndSuspendedOverwriteTheNullVersion) {
  ASSERT_TRUE(store_->CreateBucket("plain", false).ok());
  ASSERT_TRUE(store_->Put("plain", "k", "one").ok());
  auto v = store_->Put("plain", "k", "two");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->version_id, "null");
  EXPECT_EQ(store_->Versions("plain", "k")->size(), 1u);
  EXPECT_EQ(Body("plain", "k"), "two");
  // Unversioned delete removes the object outright.
  ASSERT_TRUE(store_->Delete("plain", "k").ok());
  EXPECT_TRUE(store_->Versions("plain", "k")->empty());

  // Enabled, then Suspended: the enabled-era version stays, null ones replace each other.
  ASSERT_TRUE(store_->SetVersioning("plain", Versioning::kEnabled).ok());
  auto kept = store_->Put("plain", "k", "kept");
  ASSERT_TRUE(store_->SetVersioning("plain", Versioning::kSuspended).ok());
  EXPECT_EQ(store_->Bucket("plain")->versioning, Versioning::kSuspended);
  ASSERT_TRUE(store_->Put("plain", "k", "n1").ok());
  ASSERT_TRUE(store_->Put("plain", "k", "n2").ok());
  auto versions = store_->Versions("plain", "k").value();
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].version_id, "null");
  EXPECT_EQ(versions[1].version_id, kept->version_id);
  EXPECT_EQ(Body("plain", "k"), "n2");
  // A suspended delete is a null delete marker that replaces the null version.
  auto marker = store_->Delete("plain", "k");
  ASSERT_TRUE(marker.ok());
  EXPECT_EQ(marker->version_id, "null");
  versions = store_->Versions("plain", "k").value();
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_TRUE(versions[0].delete_marker);
}

TEST_F(BucketStoreTest, ListWithPrefixDelimiterAndPages) {
  ASSERT_TRUE(store_->CreateBucket("bkt", false).ok());
  // "a-c" sorts before "a/b" ('-' < '/'): listing order is the keys' byte order.
  for (const char* k : {"a/b", "a-c", "a/c/d", "b", "performance-reports/2026/11/27/06/analysis.json",
                        "performance-reports/2026/11/27/07/analysis.json", ".hidden", "a"})
    ASSERT_TRUE(store_->Put("bkt", k, k).ok()) << k;
  EXPECT_EQ(Keys(store_->List("bkt", {}).value()),
            (std::vector<std::string>{".hidden", "a", "a-c", "a/b", "a/c/d", "b",
                                      "performance-reports/2026/11/27/06/analysis.json",
                                      "performance-reports/2026/11/27/07/analysis.json"}));
  EXPECT_EQ(Keys(store_->List("bkt", {.prefix = "a/"}).value()), (std::vector<std::string>{"a/b", "a/c/d"}));
  EXPECT_EQ(Keys(store_->List("bkt", {.prefix = "performance-reports/2026/11/27/0"}).value()).size(), 2u);
  EXPECT_TRUE(Keys(store_->List("bkt", {.prefix = "zzz/"}).value()).empty());
  EXPECT_TRUE(Keys(store_->List("bkt", {.prefix = "a//"}).value()).empty());

  auto top = store_->List("bkt", {.delimiter = "/"}).value();
  EXPECT_EQ(Keys(top), (std::vector<std::string>{".hidden", "a", "a-c", "b"}));
  EXPECT_EQ(top.common_prefixes, (std::vector<std::string>{"a/", "performance-reports/"}));

  // Pages of two, delimiter on: a common prefix counts as one entry and a page
  // that ends on one resumes after all of its keys.
  std::vector<std::string> seen;
  ListRequest req{.delimiter = "/", .max_keys = 2};
  for (int pages = 0;; ++pages) {
    ASSERT_LT(pages, 10);
    auto page = store_->List("bkt", req).value();
    for (const auto& o : page.objects) seen.push_back(o.key);
    for (const auto& p : page.common_prefixes) seen.push_back(p);
    if (!page.truncated) break;
    req.start_after = page.next_start_after;
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::string>{".hidden", "a", "a-c", "a/", "b", "performance-reports/"}));
}

TEST_F(BucketStoreTest, ListVersionsPages) {
  ASSERT_TRUE(store_->CreateBucket("versions", true).ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store_->Put("versions", "x", "x" + std::to_string(i)).ok());
    ASSERT_TRUE(store_->Put("versions", "y", "y" + std::to_string(i)).ok());
  }
  ASSERT_TRUE(store_->Delete("versions", "x").ok());
  std::vector<std::string> seen;
  VersionListRequest req{.max_keys = 3};
  for (int pages = 0;; ++pages) {
    ASSERT_LT(pages, 10);
    auto page = store_->ListVersions("versions", req).value();
    for (const auto& o : page.versions)
      seen.push_back(o.key + (o.delete_marker ? "-marker" : o.is_latest ? "-latest" : ""));
    if (!page.truncated) break;
    req.key_marker = page.next_key_marker;
    req.version_id_marker = page.next_version_id_marker;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"x-marker", "x", "x", "x", "y-latest", "y", "y"}));
}

TEST_F(BucketStoreTest, MultipartUpload) {
  ASSERT_TRUE(store_->CreateBucket("mpu", true).ok());
  auto id = store_->CreateUpload("mpu", "big.bin", "application/octet-stream");
  ASSERT_TRUE(id.ok());
  std::string p1(1000, 'a'), p2(10, 'b');
  auto e2 = store_->UploadPart("mpu", "big.bin", id.value(), 2, p2);
  auto e1 = store_->UploadPart("mpu", "big.bin", id.value(), 1, p1);
  ASSERT_TRUE(e1.ok() && e2.ok());
  EXPECT_EQ(e1.value(), Md5Hex(p1));
  EXPECT_EQ(FailureOf(store_->UploadPart("mpu", "other", id.value(), 1, "x").status()), Failure::kNoSuchUpload);
  EXPECT_EQ(
      FailureOf(store_->CompleteUpload("mpu", "big.bin", id.value(), {{2, e2.value()}, {1, e1.value()}}).status()),
      Failure::kInvalidPart);
  EXPECT_EQ(FailureOf(store_->CompleteUpload("mpu", "big.bin", id.value(), {{1, "\"beef\""}}).status()),
            Failure::kInvalidPart);
  auto done = store_->CompleteUpload("mpu", "big.bin", id.value(), {{1, "\"" + e1.value() + "\""}, {2, e2.value()}});
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->size, 1010u);
  EXPECT_TRUE(done->etag.ends_with("-2"));
  EXPECT_EQ(Body("mpu", "big.bin"), p1 + p2);
  EXPECT_EQ(store_->Head("mpu", "big.bin")->content_type, "application/octet-stream");
  // Completed uploads are gone; aborted ones too.
  EXPECT_EQ(FailureOf(store_->AbortUpload("mpu", "big.bin", id.value())), Failure::kNoSuchUpload);
  auto id2 = store_->CreateUpload("mpu", "k", "");
  ASSERT_TRUE(store_->UploadPart("mpu", "k", id2.value(), 1, "x").ok());
  EXPECT_TRUE(store_->AbortUpload("mpu", "k", id2.value()).ok());
  EXPECT_EQ(FailureOf(store_->UploadPart("mpu", "k", id2.value(), 1, "x").status()), Failure::kNoSuchUpload);
  EXPECT_EQ(FailureOf(store_->AbortUpload("mpu", "k", "../../x")), Failure::kNoSuchUpload);
}

TEST_F(BucketStoreTest, SurvivesReopenAndIgnoresCrashLeftovers) {
  ASSERT_TRUE(store_->CreateBucket("crash", true).ok());
  auto v = store_->Put("crash", "dir/k", "committed");
  ASSERT_TRUE(v.ok());
  // What a crash can leave: a temporary, and data whose metadata never landed.
  std::string object_dir = dir_->File("buckets/crash/dir/k");
  std::ofstream(object_dir + "/.tmp-0123") << "partial";
  std::ofstream(object_dir + "/.v0000000002.data") << "uncommitted";
  std::filesystem::create_directories(dir_->File("buckets/.deleting-00"));
  Reopen();
  EXPECT_FALSE(std::filesystem::exists(dir_->File("buckets/.deleting-00")));
  EXPECT_EQ(Body("crash", "dir/k"), "committed");
  ASSERT_EQ(store_->Versions("crash", "dir/k")->size(), 1u);
  auto v2 = store_->Put("crash", "dir/k", "next");
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(Body("crash", "dir/k"), "next");
  EXPECT_EQ(Body("crash", "dir/k", v->version_id), "committed");
  // A truncated data file is reported, not served.
  std::filesystem::resize_file(object_dir + "/.v0000000002.data", 2);
  EXPECT_EQ(store_->Get("crash", "dir/k").status().code(), StatusCode::kDataLoss);
}

TEST_F(BucketStoreTest, ConcurrentWritersEachGetAVersion) {
  ASSERT_TRUE(store_->CreateBucket("threads", true).ok());
  constexpr int kThreads = 4, kPuts = 10;
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPuts; ++i) {
          ASSERT_TRUE(store_->Put("threads", "shared", std::to_string(t * 1000 + i)).ok());
          ASSERT_TRUE(store_->Put("threads", "own/" + std::to_string(t), "x").ok());
        }
      });
  }
  auto versions = store_->Versions("threads", "shared").value();
  EXPECT_EQ(versions.size(), static_cast<size_t>(kThreads * kPuts));
  std::set<std::string> ids;
  for (const auto& v : versions) ids.insert(v.version_id);
  EXPECT_EQ(ids.size(), versions.size());
  EXPECT_EQ(store_->List("threads", {.prefix = "own/"})->objects.size(), static_cast<size_t>(kThreads));
}

}  // namespace
}  // namespace dbinsight::bucket
