// DigestResolver: gives each MySQL/MariaDB statement seen in a session its
// db.sql_tokenized and db.sql dimension values, preferring the server's own
// digest (DIGEST, DIGEST_TEXT) so that DB load joins the per-SQL statistics
// of events_statements_summary_by_digest by id.
//
// The server fills DIGEST/DIGEST_TEXT only when a statement ends, so a running
// statement has none. The resolver learns, from finished statements
// (events_statements_current/history), which server digest belongs to the
// in-house normalization (sql::Normalize, Dialect::kMySql) of a statement's
// text, and uses that for running statements whose normalization matches.
// Without a learned digest the in-house digest text is the identity, with a
// generated "pi-<digits>" db_id.
//
// Ownership: one per sampler; borrows the shared NormalizerCache, which must
// outlive it. Thread-safety: not thread-safe (one sampler thread).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "collect/statement_dims.h"
#include "sql/normalizer.h"

namespace dbinsight::collect::mysql {

// Same fields and meaning as for PostgreSQL.

struct TokenizedStatement {
  std::string id;     // StableId(text)
  std::string db_id;  // the server's DIGEST (32 hex) or "pi-<digits>"
  std::string text;   // DIGEST_TEXT without its trailing space, or the in-house digest text
};

class DigestResolver {
 public:
  // max_digests: bound on remembered text -> digest mappings (the least
  // recently used half is forgotten when full).
  DigestResolver(sql::NormalizerCache& normalizer, bool store_literals, size_t max_digests);

  // The tokenized values of a server digest: what both the session sampler
  // and the per-SQL statistics stamp for it.
  static TokenizedStatement FromDigest(std::string_view digest, std::string_view digest_text);

  // A finished statement: raw SQL_TEXT and the DIGEST/DIGEST_TEXT the server
  // computed for it. Ignored when any of them is empty.
  void Learn(std::string_view sql_text, std::string_view digest, std::string_view digest_text);
  // Whether the normalization of raw maps to a learned digest.
  bool Knows(std::string_view raw);

  // REQUIRES: raw is not empty.
  StatementDims Resolve(std::string_view raw);

  size_t learned() const { return by_text_.size(); }

 private:
  struct Entry {
    TokenizedStatement tok;
    uint64_t last_used = 0;
  };
  // StableId of the in-house normalization of raw (the map key: 32 bytes
  // instead of the whole text).
  std::string Key(std::string_view raw, std::string* normalized);
  void EvictIfFull();

  sql::NormalizerCache& normalizer_;
  const bool store_literals_;
  const size_t max_digests_;
  std::unordered_map<std::string, Entry> by_text_;
  uint64_t generation_ = 0;
};

}  // namespace dbinsight::collect::mysql
