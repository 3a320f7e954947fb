// S3Service: the path-style S3 REST subset over bucket::BucketStore, so the
// aws CLI (`aws s3 ls/cp/rm/mb/rb`, `aws s3api ...`) and boto3 work with
// --endpoint-url against dbinsight's report store. Buckets, versioning,
// ListObjects(V2), ListObjectVersions, Get/Head/Put/Delete(Objects) and
// multipart uploads; coverage and gaps in docs/api-coverage.md ("S3").
// Requests are routed here by IsSignedForS3() (SigV4 credential scope "s3")
// or, unsigned, by LooksLikePathStyle(). Borrows the store, which must
// outlive it. Thread-safe: no state of its own; the store locks.
#pragma once

#include <string>
#include <string_view>

#include "api/protocol/http_types.h"

namespace dbinsight::bucket {
class BucketStore;
}

namespace dbinsight::api::s3 {

inline constexpr std::string_view kSigningName = "s3";
inline constexpr std::string_view kXmlns = "http://s3.amazonaws.com/doc/2006-03-01/";

// Signed for S3: the Authorization header's credential scope, or a presigned
// URL's X-Amz-Credential, names service "s3".
bool IsSignedForS3(const HttpRequest& request);
// An unsigned request shaped like path-style S3 (/<bucket>[/<key>], the
// bucket a valid S3 name); used after every other route had its chance.
bool LooksLikePathStyle(const HttpRequest& request);

class S3Service {
 public:
  explicit S3Service(bucket::BucketStore& store) : store_(store) {}

  // One S3 request; errors are S3's XML <Error> documents. Never throws.
  HttpResponse Serve(const HttpRequest& request, const std::string& request_id) const;

 private:
  struct Call;  // one request being served (s3_service.cc)

  HttpResponse ListBuckets(const Call& call) const;
  HttpResponse CreateBucket(const Call& call) const;
  HttpResponse DeleteBucket(const Call& call) const;
  HttpResponse HeadBucket(const Call& call) const;
  HttpResponse PutBucketVersioning(const Call& call) const;
  HttpResponse GetBucketVersioning(const Call& call) const;
  HttpResponse ListObjects(const Call& call, bool v2) const;
  HttpResponse ListObjectVersions(const Call& call) const;
  HttpResponse PutObject(const Call& call) const;
  HttpResponse GetObject(const Call& call, bool head) const;
  HttpResponse DeleteObject(const Call& call) const;
  HttpResponse DeleteObjects(const Call& call) const;
  HttpResponse CreateMultipartUpload(const Call& call) const;
  HttpResponse UploadPart(const Call& call) const;
  HttpResponse CompleteMultipartUpload(const Call& call) const;
  HttpResponse AbortMultipartUpload(const Call& call) const;

  bucket::BucketStore& store_;
};

}  // namespace dbinsight::api::s3
