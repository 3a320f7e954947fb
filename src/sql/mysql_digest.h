// A MariaDB/MySQL statement digest (performance_schema DIGEST_TEXT, or the
// tokenizer's `?` text of the processlist fallback) in the two forms index
// advice needs: PostgreSQL syntax, so ShapeOf reads its tables and filter
// columns (libpg_query parses the plain SELECT/UPDATE/DELETE digests a
// missing index shows up in), and a SELECT that MySQL's EXPLAIN accepts
// from a role that may only read: values in place of placeholders, and an
// UPDATE or DELETE as the SELECT of the rows it would touch.
// Pure functions, any thread.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "sql/predicates.h"

namespace dbinsight::sql {

// The shape of a MySQL digest. Predicate columns come back lower case (MySQL
// column names ignore case); table names and aliases keep theirs (table
// names are case-sensitive on Linux). InvalidArgument when the text is not
// one statement libpg_query can read once translated.
Result<StatementShape> ShapeOfMySql(std::string_view digest);

// The digest as a SELECT to EXPLAIN: each `?` becomes '1' (a string, which
// MySQL compares with a number column through the index too), 1 after LIMIT
// or OFFSET, `IN (...)` one value; `UPDATE t SET ... WHERE c` becomes
// `SELECT * FROM t WHERE c`, `DELETE ... FROM t WHERE c` likewise. Digests
// write `COUNT ( * )`: the session must set sql_mode IGNORE_SPACE.
// InvalidArgument for any other command.
Result<std::string> ExplainableMySql(std::string_view digest);

}  // namespace dbinsight::sql
