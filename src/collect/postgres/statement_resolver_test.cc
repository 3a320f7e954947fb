#include "collect/postgres/statement_resolver.h"

#include <gtest/gtest.h>

#include <regex>

namespace dbinsight::collect::postgres {
namespace {

TEST(StatementResolverTest, QueryIdKeepsFirstSeenText) {
  sql::NormalizerCache cache;
  StatementResolver r(cache, /*store_literals=*/false, 100);
  auto a = r.Resolve(42, "SELECT  *   FROM acct   WHERE id=7");
  auto b = r.Resolve(42, "select * from acct where id = 8");
  EXPECT_EQ(a.tokenized_text, "SELECT  *   FROM acct   WHERE id=$1");
  EXPECT_EQ(b.tokenized_text, a.tokenized_text);
  EXPECT_EQ(b.tokenized_id, a.tokenized_id);
  EXPECT_EQ(a.tokenized_db_id, "42");
  EXPECT_EQ(a.tokenized_id, sql::StableId(a.tokenized_text));
  // Without literals, db.sql is the tokenized statement under its own group.
  EXPECT_EQ(b.sql_text, a.tokenized_text);
  EXPECT_EQ(b.sql_id, a.tokenized_id);
  EXPECT_EQ(b.sql_db_id, "42");
}

TEST(StatementResolverTest, TrailingSemicolonIsNotPartOfTheStatement) {
  sql::NormalizerCache cache;
  StatementResolver r(cache, /*store_literals=*/false, 100);
  // As pg_stat_statements shows it: psql sends the ';', the digest has none.
  EXPECT_EQ(r.Resolve(9, "SELECT pg_sleep(0.5);\n").tokenized_text, "SELECT pg_sleep($1)");
  EXPECT_EQ(r.Resolve(std::nullopt, "select 1 ; ").tokenized_text, "select $1");
}

TEST(StatementResolverTest, CutTextTakesTheLookedUpFullTextAndRetriesLater) {
  sql::NormalizerCache cache;
  StatementResolver r(cache, /*store_literals=*/false, 100);
  int lookups = 0;
  std::optional<std::string> answer;  // nothing known at first
  r.SetFullTextLookup(
      [&](int64_t id) {
        ++lookups;
        EXPECT_EQ(id, 5);
        return answer;
      },
      16);
  EXPECT_EQ(r.Resolve(6, "select 1").tokenized_text, "select $1");  // short: no lookup
  EXPECT_EQ(lookups, 0);
  EXPECT_EQ(r.Resolve(5, "select 12345678 + 9").tokenized_text, "select $1 + $2");
  EXPECT_EQ(lookups, 1);
  answer = "select $1 + $2 + $3 /* whole */";
  for (uint64_t i = 1; i < StatementResolver::kLookupRetryEvery; ++i) r.Resolve(5, "select 12345678 + 9");
  EXPECT_EQ(lookups, 1);
  EXPECT_EQ(r.Resolve(5, "select 12345678 + 9").tokenized_text, "select $1 + $2 + $3 /* whole */");
  EXPECT_EQ(lookups, 2);
  r.Resolve(5, "select 12345678 + 9");
  EXPECT_EQ(lookups, 2);  // known now: no more lookups
}

TEST(StatementResolverTest, StoreLiteralsKeepsRawTextInDbSql) {
  sql::NormalizerCache cache;
  StatementResolver r(cache, /*store_literals=*/true, 100);
  auto a = r.Resolve(-7, "select * from acct where id = 7");
  auto b = r.Resolve(-7, "select * from acct where id = 8");
  EXPECT_EQ(a.tokenized_id, b.tokenized_id);
  EXPECT_EQ(a.tokenized_db_id, "-7");
  EXPECT_EQ(a.sql_text, "select * from acct where id = 7");
  EXPECT_EQ(b.sql_text, "select * from acct where id = 8");
  EXPECT_EQ(a.sql_id, sql::StableId("select * from acct where id = 7"));
  EXPECT_NE(a.sql_id, b.sql_id);
  EXPECT_TRUE(std::regex_match(a.sql_db_id, std::regex("pi-[0-9]{1,10}"))) << a.sql_db_id;
}

TEST(StatementResolverTest, WithoutQueryIdGroupsByNormalizedText) {
  sql::NormalizerCache cache;
  StatementResolver r(cache, false, 100);
  auto a = r.Resolve(std::nullopt, "select * from acct where id = 5");
  auto b = r.Resolve(0, "select * from acct where id = 6");  // 0: no id computed
  EXPECT_EQ(a.tokenized_id, b.tokenized_id);
  EXPECT_EQ(a.tokenized_db_id, b.tokenized_db_id);
  EXPECT_EQ(a.tokenized_db_id, GeneratedDbId(a.tokenized_id));
  EXPECT_EQ(r.tracked_query_ids(), 0u);
}

TEST(StatementResolverTest, FullTextFromStatisticsNeedsNoTruncationLookup) {
  sql::NormalizerCache cache;
  StatementResolver r(cache, /*store_literals=*/false, 100);
  int lookups = 0;
  r.SetFullTextLookup([&](int64_t) { ++lookups; return std::optional<std::string>("unused"); }, 64);
  const std::string text = "select " + std::string(200, 'x') + " from t where id = $1";
  r.ResolveFullText(9, text);
  EXPECT_EQ(lookups, 0) << "a pg_stat_statements text is already whole";
  auto known = r.Known(9);
  ASSERT_TRUE(known);
  EXPECT_EQ(known->tokenized_text, text);
  EXPECT_EQ(known->tokenized_db_id, "9");
  // Sessions running it later get the same name.
  EXPECT_EQ(r.Resolve(9, text.substr(0, 60)).tokenized_id, known->tokenized_id);
  EXPECT_EQ(lookups, 0);
}

TEST(StatementResolverTest, GeneratedDbIdUsesFirst32Bits) {
  EXPECT_EQ(GeneratedDbId("00000000ABCDEF"), "pi-0");
  EXPECT_EQ(GeneratedDbId("FFFFFFFF00"), "pi-4294967295");
  EXPECT_EQ(GeneratedDbId("8D5A2B60FFFF"), "pi-2371496800");
}

TEST(StatementResolverTest, ForgetsLeastRecentlySeenQueryIds) {
  sql::NormalizerCache cache;
  StatementResolver r(cache, false, 4);
  r.Resolve(1, "select 1");
  r.Resolve(2, "select 2");
  r.Resolve(3, "select 3");
  r.Resolve(4, "select 4");
  r.Resolve(1, "select 1");  // 1 is recent again
  r.Resolve(5, "select 5");  // full: forgets the older half (2, 3)
  EXPECT_LE(r.tracked_query_ids(), 4u);
  // 1 survived with its first-seen text; 2 was forgotten and re-learns a new text.
  EXPECT_EQ(r.Resolve(1, "SELECT 1").tokenized_text, "select $1");
  EXPECT_EQ(r.Resolve(2, "SELECT 2").tokenized_text, "SELECT $1");
}

}  // namespace
}  // namespace dbinsight::collect::postgres
