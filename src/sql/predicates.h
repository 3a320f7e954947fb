// The shape of a PostgreSQL statement an index could serve: the tables it
// reads and the columns its WHERE and JOIN conditions filter on. It is the
// raw material of an index recommendation (advise/), read from libpg_query's
// parse tree, so it knows PostgreSQL syntax only and resolves nothing against
// a catalog: an unqualified column in a join stays unattributed and the
// caller matches it to a table that has it. Pure function, any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace dbinsight::sql {

struct TableRef {
  std::string schema;  // "" when the statement does not qualify it
  std::string name;
  std::string alias;  // "" when none
};

enum class PredicateKind {
  kEquality,  // col = value, col IN (...), col IS NULL: an index's leading columns
  kRange,     // <, <=, >, >=, BETWEEN, LIKE 'prefix%': after the equality columns
  kJoin,      // col = other_table.col: the inner side of a nested loop wants it indexed
};

struct Predicate {
  std::string qualifier;  // table name or alias as written; "" when unqualified
  std::string column;
  PredicateKind kind = PredicateKind::kEquality;
};

struct StatementShape {
  // SELECT, INSERT, UPDATE or DELETE: what EXPLAIN and PREPARE accept; ""
  // for any other command.
  std::string command;
  std::vector<TableRef> tables;  // in the order they appear, each once
  std::vector<Predicate> predicates;
};

// InvalidArgument when libpg_query cannot parse `pg_sql` (another dialect, a
// truncated text) or it holds more than one statement (so a caller may hand
// the text to PREPARE without running anything else). Placeholders ($1) and literals are both values.
Result<StatementShape> ShapeOf(std::string_view pg_sql);

}  // namespace dbinsight::sql
