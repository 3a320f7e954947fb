#include "collect/mysql/digest_resolver.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace dbinsight::collect::mysql {

namespace {

std::string_view TrimEnd(std::string_view s, bool semicolons) {
  while (!s.empty() && (std::isspace(static_cast<unsigned char>(s.back())) || (semicolons && s.back() == ';')))
    s.remove_suffix(1);
  return s;
}

}  // namespace

DigestResolver::DigestResolver(sql::NormalizerCache& normalizer, bool store_literals, size_t max_digests)
    : normalizer_(normalizer), store_literals_(store_literals), max_digests_(std::max<size_t>(max_digests, 2)) {}

TokenizedStatement DigestResolver::FromDigest(std::string_view digest, std::string_view digest_text) {
  TokenizedStatement t;
  // Every DIGEST_TEXT ends with one space; displayed and hashed without it.
  t.text = std::string(TrimEnd(digest_text, /*semicolons=*/false));
  t.id = sql::StableId(t.text);
  t.db_id = std::string(digest);
  return t;
}

std::string DigestResolver::Key(std::string_view raw, std::string* normalized) {
  // The server's SQL_TEXT keeps a trailing ';' the client may have sent;
  // strip it so "SELECT 1;" and "SELECT 1" are one statement.
  std::string text = normalizer_.Get(TrimEnd(raw, /*semicolons=*/true), sql::Dialect::kMySql)->text;
  std::string key = sql::StableId(text);
  if (normalized) *normalized = std::move(text);
  return key;
}

void DigestResolver::EvictIfFull() {
  if (by_text_.size() < max_digests_) return;
  std::vector<uint64_t> used;
  used.reserve(by_text_.size());
  for (const auto& [key, e] : by_text_) used.push_back(e.last_used);
  auto mid = used.begin() + static_cast<std::ptrdiff_t>(used.size() / 2);
  std::nth_element(used.begin(), mid, used.end());
  const uint64_t cutoff = *mid;
  std::erase_if(by_text_, [&](const auto& kv) { return kv.second.last_used <= cutoff; });
}

void DigestResolver::Learn(std::string_view sql_text, std::string_view digest, std::string_view digest_text) {
  if (TrimEnd(sql_text, true).empty() || digest.empty() || digest_text.empty()) return;
  std::string key = Key(sql_text, nullptr);
  ++generation_;
  auto it = by_text_.find(key);
  if (it == by_text_.end()) {
    EvictIfFull();
    it = by_text_.emplace(std::move(key), Entry{}).first;
  }
  // The latest finished statement wins: two texts our normalizer merges but
  // the server tells apart (e.g. "-1" vs "1") flip between digests rather
  // than sticking to a stale one.
  if (it->second.tok.db_id != digest) it->second.tok = FromDigest(digest, digest_text);
  it->second.last_used = generation_;
}

bool DigestResolver::Knows(std::string_view raw) { return by_text_.count(Key(raw, nullptr)) > 0; }

StatementDims DigestResolver::Resolve(std::string_view raw) {
  ++generation_;
  std::string normalized;
  const std::string key = Key(raw, &normalized);
  TokenizedStatement tok;
  if (auto it = by_text_.find(key); it != by_text_.end()) {
    it->second.last_used = generation_;
    tok = it->second.tok;
  } else {
    tok.id = key;  // StableId(normalized)
    tok.db_id = GeneratedDbId(tok.id);
    tok.text = std::move(normalized);
  }
  return MakeStatementDims(std::move(tok.id), std::move(tok.db_id), std::move(tok.text), raw, store_literals_);
}

}  // namespace dbinsight::collect::mysql
