// BucketStore: a versioned object store over a local directory with S3's
// semantics (docs/store-format.md, "Buckets"): buckets are directories, an
// object is a directory of versions named by its key, every version is a data
// file plus a small metadata file. With versioning Enabled every Put adds a
// version; Suspended or never enabled, a Put replaces the "null" version.
// Deletes without a version id add a delete marker (Enabled) or remove the
// null version; deletes with one remove that version for good.
// Writes are crash-safe: data and metadata are written to temporaries,
// fsynced and renamed; the metadata rename commits a version, so a crash
// leaves the object as it was before or after, never torn.
// The analyzer calls it directly (reports under performance-reports/...);
// api/s3 serves it to the aws CLI and boto3.
// Thread-safe: one mutex serializes metadata changes and reads of one
// consistent version; bodies are written to temporaries outside it.
// Listing lives in bucket_store_list.cc, multipart uploads in
// bucket_store_upload.cc.
// Borrows the clock (last-modified times), which must outlive the store.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "bucket/failure.h"
#include "common/clock.h"
#include "common/status.h"

namespace dbinsight::bucket {

enum class Versioning { kUnversioned, kEnabled, kSuspended };

struct BucketInfo {
  std::string name;
  WallTime created;
  Versioning versioning = Versioning::kUnversioned;
};

// One version of an object, or a delete marker.
struct ObjectInfo {
  std::string key;
  std::string version_id;  // "null" when written while versioning was not Enabled
  std::string etag;        // MD5 hex of the body; multipart: MD5 of the part MD5s + "-<parts>"
  uint64_t size = 0;
  std::string content_type;
  WallTime last_modified;
  bool delete_marker = false;
  bool is_latest = false;
};

struct Object {
  ObjectInfo info;
  std::string body;
};

// Listing of the latest versions (ListObjectsV2).
struct ListRequest {
  std::string prefix;
  // Non-empty: keys with the delimiter after the prefix roll up into one
  // common prefix (their text up to and including the delimiter).
  std::string delimiter;
  // Only keys (and common prefixes) after this one.
  std::string start_after;
  size_t max_keys = 1000;
};

struct ListResult {
  std::vector<ObjectInfo> objects;  // latest versions that are not delete markers, by key
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_start_after;  // when truncated: the last key or prefix returned
};

// Listing of every version and delete marker (ListObjectVersions).
struct VersionListRequest {
  std::string prefix;
  std::string delimiter;
  // Resume after (key_marker, version_id_marker); an empty version id marker
  // skips every version of key_marker.
  std::string key_marker;
  std::string version_id_marker;
  size_t max_keys = 1000;
};

struct VersionListResult {
  std::vector<ObjectInfo> versions;  // by key, then newest first
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_key_marker;
  std::string next_version_id_marker;
};

// A part named in CompleteUpload.
struct PartRef {
  int number = 0;
  std::string etag;  // MD5 hex, quotes allowed
};

class BucketStore {
 public:
  // Opens (creating if needed) the root directory, e.g. <store dir>/buckets.
  static Result<std::unique_ptr<BucketStore>> Open(const std::string& root, const Clock& clock);

  // Failure::kInvalidBucketName, kBucketExists.
  Status CreateBucket(const std::string& name, bool versioned);
  // Failure::kNoSuchBucket, kBucketNotEmpty (any version or delete marker
  // left). Removes unfinished multipart uploads with the bucket.
  Status DeleteBucket(const std::string& name);
  // All buckets by name.
  Result<std::vector<BucketInfo>> Buckets() const;
  Result<BucketInfo> Bucket(const std::string& name) const;
  // REQUIRES: versioning is kEnabled or kSuspended (a bucket never returns to unversioned).
  Status SetVersioning(const std::string& name, Versioning versioning);

  // Stores body under key; returns the new version. Failure::kInvalidKey.
  Result<ObjectInfo> Put(const std::string& bucket, const std::string& key, std::string_view body,
                         const std::string& content_type = "binary/octet-stream");
  // The latest version (Failure::kNoSuchKey when absent or a delete marker),
  // or the given version (kNoSuchVersion; kDeleteMarker for a marker).
  Result<Object> Get(const std::string& bucket, const std::string& key, const std::string& version_id = "") const;
  // Get without the body.
  Result<ObjectInfo> Head(const std::string& bucket, const std::string& key, const std::string& version_id = "") const;
  // Without version_id: adds a delete marker (versioning Enabled: a new
  // version; Suspended: the null version) or removes the null version
  // (unversioned); returns the marker, or a default ObjectInfo when nothing
  // was there. With version_id: removes that version or marker for good and
  // returns what it was (a default ObjectInfo when unknown: deletes are
  // idempotent, as in S3).
  Result<ObjectInfo> Delete(const std::string& bucket, const std::string& key, const std::string& version_id = "");

  Result<ListResult> List(const std::string& bucket, const ListRequest& request) const;
  Result<VersionListResult> ListVersions(const std::string& bucket, const VersionListRequest& request) const;
  // Every version and delete marker of one key, newest first (empty if none).
  Result<std::vector<ObjectInfo>> Versions(const std::string& bucket, const std::string& key) const;

  // Multipart uploads (S3's CreateMultipartUpload...): parts are kept under
  // the bucket until CompleteUpload joins them into one new version.
  Result<std::string> CreateUpload(const std::string& bucket, const std::string& key, const std::string& content_type);
  // part_number 1-10000; returns the part's MD5 hex. Failure::kNoSuchUpload.
  Result<std::string> UploadPart(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                 int part_number, std::string_view body);
  // Parts in ascending order (Failure::kInvalidPart otherwise, or when one
  // is missing or its ETag differs).
  Result<ObjectInfo> CompleteUpload(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                    const std::vector<PartRef>& parts);
  Status AbortUpload(const std::string& bucket, const std::string& key, const std::string& upload_id);

 private:
  // One version on disk: .v<seq>.meta (its commit) and .v<seq>.data.
  struct Slot {
    uint64_t seq = 0;
    ObjectInfo info;
  };
  // Where bodies are written before their rename into place (per bucket).
  static constexpr std::string_view kIncoming = ".incoming";

  BucketStore(std::string root, const Clock& clock);

  std::string BucketDir(const std::string& name) const;
  Result<BucketInfo> ReadBucket(const std::string& name) const;  // REQUIRES: mu_ held
  Result<std::string> ObjectDir(const std::string& bucket, const std::string& key) const;
  Result<std::string> UploadDir(const std::string& bucket, const std::string& key, const std::string& upload_id) const;
  Result<std::vector<Slot>> ReadSlots(const std::string& dir, const std::string& key) const;
  // Commits a version whose data (if any) is the temporary data_tmp in dir.
  Result<ObjectInfo> Commit(const std::string& dir, ObjectInfo info, const std::string& data_tmp,
                            Versioning versioning);
  Status RemoveSlot(const std::string& dir, const Slot& slot);
  void PruneEmptyDirs(const std::string& bucket_dir, std::string dir) const;
  // Every latest version (or every version) of the keys under prefix, by key.
  Result<std::vector<ObjectInfo>> Collect(const std::string& bucket, const std::string& prefix,
                                          bool all_versions) const;
  std::string NewVersionId(uint64_t seq);

  const std::string root_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::mt19937_64 random_;  // GUARDED_BY(mu_): version id suffixes
};

}  // namespace dbinsight::bucket
