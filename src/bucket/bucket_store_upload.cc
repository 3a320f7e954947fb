// BucketStore multipart uploads (bucket_store.h): parts are files under
// <bucket>/.uploads/<upload id>/ until CompleteUpload joins them into one
// new version.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "bucket/bucket_store.h"
#include "bucket/files.h"
#include "bucket/names.h"

namespace dbinsight::bucket {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kUploads = ".uploads";
constexpr std::string_view kUploadFile = ".upload";
constexpr int kMaxParts = 10000;

std::string StripQuotes(std::string s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

}  // namespace

Result<std::string> BucketStore::UploadDir(const std::string& bucket, const std::string& key,
                                           const std::string& upload_id) const {
  DBI_RETURN_IF_ERROR(ReadBucket(bucket).status());
  bool hex = !upload_id.empty() && upload_id.size() <= 64 &&
             std::all_of(upload_id.begin(), upload_id.end(),
                         [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
  std::string dir = BucketDir(bucket) + "/" + std::string(kUploads) + "/" + upload_id;
  auto text = hex ? ReadFile(dir + "/" + std::string(kUploadFile)) : Result<std::string>(Status::NotFound(""));
  if (!text.ok() || ParseFields(text.value())["key"] != key) return Fail(Failure::kNoSuchUpload, upload_id);
  return dir;
}

Result<std::string> BucketStore::CreateUpload(const std::string& bucket, const std::string& key,
                                              const std::string& content_type) {
  DBI_RETURN_IF_ERROR(ValidateKey(key));
  std::lock_guard lock(mu_);
  DBI_RETURN_IF_ERROR(ReadBucket(bucket).status());
  std::string id = RandomHex(16);
  std::string dir = BucketDir(bucket) + "/" + std::string(kUploads) + "/" + id;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return FsError("create", dir, ec);
  DBI_RETURN_IF_ERROR(
      WriteFileAtomically(dir, std::string(kUploadFile),
                          fmt::format("key {}\ncontent_type {}\n", key,
                                      OneLine(content_type.empty() ? "binary/octet-stream" : content_type))));
  return id;
}

Result<std::string> BucketStore::UploadPart(const std::string& bucket, const std::string& key,
                                            const std::string& upload_id, int part_number, std::string_view body) {
  if (part_number < 1 || part_number > kMaxParts)
    return Fail(Failure::kInvalidPart, fmt::format("part number {} is not in 1-{}", part_number, kMaxParts));
  std::string dir;
  {
    std::lock_guard lock(mu_);
    auto d = UploadDir(bucket, key, upload_id);
    if (!d.ok()) return d.status();
    dir = std::move(d).value();
  }
  auto tmp = WriteTemporary(dir, body);
  if (!tmp.ok()) return tmp.status();
  std::lock_guard lock(mu_);
  if (Status st = UploadDir(bucket, key, upload_id).status(); !st.ok()) {
    ::unlink(tmp.value().c_str());
    return st;
  }
  DBI_RETURN_IF_ERROR(CommitRename(tmp.value(), dir, fmt::format("part-{:05}", part_number)));
  return Md5Hex(body);
}

Result<ObjectInfo> BucketStore::CompleteUpload(const std::string& bucket, const std::string& key,
                                               const std::string& upload_id, const std::vector<PartRef>& parts) {
  std::string dir;
  std::string content_type;
  {
    std::lock_guard lock(mu_);
    auto d = UploadDir(bucket, key, upload_id);
    if (!d.ok()) return d.status();
    dir = std::move(d).value();
    auto text = ReadFile(dir + "/" + std::string(kUploadFile));
    if (!text.ok()) return text.status();
    content_type = ParseFields(text.value())["content_type"];
  }
  if (parts.empty()) return Fail(Failure::kInvalidPart, "no parts given");
  // Joined in memory (objects here are reports and test files, not
  // gigabytes) and outside the lock. The object's ETag is S3's: MD5 of the
  // concatenated part MD5s, "-", the part count.
  std::string joined;
  Md5 of_parts;
  int previous = 0;
  for (const PartRef& p : parts) {
    if (p.number <= previous) return Fail(Failure::kInvalidPart, "parts must be listed in ascending order");
    previous = p.number;
    auto data = ReadFile(fmt::format("{}/part-{:05}", dir, p.number));
    if (!data.ok()) return Fail(Failure::kInvalidPart, fmt::format("part {} was not uploaded", p.number));
    Md5 md5;
    md5.Update(data.value());
    std::string digest = md5.Finish();
    if (!p.etag.empty() && Hex(digest) != StripQuotes(p.etag))
      return Fail(Failure::kInvalidPart, fmt::format("part {}: ETag {} does not match", p.number, p.etag));
    of_parts.Update(digest);
    joined += data.value();
  }
  auto tmp = WriteTemporary(BucketDir(bucket) + "/" + std::string(kIncoming), joined);
  if (!tmp.ok()) return tmp.status();
  ObjectInfo info;
  info.key = key;
  info.etag = fmt::format("{}-{}", Hex(of_parts.Finish()), parts.size());
  info.size = joined.size();
  info.content_type = content_type;
  std::lock_guard lock(mu_);
  auto bucket_info = ReadBucket(bucket);
  Result<ObjectInfo> out =
      !bucket_info.ok() ? Result<ObjectInfo>(bucket_info.status())
                        : Commit(ObjectDir(bucket, key).value(), std::move(info), tmp.value(), bucket_info->versioning);
  if (!out.ok()) {
    ::unlink(tmp.value().c_str());
    return out;
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return out;
}

Status BucketStore::AbortUpload(const std::string& bucket, const std::string& key, const std::string& upload_id) {
  std::lock_guard lock(mu_);
  auto dir = UploadDir(bucket, key, upload_id);
  if (!dir.ok()) return dir.status();
  std::error_code ec;
  fs::remove_all(dir.value(), ec);
  return ec ? FsError("remove", dir.value(), ec) : Status::Ok();
}

}  // namespace dbinsight::bucket
