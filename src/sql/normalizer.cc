#include "sql/normalizer.h"

#include <pg_query.h>
#include <xxhash.h>

#include <cstring>
#include <utility>

namespace dbinsight::sql {
namespace {

// Owns a pg_query_normalize result so every path frees it.
class PgNormalizeResult {
 public:
  explicit PgNormalizeResult(const char* sql) : r_(pg_query_normalize(sql)) {}
  ~PgNormalizeResult() { pg_query_free_normalize_result(r_); }
  PgNormalizeResult(const PgNormalizeResult&) = delete;
  PgNormalizeResult& operator=(const PgNormalizeResult&) = delete;

  bool ok() const { return r_.error == nullptr && r_.normalized_query != nullptr; }
  const char* text() const { return r_.normalized_query; }

 private:
  PgQueryNormalizeResult r_;
};

uint64_t CacheKey(std::string_view raw, Dialect dialect) {
  // The seed separates dialects: one text normalizes differently in each.
  const uint64_t seed = dialect == Dialect::kPostgres ? 1 : 2;
  return XXH3_64bits_withSeed(raw.data(), raw.size(), seed);
}

}  // namespace

std::string StableId(std::string_view s) {
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, XXH3_128bits(s.data(), s.size()));
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string id(32, '0');
  for (size_t i = 0; i < sizeof(canonical.digest); ++i) {
    id[2 * i] = kHex[canonical.digest[i] >> 4];
    id[2 * i + 1] = kHex[canonical.digest[i] & 0xF];
  }
  return id;
}

Normalized Normalize(std::string_view raw, Dialect dialect) {
  // The parser reads a C string: an embedded NUL would hide the rest of the
  // text from it, so such text goes to the tokenizer.
  if (dialect == Dialect::kPostgres && std::memchr(raw.data(), '\0', raw.size()) == nullptr) {
    PgNormalizeResult result(std::string(raw).c_str());
    if (result.ok()) {
      return {RenumberParams(result.text(), HighestParamNumber(raw)), true};
    }
  }
  return {ReplaceLiterals(raw, dialect), false};
}

NormalizerCache::NormalizerCache() : NormalizerCache(Options()) {}
NormalizerCache::NormalizerCache(Options options) : options_(options) {}

std::shared_ptr<const Normalized> NormalizerCache::Get(std::string_view raw, Dialect dialect) {
  const uint64_t key = CacheKey(raw, dialect);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(key);
    if (it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      hits_.fetch_add(1, std::memory_order_relaxed);
      return it->second->value;
    }
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  auto value = std::make_shared<const Normalized>(Normalize(raw, dialect));
  const size_t cost = value->text.size();
  if (options_.max_entries == 0 || cost > options_.max_bytes) return value;

  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = index_.try_emplace(key);
  if (!inserted) {
    // Another caller computed the same text meanwhile; keep one copy.
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->value;
  }
  lru_.push_front({key, value});
  it->second = lru_.begin();
  bytes_ += cost;
  EvictLocked();
  return value;
}

void NormalizerCache::EvictLocked() {
  while (!lru_.empty() && (lru_.size() > options_.max_entries || bytes_ > options_.max_bytes)) {
    const Entry& victim = lru_.back();
    bytes_ -= victim.value->text.size();
    index_.erase(victim.key);
    lru_.pop_back();
  }
}

size_t NormalizerCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lru_.size();
}

size_t NormalizerCache::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

}  // namespace dbinsight::sql
