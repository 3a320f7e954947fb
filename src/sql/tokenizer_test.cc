#include "sql/tokenizer.h"

#include <gtest/gtest.h>

#include <string>

namespace dbinsight::sql {
namespace {

TEST(HighestParamNumberTest, IgnoresStringsCommentsAndIdentifiers) {
  EXPECT_EQ(HighestParamNumber("select 1"), 0);
  EXPECT_EQ(HighestParamNumber("select $2, $10, $3"), 10);
  EXPECT_EQ(HighestParamNumber("select '$9', \"$8\", a$7, $$ $6 $$ /* $5 */ -- $4\n, $1"), 1);
  EXPECT_EQ(HighestParamNumber("select $99999999999999999999"), 1 << 30);
}

TEST(RenumberParamsTest, NumbersGeneratedParamsInTextOrder) {
  EXPECT_EQ(RenumberParams("select $1 limit $3 offset $2", 0), "select $1 limit $2 offset $3");
  // Existing parameters (<= highest) keep their numbers.
  EXPECT_EQ(RenumberParams("select $2, $5 limit $4 offset $3", 2),
            "select $2, $3 limit $4 offset $5");
  // Text in strings, comments and dollar quotes is not touched.
  EXPECT_EQ(RenumberParams("select $2 /* $1 */, '$1', $x$ $1 $x$, $1", 0),
            "select $1 /* $1 */, '$1', $x$ $1 $x$, $2");
  EXPECT_EQ(RenumberParams("select N$2, $1", 0), "select N$1, $2");
}

// Drops "$<digits>" so only digits outside placeholders remain.
std::string WithoutPgPlaceholders(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '$' && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '9') {
      while (i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '9') ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

// For every truncation point, no byte of any literal may reach the output:
// the literals here are the only places 'Q' and digits occur.
void ExpectNoLeakAtAnyCut(const std::string& sql, Dialect dialect) {
  for (size_t cut = 0; cut <= sql.size(); ++cut) {
    const std::string prefix = sql.substr(0, cut);
    const std::string out = WithoutPgPlaceholders(ReplaceLiterals(prefix, dialect));
    EXPECT_EQ(out.find_first_of("Q0123456789"), std::string::npos)
        << "cut at " << cut << ": " << prefix;
  }
}

TEST(ReplaceLiteralsTest, TruncationNeverLeaksPostgresLiterals) {
  ExpectNoLeakAtAnyCut(
      "select 'QQ''Q', E'Q\\'Q', B'0101', x'AF', U&'Q', $$QQ$$, $tag$Q $$ Q$tag$, 12.5e-3, "
      "-42, 0x1F, 'Q'\n'Q' from tab where a in (7, 8) and b = 'QQQ'",
      Dialect::kPostgres);
}

TEST(ReplaceLiteralsTest, TruncationNeverLeaksMySqlLiterals) {
  ExpectNoLeakAtAnyCut(
      "select 'QQ''Q', \"Q\\\"Q\", b'0101', X'AF', N'Q', _binary'Q', 12.5e-3, -42, 0x1F, "
      "'Q' \"Q\" from `tab` where a in (7, 8) and b = 'QQQ'",
      Dialect::kMySql);
}

TEST(ReplaceLiteralsTest, PostgresPlaceholdersStartAfterLaterParam) {
  EXPECT_EQ(ReplaceLiterals("select 1, $7, 'a'", Dialect::kPostgres), "select $8, $7, $9");
}

}  // namespace
}  // namespace dbinsight::sql
