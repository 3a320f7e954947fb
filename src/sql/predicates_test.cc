#include "sql/predicates.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sql/predicates_testing.h"

namespace dbinsight::sql {
namespace {

TEST(ShapeOf, LoadgenMissingIndexStatement) {
  auto s = ShapeOf("SELECT count(*) AS unindexed_matches FROM lg_events WHERE account_id = $1");
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_EQ(s->tables.size(), 1u);
  EXPECT_EQ(s->tables[0].name, "lg_events");
  EXPECT_EQ(s->tables[0].schema, "");
  EXPECT_EQ(s->command, "SELECT");
  EXPECT_EQ(Flat(*s), (std::vector<std::string>{".account_id:eq"}));
}

TEST(ShapeOf, JoinsRangesAliasesAndSchemas) {
  auto s = ShapeOf(
      "SELECT e.id FROM lg_events e JOIN shop.accounts a ON a.id = e.account_id "
      "WHERE e.kind IN ($1, $2) AND $3 < e.created AND a.name LIKE $4 AND e.gone IS NULL ORDER BY e.id LIMIT $5");
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->tables.size(), 2u);
  EXPECT_EQ(s->tables[1].schema, "shop");
  EXPECT_EQ(s->tables[1].alias, "a");
  EXPECT_EQ(Flat(*s), (std::vector<std::string>{"a.id:join", "e.account_id:join", "e.kind:eq", "e.created:range",
                                                "a.name:range", "e.gone:eq"}));
}

TEST(ShapeOf, UpdateAndDeleteNameTheirTable) {
  auto u = ShapeOf("UPDATE lg_accounts SET waiter_hits = waiter_hits + $1 WHERE id = $2");
  ASSERT_TRUE(u.ok());
  ASSERT_EQ(u->tables.size(), 1u);
  EXPECT_EQ(u->tables[0].name, "lg_accounts");
  EXPECT_EQ(u->command, "UPDATE");
  EXPECT_EQ(Flat(*u), (std::vector<std::string>{".id:eq"}));  // not the SET expression
  auto d = ShapeOf("DELETE FROM x USING y WHERE x.a = y.b AND y.c BETWEEN $1 AND $2");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->tables.size(), 2u);
  EXPECT_EQ(Flat(*d), (std::vector<std::string>{"x.a:join", "y.b:join", "y.c:range"}));
}

TEST(ShapeOf, ExpressionsAndSubqueryTargetsAreNotIndexable) {
  // A cast or function on the column needs an expression index; a column
  // compared to another column of the same row is no lookup either way.
  auto s = ShapeOf(
      "SELECT 1 FROM t WHERE lower(name) = $1 AND code::int = $2 AND a < b "
      "AND id IN (SELECT ref FROM u WHERE u.k = $3)");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->tables.size(), 2u);
  EXPECT_EQ(Flat(*s), (std::vector<std::string>{"u.k:eq"}));
}

TEST(ShapeOf, SeveralStatementsAreRejected) {
  EXPECT_FALSE(ShapeOf("SELECT 1 FROM t WHERE a = $1; DROP TABLE t").ok());
  auto ddl = ShapeOf("CREATE INDEX ON t (a)");
  ASSERT_TRUE(ddl.ok());
  EXPECT_EQ(ddl->command, "");
}

TEST(ShapeOf, OtherDialectsAreRejected) {
  auto s = ShapeOf("SELECT `a` FROM `t` WHERE x = ?");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace dbinsight::sql
