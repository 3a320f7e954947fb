#include "bucket/failure.h"

#include <string_view>

namespace dbinsight::bucket {

namespace {

struct Kind {
  Failure failure;
  StatusCode code;
  std::string_view opening;
};

constexpr Kind kKinds[] = {
    {Failure::kNoSuchBucket, StatusCode::kNotFound, "no such bucket"},
    {Failure::kNoSuchKey, StatusCode::kNotFound, "no such key"},
    {Failure::kNoSuchVersion, StatusCode::kNotFound, "no such version"},
    {Failure::kNoSuchUpload, StatusCode::kNotFound, "no such multipart upload"},
    {Failure::kBucketExists, StatusCode::kInvalidArgument, "bucket already exists"},
    {Failure::kBucketNotEmpty, StatusCode::kInvalidArgument, "bucket not empty"},
    {Failure::kInvalidBucketName, StatusCode::kInvalidArgument, "invalid bucket name"},
    {Failure::kInvalidKey, StatusCode::kInvalidArgument, "invalid object key"},
    {Failure::kInvalidPart, StatusCode::kInvalidArgument, "invalid part"},
    {Failure::kDeleteMarker, StatusCode::kInvalidArgument, "version is a delete marker"},
};

}  // namespace

Status Fail(Failure kind, const std::string& detail) {
  for (const Kind& k : kKinds)
    if (k.failure == kind) return Status(k.code, std::string(k.opening) + ": " + detail);
  return Status::Internal(detail);
}

std::optional<Failure> FailureOf(const Status& status) {
  for (const Kind& k : kKinds) {
    const std::string& m = status.message();
    if (status.code() == k.code && m.size() > k.opening.size() && m.compare(0, k.opening.size(), k.opening) == 0 &&
        m[k.opening.size()] == ':')
      return k.failure;
  }
  return std::nullopt;
}

}  // namespace dbinsight::bucket
