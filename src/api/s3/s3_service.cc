#include "api/s3/s3_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>

#include "api/protocol/query_dispatcher.h"
#include "api/protocol/request_context.h"
#include "api/protocol/xml_writer.h"
#include "api/s3/aws_chunked.h"
#include "api/s3/s3_wire.h"
#include "bucket/bucket_store.h"
#include "bucket/names.h"
#include "common/log.h"

namespace dbinsight::api::s3 {

namespace {

using bucket::Failure;
using protocol::QueryParams;
using protocol::XmlWriter;

constexpr std::string_view kXmlDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
constexpr std::string_view kOwner = "dbinsight";
constexpr size_t kMaxKeys = 1000;
constexpr size_t kMaxDeleteObjects = 1000;

// Subresources of S3 this server does not implement: answered NotImplemented
// instead of being mistaken for the plain operation on the same path.
// clang-format off
constexpr std::string_view kUnsupported[] = {
    "acl", "policy", "tagging", "cors", "lifecycle", "website", "encryption", "replication", "logging",
    "notification", "ownershipControls", "publicAccessBlock", "object-lock", "retention", "legal-hold", "attributes",
    "torrent", "restore", "select", "accelerate", "requestPayment", "analytics", "inventory", "metrics",
    "intelligent-tiering", "policyStatus"};
// clang-format on

struct S3Error {
  std::string code;
  std::string message;
  int status;
};

// Maps a store failure onto S3's error codes (the S3 vocabulary: one place).
S3Error ToS3Error(const Status& status, const HttpRequest& request) {
  std::optional<Failure> kind = bucket::FailureOf(status);
  if (!kind) {
    switch (status.code()) {
      case StatusCode::kInvalidArgument:
        return {"InvalidArgument", status.message(), 400};
      case StatusCode::kResourceExhausted:
      case StatusCode::kUnavailable:
        return {"ServiceUnavailable", status.message(), 503};
      default:
        log::Error("s3 {} {}: {}", request.method, request.path, status.ToString());
        return {"InternalError", "We encountered an internal error. Please try again.", 500};
    }
  }
  switch (*kind) {
    case Failure::kNoSuchBucket:
      return {"NoSuchBucket", "The specified bucket does not exist", 404};
    case Failure::kNoSuchKey:
      return {"NoSuchKey", "The specified key does not exist.", 404};
    case Failure::kNoSuchVersion:
      return {"NoSuchVersion", "The specified version does not exist.", 404};
    case Failure::kNoSuchUpload:
      return {"NoSuchUpload",
              "The specified multipart upload does not exist. The upload ID may be invalid, or the upload may have "
              "been aborted or completed.",
              404};
    case Failure::kBucketExists:
      return {"BucketAlreadyOwnedByYou",
              "Your previous request to create the named bucket succeeded and you already own it.", 409};
    case Failure::kBucketNotEmpty:
      return {"BucketNotEmpty", "The bucket you tried to delete is not empty", 409};
    case Failure::kInvalidBucketName:
      return {"InvalidBucketName", "The specified bucket is not valid: " + status.message(), 400};
    case Failure::kInvalidKey:
      return {"InvalidArgument", status.message(), 400};
    case Failure::kInvalidPart:
      return {"InvalidPart", status.message(), 400};
    case Failure::kDeleteMarker:
      return {"MethodNotAllowed", "The specified method is not allowed against this resource.", 405};
  }
  return {"InternalError", status.message(), 500};
}

std::string Quoted(const std::string& etag) { return "\"" + etag + "\""; }

void Owner(XmlWriter& w) {
  w.Open("Owner");
  w.Element("ID", kOwner);
  w.Element("DisplayName", kOwner);
  w.Close();
}

}  // namespace

struct S3Service::Call {
  const HttpRequest& request;
  const std::string& request_id;
  std::string bucket;
  std::string key;
  QueryParams params;
  std::string body;  // aws-chunked framing removed

  bool Has(std::string_view name) const { return params.find(name) != params.end(); }
  std::string Param(std::string_view name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  }

  HttpResponse Xml(XmlWriter& w, int status = 200) const {
    HttpResponse r;
    r.status = status;
    r.content_type = "application/xml";
    r.body = std::string(kXmlDeclaration) + w.Take();
    r.headers.emplace("x-amz-request-id", request_id);
    return r;
  }
  HttpResponse Empty(int status = 200) const {
    HttpResponse r;
    r.status = status;
    r.content_type = "application/xml";
    r.headers.emplace("x-amz-request-id", request_id);
    return r;
  }
  HttpResponse Error(const S3Error& e) const {
    XmlWriter w;
    w.Open("Error");
    w.Element("Code", e.code);
    w.Element("Message", e.message);
    if (!bucket.empty()) w.Element("BucketName", bucket);
    if (!key.empty()) w.Element("Key", key);
    w.Element("RequestId", request_id);
    w.Element("HostId", request_id);
    w.Close();
    return Xml(w, e.status);
  }
  HttpResponse Error(const Status& status) const {
    HttpResponse r = Error(ToS3Error(status, request));
    if (bucket::FailureOf(status) == Failure::kDeleteMarker) r.headers.emplace("x-amz-delete-marker", "true");
    return r;
  }
};

bool IsSignedForS3(const HttpRequest& request) {
  protocol::RequestContext context;
  protocol::ParseAuthorization(request.Header("Authorization"), context);
  if (context.service == kSigningName) return true;
  // Presigned URL: X-Amz-Credential=AKID/date/region/s3/aws4_request in the query.
  if (request.query.find("X-Amz-Credential=") == std::string::npos) return false;
  auto params = protocol::ParseFormEncoded(request.query);
  if (!params.ok() || !params->count("X-Amz-Credential")) return false;
  protocol::ParseAuthorization("AWS4-HMAC-SHA256 Credential=" + params->at("X-Amz-Credential"), context);
  return context.service == kSigningName;
}

bool LooksLikePathStyle(const HttpRequest& request) {
  if (!request.Header("Authorization").empty() || request.path.size() < 2 || request.path[0] != '/') return false;
  std::string_view bucket = std::string_view(request.path).substr(1);
  bucket = bucket.substr(0, bucket.find('/'));
  return bucket::ValidateBucketName(bucket).ok();
}

HttpResponse S3Service::Serve(const HttpRequest& request, const std::string& request_id) const {
  Call call{request, request_id, {}, {}, {}, {}};
  std::string_view path = request.path;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  size_t slash = path.find('/');
  call.bucket = std::string(path.substr(0, slash));
  if (slash != std::string_view::npos) call.key = std::string(path.substr(slash + 1));
  auto params = protocol::ParseFormEncoded(request.query);
  if (!params.ok()) return call.Error(S3Error{"InvalidArgument", params.status().message(), 400});
  call.params = std::move(params).value();
  if (IsAwsChunked(request)) {
    std::string declared = request.Header("x-amz-decoded-content-length");
    long long length = -1;
    if (!declared.empty()) std::from_chars(declared.data(), declared.data() + declared.size(), length);
    auto decoded = DecodeAwsChunked(request.body, length);
    if (!decoded.ok()) return call.Error(S3Error{"IncompleteBody", decoded.status().message(), 400});
    call.body = std::move(decoded).value();
  } else {
    call.body = request.body;
  }
  for (std::string_view sub : kUnsupported)
    if (call.Has(sub))
      return call.Error(S3Error{"NotImplemented", fmt::format("The ?{} subresource is not implemented", sub), 501});

  const std::string& m = request.method;
  if (call.bucket.empty()) {
    if (m == "GET") return ListBuckets(call);
  } else if (call.key.empty()) {
    if (m == "PUT") return call.Has("versioning") ? PutBucketVersioning(call) : CreateBucket(call);
    if (m == "HEAD") return HeadBucket(call);
    if (m == "DELETE") return DeleteBucket(call);
    if (m == "POST" && call.Has("delete")) return DeleteObjects(call);
    if (m == "GET") {
      if (call.Has("versioning")) return GetBucketVersioning(call);
      if (call.Has("versions")) return ListObjectVersions(call);
      if (call.Has("location")) {
        auto info = store_.Bucket(call.bucket);
        if (!info.ok()) return call.Error(info.status());
        XmlWriter w;
        w.Open("LocationConstraint", kXmlns);
        w.Close();
        return call.Xml(w);
      }
      if (!call.Has("uploads")) return ListObjects(call, call.Param("list-type") == "2");
    }
  } else {
    if (m == "PUT" && !request.Header("x-amz-copy-source").empty())
      return call.Error(S3Error{"NotImplemented", "CopyObject is not implemented", 501});
    if (m == "PUT") return call.Has("uploadId") ? UploadPart(call) : PutObject(call);
    if (m == "GET" && !call.Has("uploadId")) return GetObject(call, false);
    if (m == "HEAD") return GetObject(call, true);
    if (m == "DELETE") return call.Has("uploadId") ? AbortMultipartUpload(call) : DeleteObject(call);
    if (m == "POST" && call.Has("uploads")) return CreateMultipartUpload(call);
    if (m == "POST" && call.Has("uploadId")) return CompleteMultipartUpload(call);
  }
  return call.Error(S3Error{"NotImplemented",
                            fmt::format("{} {} is not implemented by dbinsight's S3 subset", m,
                                        call.key.empty() ? "on a bucket" : "on an object"),
                            501});
}

HttpResponse S3Service::ListBuckets(const Call& call) const {
  auto buckets = store_.Buckets();
  if (!buckets.ok()) return call.Error(buckets.status());
  XmlWriter w;
  w.Open("ListAllMyBucketsResult", kXmlns);
  Owner(w);
  w.Open("Buckets");
  for (const bucket::BucketInfo& b : buckets.value()) {
    w.Open("Bucket");
    w.Element("Name", b.name);
    w.Element("CreationDate", Iso(b.created));
    w.Close();
  }
  w.Close();
  w.Close();
  return call.Xml(w);
}

HttpResponse S3Service::CreateBucket(const Call& call) const {
  if (Status st = store_.CreateBucket(call.bucket, false); !st.ok()) return call.Error(st);
  HttpResponse r = call.Empty();
  r.headers.emplace("Location", "/" + call.bucket);
  return r;
}

HttpResponse S3Service::DeleteBucket(const Call& call) const {
  if (Status st = store_.DeleteBucket(call.bucket); !st.ok()) return call.Error(st);
  return call.Empty(204);
}

HttpResponse S3Service::HeadBucket(const Call& call) const {
  auto info = store_.Bucket(call.bucket);
  if (!info.ok()) return call.Error(info.status());
  return call.Empty();
}

HttpResponse S3Service::PutBucketVersioning(const Call& call) const {
  std::optional<std::string> status = Text(call.body, "Status");
  if (!status || (*status != "Enabled" && *status != "Suspended"))
    return call.Error(S3Error{"MalformedXML",
                              "The XML you provided was not well-formed or did not validate against our published "
                              "schema: VersioningConfiguration.Status must be Enabled or Suspended",
                              400});
  Status st = store_.SetVersioning(
      call.bucket, *status == "Enabled" ? bucket::Versioning::kEnabled : bucket::Versioning::kSuspended);
  return st.ok() ? call.Empty() : call.Error(st);
}

HttpResponse S3Service::GetBucketVersioning(const Call& call) const {
  auto info = store_.Bucket(call.bucket);
  if (!info.ok()) return call.Error(info.status());
  XmlWriter w;
  w.Open("VersioningConfiguration", kXmlns);
  if (info->versioning != bucket::Versioning::kUnversioned)
    w.Element("Status", info->versioning == bucket::Versioning::kEnabled ? "Enabled" : "Suspended");
  w.Close();
  return call.Xml(w);
}

namespace {

// max-keys: 0-1000 (larger values are capped, as S3 does).
std::optional<size_t> MaxKeys(const std::string& text) {
  if (text.empty()) return kMaxKeys;
  long long v = -1;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v < 0) return std::nullopt;
  return std::min<size_t>(static_cast<size_t>(v), kMaxKeys);
}

void ObjectElements(XmlWriter& w, const bucket::ObjectInfo& o) {
  w.Element("Key", o.key);
  w.Element("LastModified", Iso(o.last_modified));
  w.Element("ETag", Quoted(o.etag));
  w.Element("Size", std::to_string(o.size));
  w.Element("StorageClass", "STANDARD");
}

}  // namespace

HttpResponse S3Service::ListObjects(const Call& call, bool v2) const {
  std::optional<size_t> max_keys = MaxKeys(call.Param("max-keys"));
  if (!max_keys)
    return call.Error(S3Error{"InvalidArgument", "Provided max-keys not an integer or within integer range", 400});
  bucket::ListRequest req{call.Param("prefix"), call.Param("delimiter"), "", *max_keys};
  if (v2) {
    req.start_after = call.Param("start-after");
    if (call.Has("continuation-token")) {
      std::optional<std::string> after = HexDecode(call.Param("continuation-token"));
      if (!after) return call.Error(S3Error{"InvalidArgument", "The continuation token provided is incorrect", 400});
      req.start_after = *after;
    }
  } else {
    req.start_after = call.Param("marker");
  }
  auto result = store_.List(call.bucket, req);
  if (!result.ok()) return call.Error(result.status());
  XmlWriter w;
  w.Open("ListBucketResult", kXmlns);
  w.Element("Name", call.bucket);
  w.Element("Prefix", req.prefix);
  if (v2) {
    if (call.Has("continuation-token")) w.Element("ContinuationToken", call.Param("continuation-token"));
    if (call.Has("start-after")) w.Element("StartAfter", call.Param("start-after"));
    w.Element("KeyCount", std::to_string(result->objects.size() + result->common_prefixes.size()));
  } else {
    w.Element("Marker", req.start_after);
  }
  w.Element("MaxKeys", std::to_string(req.max_keys));
  if (!req.delimiter.empty()) w.Element("Delimiter", req.delimiter);
  w.Element("IsTruncated", result->truncated ? "true" : "false");
  if (result->truncated) {
    if (v2) {
      w.Element("NextContinuationToken", HexEncode(result->next_start_after));
    } else {
      w.Element("NextMarker", result->next_start_after);
    }
  }
  for (const bucket::ObjectInfo& o : result->objects) {
    w.Open("Contents");
    ObjectElements(w, o);
    if (!v2 || call.Param("fetch-owner") == "true") Owner(w);
    w.Close();
  }
  for (const std::string& p : result->common_prefixes) {
    w.Open("CommonPrefixes");
    w.Element("Prefix", p);
    w.Close();
  }
  w.Close();
  return call.Xml(w);
}

HttpResponse S3Service::ListObjectVersions(const Call& call) const {
  std::optional<size_t> max_keys = MaxKeys(call.Param("max-keys"));
  if (!max_keys)
    return call.Error(S3Error{"InvalidArgument", "Provided max-keys not an integer or within integer range", 400});
  bucket::VersionListRequest req{call.Param("prefix"), call.Param("delimiter"), call.Param("key-marker"),
                                 call.Param("version-id-marker"), *max_keys};
  auto result = store_.ListVersions(call.bucket, req);
  if (!result.ok()) return call.Error(result.status());
  XmlWriter w;
  w.Open("ListVersionsResult", kXmlns);
  w.Element("Name", call.bucket);
  w.Element("Prefix", req.prefix);
  w.Element("KeyMarker", req.key_marker);
  w.Element("VersionIdMarker", req.version_id_marker);
  if (result->truncated) {
    w.Element("NextKeyMarker", result->next_key_marker);
    w.Element("NextVersionIdMarker", result->next_version_id_marker);
  }
  w.Element("MaxKeys", std::to_string(req.max_keys));
  if (!req.delimiter.empty()) w.Element("Delimiter", req.delimiter);
  w.Element("IsTruncated", result->truncated ? "true" : "false");
  for (const bucket::ObjectInfo& o : result->versions) {
    w.Open(o.delete_marker ? "DeleteMarker" : "Version");
    w.Element("Key", o.key);
    w.Element("VersionId", o.version_id);
    w.Element("IsLatest", o.is_latest ? "true" : "false");
    w.Element("LastModified", Iso(o.last_modified));
    if (!o.delete_marker) {
      w.Element("ETag", Quoted(o.etag));
      w.Element("Size", std::to_string(o.size));
      w.Element("StorageClass", "STANDARD");
    }
    Owner(w);
    w.Close();
  }
  for (const std::string& p : result->common_prefixes) {
    w.Open("CommonPrefixes");
    w.Element("Prefix", p);
    w.Close();
  }
  w.Close();
  return call.Xml(w);
}

HttpResponse S3Service::PutObject(const Call& call) const {
  auto info = store_.Put(call.bucket, call.key, call.body, call.request.Header("Content-Type"));
  if (!info.ok()) return call.Error(info.status());
  HttpResponse r = call.Empty();
  r.headers.emplace("ETag", Quoted(info->etag));
  if (info->version_id != "null") r.headers.emplace("x-amz-version-id", info->version_id);
  return r;
}

namespace {

// "bytes=a-b", "bytes=a-", "bytes=-n" against size: [first, last], or
// nullopt when unsatisfiable. Multiple ranges are not supported (S3 neither).
std::optional<std::pair<uint64_t, uint64_t>> ParseRange(std::string_view header, uint64_t size) {
  if (header.rfind("bytes=", 0) != 0 || size == 0) return std::nullopt;
  std::string_view spec = header.substr(6);
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos || spec.find(',') != std::string_view::npos) return std::nullopt;
  auto number = [](std::string_view s) -> std::optional<uint64_t> {
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
  };
  std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
  if (a.empty()) {
    auto n = number(b);
    if (!n || *n == 0) return std::nullopt;
    return std::pair<uint64_t, uint64_t>{size - std::min(*n, size), size - 1};
  }
  auto first = number(a);
  if (!first || *first >= size) return std::nullopt;
  if (b.empty()) return std::pair<uint64_t, uint64_t>{*first, size - 1};
  auto last = number(b);
  if (!last || *last < *first) return std::nullopt;
  return std::pair<uint64_t, uint64_t>{*first, std::min(*last, size - 1)};
}

}  // namespace

HttpResponse S3Service::GetObject(const Call& call, bool head) const {
  auto object = store_.Get(call.bucket, call.key, call.Param("versionId"));
  if (!object.ok()) return call.Error(object.status());
  const bucket::ObjectInfo& info = object->info;
  HttpResponse r = call.Empty();
  r.content_type = info.content_type;
  r.headers.emplace("ETag", Quoted(info.etag));
  r.headers.emplace("Last-Modified", HttpDate(info.last_modified));
  r.headers.emplace("Accept-Ranges", "bytes");
  if (info.version_id != "null") r.headers.emplace("x-amz-version-id", info.version_id);
  // HEAD answers with the body too: the HTTP layer sends its length as
  // Content-Length and drops the bytes.
  r.body = std::move(object->body);
  std::string range = call.request.Header("Range");
  if (!range.empty() && !head) {
    auto span = ParseRange(range, info.size);
    if (!span) {
      HttpResponse e = call.Error(S3Error{"InvalidRange", "The requested range is not satisfiable", 416});
      e.headers.emplace("Content-Range", fmt::format("bytes */{}", info.size));
      return e;
    }
    r.status = 206;
    r.headers.emplace("Content-Range", fmt::format("bytes {}-{}/{}", span->first, span->second, info.size));
    r.body = r.body.substr(span->first, span->second - span->first + 1);
  }
  return r;
}

HttpResponse S3Service::DeleteObject(const Call& call) const {
  auto info = store_.Delete(call.bucket, call.key, call.Param("versionId"));
  if (!info.ok()) return call.Error(info.status());
  HttpResponse r = call.Empty(204);
  if (info->delete_marker) r.headers.emplace("x-amz-delete-marker", "true");
  if (!info->version_id.empty() && info->version_id != "null") r.headers.emplace("x-amz-version-id", info->version_id);
  return r;
}

HttpResponse S3Service::DeleteObjects(const Call& call) const {
  auto bucket_info = store_.Bucket(call.bucket);
  if (!bucket_info.ok()) return call.Error(bucket_info.status());
  std::vector<std::string_view> objects = Inner(call.body, "Object");
  if (Inner(call.body, "Delete").empty() || objects.size() > kMaxDeleteObjects)
    return call.Error(S3Error{"MalformedXML",
                              "The XML you provided was not well-formed or did not validate against our published "
                              "schema",
                              400});
  bool quiet = Text(call.body, "Quiet").value_or("false") == "true";
  XmlWriter w;
  w.Open("DeleteResult", kXmlns);
  for (std::string_view object : objects) {
    std::string key = Text(object, "Key").value_or("");
    std::string version = Text(object, "VersionId").value_or("");
    auto info = store_.Delete(call.bucket, key, version);
    if (!info.ok()) {
      S3Error e = ToS3Error(info.status(), call.request);
      w.Open("Error");
      w.Element("Key", key);
      if (!version.empty()) w.Element("VersionId", version);
      w.Element("Code", e.code);
      w.Element("Message", e.message);
      w.Close();
      continue;
    }
    if (quiet) continue;
    w.Open("Deleted");
    w.Element("Key", key);
    if (!version.empty()) w.Element("VersionId", version);
    if (info->delete_marker) {
      w.Element("DeleteMarker", "true");
      w.Element("DeleteMarkerVersionId", info->version_id);
    }
    w.Close();
  }
  w.Close();
  return call.Xml(w);
}

HttpResponse S3Service::CreateMultipartUpload(const Call& call) const {
  auto id = store_.CreateUpload(call.bucket, call.key, call.request.Header("Content-Type"));
  if (!id.ok()) return call.Error(id.status());
  XmlWriter w;
  w.Open("InitiateMultipartUploadResult", kXmlns);
  w.Element("Bucket", call.bucket);
  w.Element("Key", call.key);
  w.Element("UploadId", id.value());
  w.Close();
  return call.Xml(w);
}

HttpResponse S3Service::UploadPart(const Call& call) const {
  int part = 0;
  std::string number = call.Param("partNumber");
  auto [p, ec] = std::from_chars(number.data(), number.data() + number.size(), part);
  if (ec != std::errc() || p != number.data() + number.size())
    return call.Error(S3Error{"InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive", 400});
  auto etag = store_.UploadPart(call.bucket, call.key, call.Param("uploadId"), part, call.body);
  if (!etag.ok()) return call.Error(etag.status());
  HttpResponse r = call.Empty();
  r.headers.emplace("ETag", Quoted(etag.value()));
  return r;
}

HttpResponse S3Service::CompleteMultipartUpload(const Call& call) const {
  std::vector<bucket::PartRef> parts;
  for (std::string_view part : Inner(call.body, "Part")) {
    bucket::PartRef ref;
    std::string number = Text(part, "PartNumber").value_or("");
    std::from_chars(number.data(), number.data() + number.size(), ref.number);
    ref.etag = Text(part, "ETag").value_or("");
    parts.push_back(std::move(ref));
  }
  auto info = store_.CompleteUpload(call.bucket, call.key, call.Param("uploadId"), parts);
  if (!info.ok()) return call.Error(info.status());
  XmlWriter w;
  w.Open("CompleteMultipartUploadResult", kXmlns);
  w.Element("Location", "/" + call.bucket + "/" + call.key);
  w.Element("Bucket", call.bucket);
  w.Element("Key", call.key);
  w.Element("ETag", Quoted(info->etag));
  w.Close();
  HttpResponse r = call.Xml(w);
  if (info->version_id != "null") r.headers.emplace("x-amz-version-id", info->version_id);
  return r;
}

HttpResponse S3Service::AbortMultipartUpload(const Call& call) const {
  Status st = store_.AbortUpload(call.bucket, call.key, call.Param("uploadId"));
  return st.ok() ? call.Empty(204) : call.Error(st);
}

}  // namespace dbinsight::api::s3
