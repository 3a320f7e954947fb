#include "collect/postgres/statement_resolver.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace dbinsight::collect::postgres {

StatementResolver::StatementResolver(sql::NormalizerCache& normalizer, bool store_literals,
                                     size_t max_query_ids)
    : normalizer_(normalizer), store_literals_(store_literals), max_query_ids_(max_query_ids) {}

StatementResolver::Tokenized StatementResolver::FromText(std::string_view raw,
                                                         std::optional<int64_t> query_id) {
  // pg_stat_statements shows a statement without its terminating semicolon;
  // pg_stat_activity keeps it. Trim so both name the statement alike.
  while (!raw.empty() && (raw.back() == ';' || std::isspace(static_cast<unsigned char>(raw.back()))))
    raw.remove_suffix(1);
  Tokenized t;
  t.text = normalizer_.Get(raw, sql::Dialect::kPostgres)->text;
  t.id = sql::StableId(t.text);
  t.db_id = query_id ? std::to_string(*query_id) : GeneratedDbId(t.id);
  return t;
}

void StatementResolver::SetFullTextLookup(FullTextLookup lookup, size_t truncation_bytes) {
  lookup_ = std::move(lookup);
  truncation_bytes_ = truncation_bytes;
}

StatementResolver::Tokenized StatementResolver::FromQueryId(int64_t query_id, std::string_view raw) {
  // The server cuts at a character boundary below the limit: allow a
  // multibyte character's worth of slack.
  const bool cut = lookup_ && truncation_bytes_ > 0 && raw.size() + 4 >= truncation_bytes_;
  if (cut) {
    if (std::optional<std::string> full = lookup_(query_id)) return FromText(*full, query_id);
  }
  Tokenized t = FromText(raw, query_id);
  t.truncated = cut;
  return t;
}

void StatementResolver::EvictIfFull() {
  if (by_query_id_.size() < max_query_ids_) return;
  // Forget the least recently seen half at once: amortized O(1) per insert,
  // and no per-lookup bookkeeping beyond a counter.
  std::vector<uint64_t> seen;
  seen.reserve(by_query_id_.size());
  for (const auto& [id, t] : by_query_id_) seen.push_back(t.last_seen);
  auto mid = seen.begin() + static_cast<std::ptrdiff_t>(seen.size() / 2);
  std::nth_element(seen.begin(), mid, seen.end());
  const uint64_t cutoff = *mid;
  std::erase_if(by_query_id_, [&](const auto& kv) { return kv.second.last_seen <= cutoff; });
}

void StatementResolver::ResolveFullText(int64_t query_id, std::string_view text) {
  if (query_id == 0 || by_query_id_.count(query_id)) return;
  EvictIfFull();
  Tokenized t = FromText(text, query_id);
  t.last_seen = ++generation_;
  by_query_id_.emplace(query_id, std::move(t));
}

std::optional<StatementDims> StatementResolver::Known(int64_t query_id) {
  auto it = by_query_id_.find(query_id);
  if (it == by_query_id_.end()) return std::nullopt;
  it->second.last_seen = ++generation_;
  StatementDims d;
  d.tokenized_id = it->second.id;
  d.tokenized_db_id = it->second.db_id;
  d.tokenized_text = it->second.text;
  return d;
}

StatementDims StatementResolver::Resolve(std::optional<int64_t> query_id, std::string_view raw) {
  if (query_id && *query_id == 0) query_id.reset();
  ++generation_;
  Tokenized tok;
  if (query_id) {
    auto it = by_query_id_.find(*query_id);
    if (it == by_query_id_.end()) {
      EvictIfFull();
      it = by_query_id_.emplace(*query_id, FromQueryId(*query_id, raw)).first;
    } else if (it->second.truncated && ++it->second.seen_since_lookup >= kLookupRetryEvery) {
      // The entry may not have been in pg_stat_statements yet; the digest's
      // id changes once the full text is known.
      it->second = FromQueryId(*query_id, raw);
    }
    it->second.last_seen = generation_;
    tok = it->second;
  } else {
    tok = FromText(raw, std::nullopt);
  }

  return MakeStatementDims(std::move(tok.id), std::move(tok.db_id), std::move(tok.text), raw, store_literals_);
}

}  // namespace dbinsight::collect::postgres
