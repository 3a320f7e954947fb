// BucketStore listing (bucket_store.h): the walk over a bucket's directory
// tree, S3's byte order, delimiter roll-up and pages.
#include <algorithm>
#include <filesystem>

#include "bucket/bucket_store.h"
#include "bucket/names.h"

namespace dbinsight::bucket {

namespace fs = std::filesystem;

namespace {

// The page of sorted entries from index `begin`: delimiter roll-up and max_keys.
struct Page {
  std::vector<size_t> items;
  std::vector<std::string> prefixes;
  bool truncated = false;
  bool last_is_prefix = false;
  size_t last_item = 0;
};

Page Paginate(const std::vector<ObjectInfo>& sorted, size_t begin, const std::string& prefix,
              const std::string& delimiter, size_t max_keys) {
  Page page;
  size_t count = 0;
  for (size_t i = begin; i < sorted.size(); ++i) {
    const std::string& key = sorted[i].key;
    if (!delimiter.empty()) {
      size_t at = key.find(delimiter, prefix.size());
      if (at != std::string::npos) {
        std::string common = key.substr(0, at + delimiter.size());
        if (!page.prefixes.empty() && page.prefixes.back() == common) continue;
        if (count == max_keys) {
          page.truncated = true;
          break;
        }
        page.prefixes.push_back(std::move(common));
        page.last_is_prefix = true;
        ++count;
        continue;
      }
    }
    if (count == max_keys) {
      page.truncated = true;
      break;
    }
    page.items.push_back(i);
    page.last_is_prefix = false;
    page.last_item = i;
    ++count;
  }
  return page;
}

// First index after a marker: past `marker` itself and, when the marker is a
// rolled-up common prefix, past every key under it.
size_t SkipPast(const std::vector<ObjectInfo>& sorted, const std::string& marker, const std::string& delimiter) {
  size_t i = 0;
  if (marker.empty()) return i;
  bool rolled_up = !delimiter.empty() && marker.ends_with(delimiter);
  while (i < sorted.size() && (sorted[i].key <= marker || (rolled_up && sorted[i].key.starts_with(marker)))) ++i;
  return i;
}

}  // namespace

Result<std::vector<ObjectInfo>> BucketStore::Collect(const std::string& bucket, const std::string& prefix,
                                                     bool all_versions) const {
  // Start in the deepest directory the prefix names fully; its last, partial
  // component filters that directory's entries.
  std::string dir = BucketDir(bucket);
  std::string key_base;
  size_t slash = prefix.rfind('/');
  std::string partial = prefix;
  if (slash != std::string::npos) {
    key_base = prefix.substr(0, slash + 1);
    partial = prefix.substr(slash + 1);
    if (!ValidateKey(prefix.substr(0, slash)).ok()) return std::vector<ObjectInfo>{};
    for (const std::string& c : KeyToPath(prefix.substr(0, slash))) dir += "/" + c;
  }
  std::vector<ObjectInfo> out;
  // (directory, key of that directory + "/"; empty at the bucket level)
  std::vector<std::pair<std::string, std::string>> stack{{dir, key_base}};
  bool top = true;
  while (!stack.empty()) {
    auto [d, base] = std::move(stack.back());
    stack.pop_back();
    std::error_code ec;
    fs::directory_iterator it(d, ec);
    if (ec) continue;
    for (const auto& e : it) {
      std::string name = e.path().filename().string();
      if (name.starts_with(".") || !e.is_directory(ec)) continue;
      std::string key = base + DecodeComponent(name);
      if (top && !key.starts_with(prefix)) continue;
      auto slots = ReadSlots(e.path().string(), key);
      if (!slots.ok()) return slots.status();
      for (Slot& s : slots.value()) {
        out.push_back(std::move(s.info));
        if (!all_versions) break;
      }
      stack.emplace_back(e.path().string(), key + "/");
    }
    top = false;
  }
  std::stable_sort(out.begin(), out.end(), [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
  return out;
}

Result<ListResult> BucketStore::List(const std::string& bucket, const ListRequest& request) const {
  std::lock_guard lock(mu_);
  DBI_RETURN_IF_ERROR(ReadBucket(bucket).status());
  auto all = Collect(bucket, request.prefix, false);
  if (!all.ok()) return all.status();
  std::vector<ObjectInfo>& latest = all.value();
  std::erase_if(latest, [](const ObjectInfo& o) { return o.delete_marker; });
  Page page = Paginate(latest, SkipPast(latest, request.start_after, request.delimiter), request.prefix,
                       request.delimiter, request.max_keys);
  ListResult out;
  for (size_t i : page.items) out.objects.push_back(latest[i]);
  out.common_prefixes = std::move(page.prefixes);
  out.truncated = page.truncated;
  if (page.truncated)
    out.next_start_after = page.last_is_prefix ? out.common_prefixes.back() : latest[page.last_item].key;
  return out;
}

Result<VersionListResult> BucketStore::ListVersions(const std::string& bucket,
                                                    const VersionListRequest& request) const {
  std::lock_guard lock(mu_);
  DBI_RETURN_IF_ERROR(ReadBucket(bucket).status());
  auto all = Collect(bucket, request.prefix, true);
  if (!all.ok()) return all.status();
  const std::vector<ObjectInfo>& versions = all.value();
  size_t begin = 0;
  if (request.version_id_marker.empty()) {
    begin = SkipPast(versions, request.key_marker, request.delimiter);
  } else {
    while (begin < versions.size() && versions[begin].key < request.key_marker) ++begin;
    size_t at = begin;
    while (at < versions.size() && versions[at].key == request.key_marker &&
           versions[at].version_id != request.version_id_marker)
      ++at;
    if (at < versions.size() && versions[at].key == request.key_marker) begin = at + 1;
  }
  Page page = Paginate(versions, begin, request.prefix, request.delimiter, request.max_keys);
  VersionListResult out;
  for (size_t i : page.items) out.versions.push_back(versions[i]);
  out.common_prefixes = std::move(page.prefixes);
  out.truncated = page.truncated;
  if (page.truncated) {
    if (page.last_is_prefix) {
      out.next_key_marker = out.common_prefixes.back();
    } else {
      out.next_key_marker = versions[page.last_item].key;
      out.next_version_id_marker = versions[page.last_item].version_id;
    }
  }
  return out;
}

}  // namespace dbinsight::bucket
