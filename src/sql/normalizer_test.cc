#include "sql/normalizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace dbinsight::sql {
namespace {

// One golden case; the file format is described at the top of
// testdata/pg_cases.txt.
struct GoldenCase {
  std::string name;
  std::string input;
  std::string mode;  // parsed | fallback | tokenizer
  std::string expected;
  int line = 0;
};

std::string JoinTrimmed(const std::vector<std::string>& lines) {
  size_t n = lines.size();
  while (n > 0 && lines[n - 1].empty()) --n;
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out += '\n';
    out += lines[i];
  }
  return out;
}

std::vector<GoldenCase> ReadGolden(const std::string& file) {
  std::ifstream in(std::string(SQL_TESTDATA_DIR) + "/" + file);
  EXPECT_TRUE(in.is_open()) << file;
  std::vector<GoldenCase> cases;
  std::vector<std::string> block;
  enum class Part { kNone, kInput, kExpected } part = Part::kNone;
  auto finish_part = [&] {
    if (part == Part::kInput) cases.back().input = JoinTrimmed(block);
    if (part == Part::kExpected) cases.back().expected = JoinTrimmed(block);
    block.clear();
    part = Part::kNone;
  };
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.rfind("## ", 0) != 0) {
      if (part != Part::kNone) block.push_back(line);
      continue;
    }
    if (line.rfind("## case: ", 0) == 0) {
      finish_part();
      cases.push_back({line.substr(9), "", "", "", line_no});
      part = Part::kInput;
    } else if (line.rfind("## expect: ", 0) == 0) {
      EXPECT_EQ(part, Part::kInput) << file << ":" << line_no << " expect without case";
      if (part != Part::kInput) continue;
      cases.back().input = JoinTrimmed(block);
      block.clear();
      cases.back().mode = line.substr(11);
      part = Part::kExpected;
    } else if (part == Part::kExpected) {
      // Any other "## " line ends the expected text (a comment before the next case).
      finish_part();
    }
  }
  finish_part();
  return cases;
}

void RunGolden(const std::string& file, Dialect dialect) {
  std::vector<GoldenCase> cases = ReadGolden(file);
  ASSERT_FALSE(cases.empty()) << file;
  for (const GoldenCase& c : cases) {
    SCOPED_TRACE(file + ":" + std::to_string(c.line) + " " + c.name);
    if (c.mode == "tokenizer") {
      EXPECT_EQ(ReplaceLiterals(c.input, dialect), c.expected);
      continue;
    }
    ASSERT_TRUE(c.mode == "parsed" || c.mode == "fallback") << "mode: " << c.mode;
    Normalized n = Normalize(c.input, dialect);
    EXPECT_EQ(n.text, c.expected);
    EXPECT_EQ(n.parsed, c.mode == "parsed");
    if (n.parsed || dialect == Dialect::kMySql) {
      // Normalizing normalized text changes nothing: text from
      // pg_stat_statements or a digest table maps to the same id as the raw
      // statement it came from.
      EXPECT_EQ(Normalize(c.expected, dialect).text, c.expected);
    }
  }
}

TEST(NormalizerGoldenTest, PostgresMatchesPgStatStatements) {
  RunGolden("pg_cases.txt", Dialect::kPostgres);
}

TEST(NormalizerGoldenTest, PostgresFallback) {
  RunGolden("pg_fallback_cases.txt", Dialect::kPostgres);
}

TEST(NormalizerGoldenTest, MySql) { RunGolden("mysql_cases.txt", Dialect::kMySql); }

TEST(NormalizerTest, EmptyAndEmbeddedNul) {
  EXPECT_EQ(Normalize("", Dialect::kPostgres).text, "");
  EXPECT_EQ(Normalize("", Dialect::kMySql).text, "");
  // The parser would stop at the NUL; the tokenizer sees the whole text.
  Normalized n = Normalize(std::string_view("select 1\0 'x'", 13), Dialect::kPostgres);
  EXPECT_FALSE(n.parsed);
  EXPECT_EQ(n.text, std::string_view("select $1\0 $2", 13));
}

TEST(NormalizerTest, LargeStatementParses) {
  std::string sql = "select * from t where id in (0";
  for (int i = 1; i < 5000; ++i) sql += ", " + std::to_string(i);
  sql += ")";
  Normalized n = Normalize(sql, Dialect::kPostgres);
  EXPECT_TRUE(n.parsed);
  EXPECT_EQ(n.text.substr(0, 36), "select * from t where id in ($1, $2,");
  EXPECT_EQ(n.text.substr(n.text.size() - 8), ", $5000)");
}

TEST(StableIdTest, FormatAndKnownValues) {
  const std::string id = StableId("select $1");
  EXPECT_EQ(id.size(), 32u);
  EXPECT_TRUE(std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
  })) << id;
  // XXH3-128 test vector for empty input (high word first); pins the
  // persisted format across library versions.
  EXPECT_EQ(StableId(""), "99AA06D3014798D86001C324468D497F");
  EXPECT_EQ(StableId("select * from acct where id = $1"),
            StableId(std::string("select * from acct where id = $1")));
  EXPECT_NE(StableId("select $1"), StableId("select $2"));
}

// Texts without literals normalize to themselves, so their cost in bytes is
// their length.
std::string TextOfLength(char fill, size_t n) {
  std::string s = "select ";
  s.append(n - s.size(), fill);
  return s;
}

TEST(NormalizerCacheTest, CountsHitsAndMisses) {
  NormalizerCache cache;
  auto a = cache.Get("select * from acct where id = 5", Dialect::kPostgres);
  auto b = cache.Get("select * from acct where id = 5", Dialect::kPostgres);
  EXPECT_EQ(a->text, "select * from acct where id = $1");
  EXPECT_TRUE(a->parsed);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(cache.hits(), 1u);
  // The dialect is part of the key.
  auto c = cache.Get("select * from acct where id = 5", Dialect::kMySql);
  EXPECT_EQ(c->text, "select * from acct where id = ?");
  EXPECT_EQ(cache.misses(), 2u);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(NormalizerCacheTest, EvictsLeastRecentlyUsedUnderByteBudget) {
  NormalizerCache cache({.max_entries = 100, .max_bytes = 100});
  const std::string a = TextOfLength('a', 40), b = TextOfLength('b', 40), c = TextOfLength('c', 40);
  cache.Get(a, Dialect::kMySql);
  auto held_b = cache.Get(b, Dialect::kMySql);
  cache.Get(a, Dialect::kMySql);  // a is now more recent than b
  EXPECT_EQ(cache.bytes(), 80u);
  cache.Get(c, Dialect::kMySql);  // 120 bytes > 100: b goes
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.bytes(), 80u);
  EXPECT_EQ(held_b->text, b);  // still valid for its holder

  const size_t misses = cache.misses();
  cache.Get(a, Dialect::kMySql);
  cache.Get(c, Dialect::kMySql);
  EXPECT_EQ(cache.misses(), misses);
  cache.Get(b, Dialect::kMySql);
  EXPECT_EQ(cache.misses(), misses + 1);
}

TEST(NormalizerCacheTest, EvictsOverEntryCount) {
  NormalizerCache cache({.max_entries = 2});
  cache.Get("select 1", Dialect::kPostgres);
  cache.Get("select 2", Dialect::kPostgres);
  cache.Get("select 3", Dialect::kPostgres);
  EXPECT_EQ(cache.size(), 2u);
  cache.Get("select 1", Dialect::kPostgres);
  EXPECT_EQ(cache.misses(), 4u);
  EXPECT_EQ(cache.hits(), 0u);
}

TEST(NormalizerCacheTest, DoesNotCacheEntryLargerThanBudget) {
  NormalizerCache cache({.max_bytes = 30});
  const std::string big = TextOfLength('x', 31);
  EXPECT_EQ(cache.Get(big, Dialect::kMySql)->text, big);
  EXPECT_EQ(cache.Get(big, Dialect::kMySql)->text, big);
  EXPECT_EQ(cache.misses(), 2u);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(NormalizerCacheTest, TwoThreadsHammering) {
  // Fewer entries than distinct texts, so lookups, inserts and evictions
  // interleave.
  NormalizerCache cache({.max_entries = 16, .max_bytes = 1 << 20});
  constexpr int kTexts = 40;
  constexpr int kIterations = 4000;
  std::vector<std::string> texts, expected;
  for (int i = 0; i < kTexts; ++i) {
    texts.push_back("select * from t" + std::string(i, 'x') + " where id = " + std::to_string(i));
    expected.push_back("select * from t" + std::string(i, 'x') + " where id = $1");
  }
  auto work = [&](int seed, int* wrong) {
    for (int i = 0; i < kIterations; ++i) {
      const int k = (i * 7 + seed) % kTexts;
      if (cache.Get(texts[k], Dialect::kPostgres)->text != expected[k]) ++*wrong;
    }
  };
  int wrong1 = 0, wrong2 = 0;
  {
    std::jthread t1(work, 1, &wrong1);
    std::jthread t2(work, 3, &wrong2);
  }
  EXPECT_EQ(wrong1 + wrong2, 0);
  EXPECT_EQ(cache.hits() + cache.misses(), 2u * kIterations);
  EXPECT_LE(cache.size(), 16u);
}

}  // namespace
}  // namespace dbinsight::sql
