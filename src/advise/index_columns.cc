#include "advise/index_columns.h"

#include <algorithm>

namespace dbinsight::advise {

std::vector<std::string> IndexColumns(const TableColumns& t, const sql::StatementShape& shape) {
  auto mine = [&](const sql::Predicate& p) {
    if (!p.qualifier.empty()) return p.qualifier == (t.ref.alias.empty() ? t.ref.name : t.ref.alias);
    return t.known_columns ? t.columns.count(p.column) > 0 : shape.tables.size() == 1;
  };
  std::vector<std::string> eq, join, range;
  for (const sql::Predicate& p : shape.predicates) {
    if (!mine(p) || (t.known_columns && !t.columns.count(p.column))) continue;
    auto& list = p.kind == sql::PredicateKind::kEquality ? eq : p.kind == sql::PredicateKind::kJoin ? join : range;
    if (std::find(list.begin(), list.end(), p.column) == list.end()) list.push_back(p.column);
  }
  std::vector<std::string> cols = eq.empty() ? join : eq;
  if (cols.size() > 3) cols.resize(3);  // wider keys rarely pay for their writes
  if (!range.empty() && cols.size() < 3 && std::find(cols.begin(), cols.end(), range[0]) == cols.end())
    cols.push_back(range[0]);
  return cols;
}

bool ServedByIndex(const TableColumns& t, const std::vector<std::string>& cols, const sql::StatementShape& shape) {
  for (const sql::Predicate& p : shape.predicates)
    if (p.kind != sql::PredicateKind::kRange && t.leading_indexed.count(p.column) &&
        std::find(cols.begin(), cols.end(), p.column) != cols.end())
      return true;
  return cols.size() == 1 && t.leading_indexed.count(cols[0]);
}

}  // namespace dbinsight::advise
