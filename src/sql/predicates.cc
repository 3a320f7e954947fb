#include "sql/predicates.h"

#include <pg_query.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

namespace dbinsight::sql {
namespace {

using Json = nlohmann::json;

// Owns a pg_query_parse result so every path frees it.
class ParseResult {
 public:
  explicit ParseResult(const std::string& sql) : r_(pg_query_parse(sql.c_str())) {}
  ~ParseResult() { pg_query_free_parse_result(r_); }
  ParseResult(const ParseResult&) = delete;
  ParseResult& operator=(const ParseResult&) = delete;
  const PgQueryParseResult& get() const { return r_; }

 private:
  PgQueryParseResult r_;
};

std::string Sval(const Json& node) {
  if (!node.is_object() || !node.contains("String")) return "";
  return node["String"].value("sval", "");
}

// A bare column reference: (qualifier, column). A column under a cast or a
// function is an expression a plain index on it does not serve.
std::optional<Predicate> ColumnOf(const Json& node) {
  if (!node.is_object() || !node.contains("ColumnRef")) return std::nullopt;
  const Json& fields = node["ColumnRef"].value("fields", Json::array());
  if (fields.empty() || fields.size() > 2) return std::nullopt;
  Predicate p;
  p.column = Sval(fields.back());
  if (p.column.empty()) return std::nullopt;  // t.*
  if (fields.size() == 2) p.qualifier = Sval(fields[0]);
  return p;
}

bool Mentions(const Json& node, const char* key) {
  if (node.is_object()) {
    for (const auto& [k, v] : node.items())
      if (k == key || Mentions(v, key)) return true;
  } else if (node.is_array()) {
    for (const Json& v : node)
      if (Mentions(v, key)) return true;
  }
  return false;
}

// Parameters, literals, casts and functions of them: values fixed for one
// execution, so an index lookup can use them.
bool IsValue(const Json& node) { return !Mentions(node, "ColumnRef") && !Mentions(node, "SubLink"); }

class Walker {
 public:
  StatementShape shape;

  void Walk(const Json& node, bool in_filter) {
    if (node.is_array()) {
      for (const Json& v : node) Walk(v, in_filter);
      return;
    }
    if (!node.is_object()) return;
    for (const auto& [key, value] : node.items()) {
      if (key == "RangeVar") {
        AddTable(value);
      } else if (key == "relation" && value.is_object() && value.contains("relname")) {
        AddTable(value);  // INSERT/UPDATE/DELETE name their table unwrapped
      } else if (key == "SelectStmt") {
        Walk(value, false);  // a subquery's target list filters nothing
        continue;
      } else if (key == "whereClause" || key == "quals" || key == "havingClause") {
        Walk(value, true);
        continue;
      } else if (in_filter && key == "A_Expr") {
        AddExpr(value);
      } else if (in_filter && key == "NullTest") {
        if (auto c = ColumnOf(value.value("arg", Json()))) Add(std::move(*c), PredicateKind::kEquality);
      }
      Walk(value, in_filter);
    }
  }

 private:
  void AddTable(const Json& rv) {
    TableRef t{rv.value("schemaname", ""), rv.value("relname", ""), ""};
    if (rv.contains("alias")) t.alias = rv["alias"].value("aliasname", "");
    if (t.name.empty()) return;
    auto same = [&t](const TableRef& o) { return o.schema == t.schema && o.name == t.name && o.alias == t.alias; };
    if (std::none_of(shape.tables.begin(), shape.tables.end(), same)) shape.tables.push_back(std::move(t));
  }

  void Add(Predicate p, PredicateKind kind) {
    p.kind = kind;
    auto same = [&p](const Predicate& o) {
      return o.qualifier == p.qualifier && o.column == p.column && o.kind == p.kind;
    };
    if (std::none_of(shape.predicates.begin(), shape.predicates.end(), same)) shape.predicates.push_back(std::move(p));
  }

  void AddExpr(const Json& e) {
    const std::string kind = e.value("kind", "");
    const Json& names = e.value("name", Json::array());
    const std::string op = names.empty() ? "" : Sval(names.back());
    const Json lexpr = e.value("lexpr", Json());
    const Json rexpr = e.value("rexpr", Json());
    const auto left = ColumnOf(lexpr);
    const auto right = ColumnOf(rexpr);
    if (left && right) {
      if (kind == "AEXPR_OP" && op == "=") {
        Add(*left, PredicateKind::kJoin);
        Add(*right, PredicateKind::kJoin);
      }
      return;
    }
    // Column on one side, a value on the other; `value op column` reads the same.
    const auto& column = left ? left : right;
    if (!column || !IsValue(left ? rexpr : lexpr)) return;
    if (kind == "AEXPR_IN" || (kind == "AEXPR_OP" && op == "=")) {
      Add(*column, PredicateKind::kEquality);
    } else if (kind == "AEXPR_BETWEEN" || kind == "AEXPR_LIKE" ||
               (kind == "AEXPR_OP" && (op == "<" || op == "<=" || op == ">" || op == ">="))) {
      Add(*column, PredicateKind::kRange);
    }
  }
};

}  // namespace

Result<StatementShape> ShapeOf(std::string_view pg_sql) {
  const ParseResult parsed{std::string(pg_sql)};
  if (parsed.get().error != nullptr)
    return Status::InvalidArgument(std::string("not PostgreSQL SQL: ") + parsed.get().error->message);
  const Json tree = Json::parse(parsed.get().parse_tree);
  const Json& stmts = tree.value("stmts", Json::array());
  if (stmts.size() != 1) return Status::InvalidArgument("not one statement");
  Walker w;
  const Json& stmt = stmts[0].value("stmt", Json::object());
  static constexpr std::pair<const char*, const char*> kCommands[] = {
      {"SelectStmt", "SELECT"}, {"InsertStmt", "INSERT"}, {"UpdateStmt", "UPDATE"}, {"DeleteStmt", "DELETE"}};
  for (const auto& [node, command] : kCommands)
    if (stmt.contains(node)) w.shape.command = command;
  w.Walk(tree, false);
  return std::move(w.shape);
}

}  // namespace dbinsight::sql
