// SQL normalization: turns a statement's raw text into its digest text (the
// db.sql_tokenized statement) and stable ids. Normalize() and StableId() are
// pure functions, safe from any thread. NormalizerCache memoizes Normalize();
// one instance is meant to be shared by every sampler of a process (app/ owns
// it), and all its methods may be called concurrently.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sql/tokenizer.h"

namespace dbinsight::sql {

struct Normalized {
  // Literals replaced: PostgreSQL "$1, $2, ..." numbered like
  // pg_stat_statements; MySQL "?" as in DIGEST_TEXT. Everything else (case,
  // whitespace, comments) is kept as written.
  std::string text;
  // true: libpg_query parsed and normalized the text; false: the fallback
  // tokenizer did (text it could not parse, or any MySQL text).
  bool parsed = false;
};

// 32 upper-case hex digits: XXH3-128 of `s` in canonical (big-endian) byte
// order. Stable across processes, hosts and versions: it is persisted and
// served as db.sql_tokenized.id / db.sql.id.
std::string StableId(std::string_view s);

// kPostgres: pg_query_normalize, with placeholders renumbered in text order as
// pg_stat_statements does; when parsing fails (text truncated at
// track_activity_query_size, unterminated strings, other dialects) the
// tokenizer's ReplaceLiterals(). kMySql: ReplaceLiterals() only.
// Never fails. Cost grows with length (measured: ~3 us for 50 bytes, ~11 us
// for 200, ~25-30 ms for 0.6 MB; the tokenizer ~10x less), hence the cache.
Normalized Normalize(std::string_view raw, Dialect dialect);

// A bounded LRU of Normalize() results keyed by XXH3-64 of (dialect, raw
// text). Samplers see the same text every second; parsing it again each time
// would cost more than the sample. A 64-bit key collision (odds ~n^2/2^65)
// would show one statement's digest for another; the raw text is not kept to
// compare against, halving the memory.
class NormalizerCache {
 public:
  struct Options {
    // Default: 10000, well above the distinct statements a busy instance runs
    // in a sampling window.
    size_t max_entries = 10000;
    // Bytes of normalized text held. Default: 64 MiB, bounding memory when
    // statements are huge (a 1 MB statement costs 1 MB, not one entry). A
    // result larger than this is returned but not cached.
    size_t max_bytes = 64 << 20;
  };

  // Two constructors instead of `Options options = {}`: GCC rejects a nested
  // struct with member initializers as a default argument inside its class.
  NormalizerCache();
  explicit NormalizerCache(Options options);
  NormalizerCache(const NormalizerCache&) = delete;
  NormalizerCache& operator=(const NormalizerCache&) = delete;

  // Returns the cached result or computes, caches and returns it. Shared
  // ownership: the entry may be evicted while the caller still holds it.
  // The normalization itself runs outside the lock, so a slow statement does
  // not stall other callers; two callers missing on the same text may both
  // compute it (the first insert wins).
  std::shared_ptr<const Normalized> Get(std::string_view raw, Dialect dialect);

  size_t hits() const { return hits_.load(std::memory_order_relaxed); }
  size_t misses() const { return misses_.load(std::memory_order_relaxed); }
  // Current number of cached entries and bytes of cached text.
  size_t size() const;
  size_t bytes() const;

 private:
  struct Entry {
    uint64_t key;
    std::shared_ptr<const Normalized> value;
  };
  using Lru = std::list<Entry>;  // most recently used first

  void EvictLocked();  // REQUIRES: mu_ held

  const Options options_;
  mutable std::mutex mu_;
  Lru lru_;                                            // guarded by mu_
  std::unordered_map<uint64_t, Lru::iterator> index_;  // guarded by mu_
  size_t bytes_ = 0;                                   // guarded by mu_
  std::atomic<size_t> hits_{0};
  std::atomic<size_t> misses_{0};
};

}  // namespace dbinsight::sql
