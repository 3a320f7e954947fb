// StatementResolver: gives each PostgreSQL statement seen in pg_stat_activity
// its db.sql_tokenized and db.sql dimension values (ids, db_ids, texts).
//
// Identity follows the server: when it reports a query_id, that id is the
// statement, and the first text seen for it is kept as its digest text (as
// pg_stat_statements keeps the first-seen text), so "SELECT 1" and "select 1"
// do not split one query_id into two keys. Without a query_id (PG < 14,
// compute_query_id off) the normalized text is the identity.
//
// Ownership: one per sampler; holds a reference to the shared NormalizerCache,
// which must outlive it. Thread-safety: not thread-safe (one sampler thread).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "collect/statement_dims.h"
#include "sql/normalizer.h"

namespace dbinsight::collect::postgres {

using collect::StatementDims;

class StatementResolver {
 public:
  // max_query_ids: bound on remembered query_ids (least recently seen go first).
  StatementResolver(sql::NormalizerCache& normalizer, bool store_literals, size_t max_query_ids);

  // raw: the session's query text; query_id: pg_stat_activity.query_id (0 and
  // nullopt both mean "none"). REQUIRES: raw is not empty.
  StatementDims Resolve(std::optional<int64_t> query_id, std::string_view raw);

  size_t tracked_query_ids() const { return by_query_id_.size(); }
  // Names a query_id from its complete digest text (pg_stat_statements'
  // own), without the truncation lookup Resolve() does for activity text.
  // A query_id already known keeps its first-seen text.
  void ResolveFullText(int64_t query_id, std::string_view text);
  // Whether a query_id has been resolved (and not forgotten) already.
  bool Knows(int64_t query_id) const { return by_query_id_.count(query_id) > 0; }
  // The tokenized dimensions of a known query_id (db.sql fields left empty),
  // marking it as seen; nullopt when unknown.
  std::optional<StatementDims> Known(int64_t query_id);

  // pg_stat_activity cuts query text at track_activity_query_size; the full
  // digest text of a query_id can be looked up (pg_stat_statements keeps it
  // whole). Given a lookup, a query_id whose first-seen text is at least
  // truncation_bytes long takes the looked-up text instead; a failed lookup
  // is retried every kLookupRetryEvery resolutions of that query_id.
  using FullTextLookup = std::function<std::optional<std::string>(int64_t query_id)>;
  void SetFullTextLookup(FullTextLookup lookup, size_t truncation_bytes);
  static constexpr uint64_t kLookupRetryEvery = 30;

 private:
  struct Tokenized {
    std::string id;
    std::string db_id;
    std::string text;
    uint64_t last_seen = 0;  // generation_ when last resolved
    bool truncated = false;  // text cut short; lookup pending
    uint64_t seen_since_lookup = 0;
  };
  Tokenized FromText(std::string_view raw, std::optional<int64_t> query_id);
  // For a query_id: the full text if raw looks cut and the lookup has it.
  Tokenized FromQueryId(int64_t query_id, std::string_view raw);
  void EvictIfFull();

  sql::NormalizerCache& normalizer_;
  const bool store_literals_;
  const size_t max_query_ids_;
  std::unordered_map<int64_t, Tokenized> by_query_id_;
  FullTextLookup lookup_;
  size_t truncation_bytes_ = 0;
  uint64_t generation_ = 0;
};

}  // namespace dbinsight::collect::postgres
