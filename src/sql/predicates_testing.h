// Test-only: a statement shape's predicates as "qualifier.column:kind"
// strings, for compact expectations in sql_test.
#pragma once

#include <string>
#include <vector>

#include "sql/predicates.h"

namespace dbinsight::sql {

inline std::vector<std::string> Flat(const StatementShape& s) {
  std::vector<std::string> out;
  for (const Predicate& p : s.predicates) {
    const char* kind = p.kind == PredicateKind::kEquality ? "eq" : p.kind == PredicateKind::kRange ? "range" : "join";
    out.push_back(p.qualifier + "." + p.column + ":" + kind);
  }
  return out;
}

}  // namespace dbinsight::sql
