// Which columns of one table an index for a statement should have, and
// whether an existing index already serves it: the engine-neutral half of
// index advice, shared by the PostgreSQL and MariaDB/MySQL advisors (each
// reads the table's columns and indexes from its own catalog).
// Pure functions, any thread.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "sql/predicates.h"

namespace dbinsight::advise {

struct TableColumns {
  sql::TableRef ref;
  // The table's columns; with `known_columns` false the catalog was not
  // readable and an unqualified predicate is the table's only when the
  // statement reads no other table.
  std::set<std::string> columns;
  bool known_columns = true;
  std::set<std::string> leading_indexed;  // first key column of each usable index
};

// The statement's columns for this table: equality columns first (an index's
// leading columns), join columns when there are none, then one range column;
// at most three. Empty when the statement filters none of its columns.
std::vector<std::string> IndexColumns(const TableColumns& t, const sql::StatementShape& shape);

// An existing index already starts with a column the statement looks up.
bool ServedByIndex(const TableColumns& t, const std::vector<std::string>& cols, const sql::StatementShape& shape);

}  // namespace dbinsight::advise
