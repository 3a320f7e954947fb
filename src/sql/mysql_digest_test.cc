#include "sql/mysql_digest.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sql/predicates_testing.h"

namespace dbinsight::sql {
namespace {

std::string E(std::string_view digest) {
  auto r = ExplainableMySql(digest);
  return r.ok() ? *r : "error: " + r.status().message();
}

// Digest texts as MariaDB 10.11 writes them (events_statements_summary_by_digest).
TEST(ShapeOfMySql, SingleTableDigest) {
  auto s = ShapeOfMySql("SELECT COUNT ( * ) FROM `orders` WHERE `customer_id` = ? AND `created` > ?");
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_EQ(s->tables.size(), 1u);
  EXPECT_EQ(s->tables[0].name, "orders");
  EXPECT_EQ(s->command, "SELECT");
  EXPECT_EQ(Flat(*s), (std::vector<std::string>{".customer_id:eq", ".created:range"}));
}

TEST(ShapeOfMySql, CollapsedListsKeywordColumnsAndQualifiedNames) {
  auto in = ShapeOfMySql("SELECT `v` FROM `app` . `acct` WHERE ID IN (...) AND `Kind` = ?");
  ASSERT_TRUE(in.ok()) << in.status().message();
  EXPECT_EQ(in->tables[0].schema, "app");
  EXPECT_EQ(Flat(*in), (std::vector<std::string>{".id:eq", ".kind:eq"}));

  auto join = ShapeOfMySql(
      "SELECT `o` . `id` FROM `orders` `o` JOIN `orders` `p` ON `p` . `customer_id` = `o` . `id` "
      "WHERE `o` . STATUS = ? LIMIT ?, ...");
  ASSERT_TRUE(join.ok()) << join.status().message();
  ASSERT_EQ(join->tables.size(), 2u);
  EXPECT_EQ(join->tables[1].alias, "p");
  EXPECT_EQ(Flat(*join), (std::vector<std::string>{"p.customer_id:join", "o.id:join", "o.status:eq"}));

  auto update = ShapeOfMySql("UPDATE `orders` SET `amount` = `amount` + ? WHERE `customer_id` = ?");
  ASSERT_TRUE(update.ok()) << update.status().message();
  EXPECT_EQ(update->command, "UPDATE");
  EXPECT_EQ(Flat(*update), (std::vector<std::string>{".customer_id:eq"}));
}

TEST(ShapeOfMySql, TextLibpgQueryCannotReadIsInvalid) {
  EXPECT_FALSE(ShapeOfMySql("SELECT * FROM `t` WHERE `a` <=> ?").ok());
}

TEST(ExplainableMySql, ValuesInPlaceOfPlaceholders) {
  EXPECT_EQ(E("SELECT COUNT ( * ) FROM `orders` WHERE `customer_id` IN (...) AND `c` > ? LIMIT ?, ..."),
            "SELECT COUNT ( * ) FROM `orders` WHERE `customer_id` IN ('1') AND `c` > '1' LIMIT 1");
  EXPECT_EQ(E("SELECT * FROM `t` LIMIT ? OFFSET ?"), "SELECT * FROM `t` LIMIT 1 OFFSET 1");
  EXPECT_EQ(E("select `we``ird` from t where x = ?"), "select `we``ird` from t where x = '1'");
}

TEST(ExplainableMySql, WritesBecomeTheSelectOfTheirRows) {
  EXPECT_EQ(E("UPDATE `orders` SET `amount` = ( SELECT ? WHERE ? ) WHERE `customer_id` = ? LIMIT ?"),
            "SELECT * FROM `orders` WHERE `customer_id` = '1' LIMIT 1");
  EXPECT_EQ(E("UPDATE `orders` SET `amount` = ?"), "SELECT * FROM `orders`");
  EXPECT_EQ(E("DELETE FROM `orders` WHERE `status` = ?"), "SELECT * FROM `orders` WHERE `status` = '1'");
  EXPECT_EQ(E("DELETE `o` FROM `orders` `o` JOIN `x` ON `x` . `id` = `o` . `id`"),
            "SELECT * FROM `orders` `o` JOIN `x` ON `x` . `id` = `o` . `id`");
  EXPECT_FALSE(ExplainableMySql("INSERT INTO `t` VALUES (...)").ok());
  EXPECT_FALSE(ExplainableMySql("").ok());
}

}  // namespace
}  // namespace dbinsight::sql
