#include "bucket/bucket_store.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <random>

#include "bucket/files.h"
#include "bucket/names.h"
#include "common/check.h"

namespace dbinsight::bucket {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kBucketFile = ".bucket";

// Persisted in .bucket: never renumber.
int VersioningNumber(Versioning v) {
  switch (v) {
    case Versioning::kUnversioned:
      return 0;
    case Versioning::kEnabled:
      return 1;
    case Versioning::kSuspended:
      return 2;
  }
  return 0;
}

Versioning VersioningFromNumber(int n) {
  return n == 1 ? Versioning::kEnabled : n == 2 ? Versioning::kSuspended : Versioning::kUnversioned;
}

int64_t Micros(WallTime t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

WallTime FromMicros(int64_t us) { return WallTime(std::chrono::microseconds(us)); }

int64_t ToInt(std::string_view s) {
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::string SlotName(uint64_t seq, std::string_view suffix) { return fmt::format(".v{:010}{}", seq, suffix); }

// ".v0000000012.meta" -> 12
std::optional<uint64_t> SlotSeq(std::string_view name) {
  if (name.size() != 17 || name.substr(0, 2) != ".v" || name.substr(12) != ".meta") return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(name.data() + 2, name.data() + 12, v);
  if (ec != std::errc() || p != name.data() + 12) return std::nullopt;
  return v;
}

}  // namespace

BucketStore::BucketStore(std::string root, const Clock& clock)
    : root_(std::move(root)), clock_(clock), random_(std::random_device{}()) {}

Result<std::unique_ptr<BucketStore>> BucketStore::Open(const std::string& root, const Clock& clock) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return Status::Unavailable(fmt::format("cannot create bucket root {}: {}", root, ec.message()));
  // A bucket deletion interrupted by a crash finishes here.
  for (const auto& e : fs::directory_iterator(root, ec))
    if (e.path().filename().string().starts_with(".deleting-")) fs::remove_all(e.path(), ec);
  return std::unique_ptr<BucketStore>(new BucketStore(root, clock));
}

std::string BucketStore::BucketDir(const std::string& name) const { return root_ + "/" + name; }

Result<BucketInfo> BucketStore::ReadBucket(const std::string& name) const {
  if (name.empty() || name.front() == '.' || name.find('/') != std::string::npos)
    return Fail(Failure::kNoSuchBucket, name);
  std::string path = BucketDir(name) + "/" + std::string(kBucketFile);
  if (::access(path.c_str(), F_OK) != 0) return Fail(Failure::kNoSuchBucket, name);
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  auto fields = ParseFields(text.value());
  return BucketInfo{name, FromMicros(ToInt(fields["created_us"])),
                    VersioningFromNumber(static_cast<int>(ToInt(fields["versioning"])))};
}

Status BucketStore::CreateBucket(const std::string& name, bool versioned) {
  DBI_RETURN_IF_ERROR(ValidateBucketName(name));
  std::lock_guard lock(mu_);
  if (ReadBucket(name).ok()) return Fail(Failure::kBucketExists, name);
  std::string dir = BucketDir(name);
  std::error_code ec;
  fs::create_directories(dir + "/" + std::string(kIncoming), ec);
  if (ec) return FsError("create", dir, ec);
  DBI_RETURN_IF_ERROR(SyncDirectory(root_));
  // The .bucket file is the bucket's commit: a directory without one is not a bucket.
  return WriteFileAtomically(
      dir, std::string(kBucketFile),
      fmt::format("versioning {}\ncreated_us {}\n",
                  VersioningNumber(versioned ? Versioning::kEnabled : Versioning::kUnversioned), Micros(clock_.Now())));
}

Status BucketStore::SetVersioning(const std::string& name, Versioning versioning) {
  DBI_CHECK(versioning != Versioning::kUnversioned);
  std::lock_guard lock(mu_);
  auto info = ReadBucket(name);
  if (!info.ok()) return info.status();
  return WriteFileAtomically(
      BucketDir(name), std::string(kBucketFile),
      fmt::format("versioning {}\ncreated_us {}\n", VersioningNumber(versioning), Micros(info->created)));
}

Result<BucketInfo> BucketStore::Bucket(const std::string& name) const {
  std::lock_guard lock(mu_);
  return ReadBucket(name);
}

Result<std::vector<BucketInfo>> BucketStore::Buckets() const {
  std::lock_guard lock(mu_);
  std::vector<BucketInfo> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root_, ec)) {
    std::string name = e.path().filename().string();
    if (name.starts_with(".")) continue;
    if (auto info = ReadBucket(name); info.ok()) out.push_back(std::move(info).value());
  }
  if (ec) return FsError("list", root_, ec);
  std::sort(out.begin(), out.end(), [](const BucketInfo& a, const BucketInfo& b) { return a.name < b.name; });
  return out;
}

Status BucketStore::DeleteBucket(const std::string& name) {
  std::lock_guard lock(mu_);
  DBI_RETURN_IF_ERROR(ReadBucket(name).status());
  auto left = Collect(name, "", true);
  if (!left.ok()) return left.status();
  if (!left->empty()) return Fail(Failure::kBucketNotEmpty, name);
  // Renamed first so a crash cannot leave half a bucket that still looks like one.
  std::string doomed = root_ + "/.deleting-" + RandomHex(8);
  std::error_code ec;
  fs::rename(BucketDir(name), doomed, ec);
  if (ec) return FsError("rename", BucketDir(name), ec);
  DBI_RETURN_IF_ERROR(SyncDirectory(root_));
  fs::remove_all(doomed, ec);
  return ec ? FsError("remove", doomed, ec) : Status::Ok();
}

Result<std::string> BucketStore::ObjectDir(const std::string& bucket, const std::string& key) const {
  DBI_RETURN_IF_ERROR(ValidateKey(key));
  std::string dir = BucketDir(bucket);
  for (const std::string& c : KeyToPath(key)) dir += "/" + c;
  return dir;
}

Result<std::vector<BucketStore::Slot>> BucketStore::ReadSlots(const std::string& dir, const std::string& key) const {
  std::vector<Slot> slots;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return slots;  // no such object
  for (const auto& e : it) {
    std::string name = e.path().filename().string();
    std::optional<uint64_t> seq = SlotSeq(name);
    if (!seq) continue;
    auto text = ReadFile(e.path().string());
    if (!text.ok()) return text.status();
    auto f = ParseFields(text.value());
    Slot s;
    s.seq = *seq;
    s.info.key = key;
    s.info.version_id = f["version_id"];
    s.info.etag = f["etag"];
    s.info.size = static_cast<uint64_t>(ToInt(f["size"]));
    s.info.content_type = f["content_type"];
    s.info.last_modified = FromMicros(ToInt(f["modified_us"]));
    s.info.delete_marker = f["delete_marker"] == "1";
    slots.push_back(std::move(s));
  }
  std::sort(slots.begin(), slots.end(), [](const Slot& a, const Slot& b) { return a.seq > b.seq; });
  if (!slots.empty()) slots.front().info.is_latest = true;
  return slots;
}

std::string BucketStore::NewVersionId(uint64_t seq) {
  // The sequence keeps ids in write order; the random part keeps an id from
  // coming back after every version of a key was deleted.
  return fmt::format("{:010}{:016x}", seq, random_());
}

Result<ObjectInfo> BucketStore::Commit(const std::string& dir, ObjectInfo info, const std::string& data_tmp,
                                       Versioning versioning) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return FsError("create", dir, ec);
  auto slots = ReadSlots(dir, info.key);
  if (!slots.ok()) return slots.status();
  uint64_t seq = slots->empty() ? 1 : slots->front().seq + 1;
  info.version_id = versioning == Versioning::kEnabled ? NewVersionId(seq) : "null";
  info.last_modified = clock_.Now();
  info.is_latest = true;
  if (!data_tmp.empty()) DBI_RETURN_IF_ERROR(CommitRename(data_tmp, dir, SlotName(seq, ".data")));
  DBI_RETURN_IF_ERROR(WriteFileAtomically(
      dir, SlotName(seq, ".meta"),
      fmt::format("version_id {}\netag {}\nsize {}\ncontent_type {}\nmodified_us {}\ndelete_marker {}\n",
                  info.version_id, info.etag, info.size, OneLine(info.content_type), Micros(info.last_modified),
                  info.delete_marker ? 1 : 0)));
  // The null version is replaced, not stacked.
  if (info.version_id == "null")
    for (const Slot& old : slots.value())
      if (old.info.version_id == "null") DBI_RETURN_IF_ERROR(RemoveSlot(dir, old));
  return info;
}

Status BucketStore::RemoveSlot(const std::string& dir, const Slot& slot) {
  // The metadata goes first: without it the version no longer exists.
  std::string meta = dir + "/" + SlotName(slot.seq, ".meta");
  if (::unlink(meta.c_str()) != 0) return Status::Internal("cannot remove " + meta);
  ::unlink((dir + "/" + SlotName(slot.seq, ".data")).c_str());
  return SyncDirectory(dir);
}

void BucketStore::PruneEmptyDirs(const std::string& bucket_dir, std::string dir) const {
  // rmdir fails on a directory that still holds versions or other keys.
  while (dir.size() > bucket_dir.size() && ::rmdir(dir.c_str()) == 0) dir = dir.substr(0, dir.rfind('/'));
}

Result<ObjectInfo> BucketStore::Put(const std::string& bucket, const std::string& key, std::string_view body,
                                    const std::string& content_type) {
  DBI_RETURN_IF_ERROR(ValidateKey(key));
  {
    std::lock_guard lock(mu_);
    DBI_RETURN_IF_ERROR(ReadBucket(bucket).status());
  }
  // The body is written and fsynced outside the lock; only the renames are serialized.
  auto tmp = WriteTemporary(BucketDir(bucket) + "/" + std::string(kIncoming), body);
  if (!tmp.ok()) return tmp.status();
  ObjectInfo info;
  info.key = key;
  info.etag = Md5Hex(body);
  info.size = body.size();
  info.content_type = content_type.empty() ? "binary/octet-stream" : content_type;
  std::lock_guard lock(mu_);
  auto bucket_info = ReadBucket(bucket);
  auto dir = ObjectDir(bucket, key);
  Result<ObjectInfo> out = !bucket_info.ok()
                               ? Result<ObjectInfo>(bucket_info.status())
                               : Commit(dir.value(), std::move(info), tmp.value(), bucket_info->versioning);
  if (!out.ok()) ::unlink(tmp.value().c_str());
  return out;
}

Result<ObjectInfo> BucketStore::Head(const std::string& bucket, const std::string& key,
                                     const std::string& version_id) const {
  auto object = Get(bucket, key, version_id);
  if (!object.ok()) return object.status();
  return std::move(object).value().info;
}

Result<Object> BucketStore::Get(const std::string& bucket, const std::string& key,
                                const std::string& version_id) const {
  std::lock_guard lock(mu_);
  DBI_RETURN_IF_ERROR(ReadBucket(bucket).status());
  auto dir = ObjectDir(bucket, key);
  if (!dir.ok()) return Fail(Failure::kNoSuchKey, key);
  auto slots = ReadSlots(dir.value(), key);
  if (!slots.ok()) return slots.status();
  const Slot* slot = nullptr;
  if (version_id.empty()) {
    if (slots->empty() || slots->front().info.delete_marker) return Fail(Failure::kNoSuchKey, key);
    slot = &slots->front();
  } else {
    for (const Slot& s : slots.value())
      if (s.info.version_id == version_id) slot = &s;
    if (slot == nullptr) return Fail(Failure::kNoSuchVersion, key + " version " + version_id);
    if (slot->info.delete_marker) return Fail(Failure::kDeleteMarker, key + " version " + version_id);
  }
  auto body = ReadFile(dir.value() + "/" + SlotName(slot->seq, ".data"));
  if (!body.ok()) return body.status();
  if (body->size() != slot->info.size)
    return Status::DataLoss(fmt::format("{}/{} version {}: {} bytes on disk, {} recorded", bucket, key,
                                        slot->info.version_id, body->size(), slot->info.size));
  return Object{slot->info, std::move(body).value()};
}

Result<ObjectInfo> BucketStore::Delete(const std::string& bucket, const std::string& key,
                                       const std::string& version_id) {
  DBI_RETURN_IF_ERROR(ValidateKey(key));
  std::lock_guard lock(mu_);
  auto bucket_info = ReadBucket(bucket);
  if (!bucket_info.ok()) return bucket_info.status();
  std::string dir = ObjectDir(bucket, key).value();
  auto slots = ReadSlots(dir, key);
  if (!slots.ok()) return slots.status();
  if (version_id.empty() && bucket_info->versioning != Versioning::kUnversioned) {
    ObjectInfo marker;
    marker.key = key;
    marker.delete_marker = true;
    return Commit(dir, std::move(marker), "", bucket_info->versioning);
  }
  const std::string& target = version_id.empty() ? std::string("null") : version_id;
  ObjectInfo removed;
  for (const Slot& s : slots.value()) {
    if (s.info.version_id != target) continue;
    DBI_RETURN_IF_ERROR(RemoveSlot(dir, s));
    removed = s.info;
  }
  PruneEmptyDirs(BucketDir(bucket), dir);
  return removed;
}

Result<std::vector<ObjectInfo>> BucketStore::Versions(const std::string& bucket, const std::string& key) const {
  std::lock_guard lock(mu_);
  DBI_RETURN_IF_ERROR(ReadBucket(bucket).status());
  auto dir = ObjectDir(bucket, key);
  if (!dir.ok()) return dir.status();
  auto slots = ReadSlots(dir.value(), key);
  if (!slots.ok()) return slots.status();
  std::vector<ObjectInfo> out;
  for (Slot& s : slots.value()) out.push_back(std::move(s.info));
  return out;
}

}  // namespace dbinsight::bucket
