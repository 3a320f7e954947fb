// The bucket store's failure kinds. StatusCode has one "not found" and one
// "client error" class, while a bucket API must tell a missing bucket from a
// missing key or version, and a non-empty bucket from a bad name. Fail() puts
// the kind into the Status as a fixed message opening and FailureOf() reads
// it back; both live here so producer and reader cannot drift (the pattern
// of api/protocol/errors.h's MissingParameterMessage). api/s3 maps kinds to
// S3 error codes. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "common/status.h"

namespace dbinsight::bucket {

enum class Failure {
  kNoSuchBucket,       // NotFound
  kNoSuchKey,          // NotFound: absent, or its latest version is a delete marker
  kNoSuchVersion,      // NotFound
  kNoSuchUpload,       // NotFound
  kBucketExists,       // InvalidArgument: CreateBucket on an existing bucket
  kBucketNotEmpty,     // InvalidArgument: DeleteBucket while any version is left
  kInvalidBucketName,  // InvalidArgument
  kInvalidKey,         // InvalidArgument
  kInvalidPart,        // InvalidArgument: a completed part is missing or its ETag differs
  kDeleteMarker,       // InvalidArgument: GET/HEAD of a delete marker by its version id
};

// A Status of the kind's class whose message is "<opening>: <detail>".
Status Fail(Failure kind, const std::string& detail);

// The kind of a Status Fail() made; nullopt for any other Status.
std::optional<Failure> FailureOf(const Status& status);

}  // namespace dbinsight::bucket
