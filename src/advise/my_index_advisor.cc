#include "advise/my_index_advisor.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>

#include "advise/index_columns.h"
#include "sql/mysql_digest.h"

namespace dbinsight::advise {
namespace {

using Json = nlohmann::json;

// A string literal; the session's sql_mode (set in Advise) keeps backslash
// escapes on, so both the quote and the backslash are escaped. Table names
// come from monitored statements and must never become SQL.
std::string Literal(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    if (c != '\0') out += c;
  }
  return out + "'";
}

std::string Ident(std::string_view s) {
  std::string out = "`";
  for (char c : s) {
    if (c == '`') out += '`';
    out += c;
  }
  return out + "`";
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

double Num(std::string_view s) { return std::strtod(std::string(s).c_str(), nullptr); }

// The statement's executions, summed over the schemas it ran in.
struct Digest {
  int64_t calls = 0, without_index = 0;
  double rows_examined = 0;
};

Result<Digest> DigestOf(dbconn::MySqlConnection& conn, const std::string& statement, const std::string& database) {
  auto r = conn.Query(fmt::format(
      "SELECT COALESCE(SUM(COUNT_STAR), 0), COALESCE(SUM(SUM_NO_INDEX_USED), 0), COALESCE(SUM(SUM_ROWS_EXAMINED), 0) "
      "FROM performance_schema.events_statements_summary_by_digest WHERE TRIM(DIGEST_TEXT) = {}{}",
      Literal(statement), database.empty() ? "" : " AND SCHEMA_NAME = " + Literal(database)));
  if (!r.ok()) return r.status();
  Digest d;
  if (r->rows() == 1) {
    d.calls = static_cast<int64_t>(Num(r->Get(0, 0)));
    d.without_index = static_cast<int64_t>(Num(r->Get(0, 1)));
    d.rows_examined = Num(r->Get(0, 2));
  }
  return d;
}

struct Table : TableColumns {
  std::string schema;
  bool readable = false;  // information_schema shows it: the monitor may SELECT it
  double rows = 0;        // TABLE_ROWS, InnoDB's estimate; 0 when not readable
  int64_t full_scan_rows = 0, index_rows = 0;
  std::string qualified() const { return Ident(schema) + "." + Ident(ref.name); }
};

// What the monitor may know of one table; nullopt when neither
// performance_schema nor information_schema knows it (a CTE, a derived
// table, a view).
Result<std::optional<Table>> Resolve(dbconn::MySqlConnection& conn, const sql::TableRef& ref,
                                     const std::string& database) {
  Table t;
  t.ref = ref;
  t.schema = ref.schema.empty() ? database : ref.schema;
  if (t.schema.empty()) return std::optional<Table>();
  const std::string where = "= " + Literal(t.schema) + " AND ";
  auto io = conn.Query(
      "SELECT INDEX_NAME IS NULL, COUNT_READ FROM performance_schema.table_io_waits_summary_by_index_usage "
      "WHERE OBJECT_TYPE = 'TABLE' AND OBJECT_SCHEMA " +
      where + "OBJECT_NAME = " + Literal(ref.name));
  if (!io.ok()) return io.status();
  for (int i = 0; i < io->rows(); ++i)
    (io->Get(i, 0) == "1" ? t.full_scan_rows : t.index_rows) += static_cast<int64_t>(Num(io->Get(i, 1)));
  auto info = conn.Query(
      "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND "
      "TABLE_SCHEMA " +
      where + "TABLE_NAME = " + Literal(ref.name));
  if (!info.ok()) return info.status();
  if (info->rows() == 0) {
    if (io->rows() == 0) return std::optional<Table>();
    t.known_columns = false;
    return std::optional<Table>(std::move(t));
  }
  t.readable = true;
  t.rows = Num(info->Get(0, 0));
  auto cols = conn.Query("SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA " + where +
                         "TABLE_NAME = " + Literal(ref.name));
  if (!cols.ok()) return cols.status();
  for (int i = 0; i < cols->rows(); ++i) t.columns.insert(Lower(cols->Get(i, 0)));
  auto idx = conn.Query(
      "SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE SEQ_IN_INDEX = 1 AND "
      "TABLE_SCHEMA " +
      where + "TABLE_NAME = " + Literal(ref.name));
  if (!idx.ok()) return idx.status();
  for (int i = 0; i < idx->rows(); ++i) t.leading_indexed.insert(Lower(idx->Get(i, 0)));
  return std::optional<Table>(std::move(t));
}

// The plan node of `name` (the alias when the statement gives one): MariaDB
// and MySQL both nest {"table": {"table_name": ...}} objects.
const Json* FindTable(const Json& plan, const std::string& name) {
  if (plan.is_object()) {
    if (plan.value("table_name", "") == name) return &plan;
    for (const auto& [key, value] : plan.items())
      if (const Json* found = FindTable(value, name)) return found;
  } else if (plan.is_array()) {
    for (const Json& v : plan)
      if (const Json* found = FindTable(v, name)) return found;
  }
  return nullptr;
}

// Runs EXPLAIN for `advice` and fills in what the optimizer says; false when
// it does not scan the table after all (advice dropped).
Result<bool> AskOptimizer(dbconn::MySqlConnection& conn, const std::string& statement, const std::string& database,
                          const Table& t, model::IndexAdvice& advice) {
  auto select = sql::ExplainableMySql(statement);
  if (!select.ok()) return select.status();
  if (!database.empty()) DBI_RETURN_IF_ERROR(conn.Query("USE " + Ident(database)).status());
  // Read-only: the optimizer may evaluate a constant subquery or function
  // while planning, and nothing it runs may write.
  DBI_RETURN_IF_ERROR(conn.Query("START TRANSACTION READ ONLY").status());
  auto plan = conn.Query("EXPLAIN FORMAT=JSON " + *select);
  DBI_RETURN_IF_ERROR(conn.Query("ROLLBACK").status());
  if (!plan.ok()) return plan.status();
  if (plan->rows() != 1) return Status::Internal("EXPLAIN returned no plan");
  const Json root = Json::parse(plan->Get(0, 0), nullptr, false);
  const Json* node = FindTable(root, t.ref.alias.empty() ? t.ref.name : t.ref.alias);
  advice.basis = "explain";
  if (node == nullptr) return true;  // the plan names it otherwise (a view merged away): keep the catalog's advice
  const std::string access = node->value("access_type", "");
  advice.plan = fmt::format("{} access on {}{}, {:.0f} rows estimated", access, t.qualified(),
                            node->contains("key") ? " using " + node->value("key", "") : "",
                            node->value("rows", node->value("rows_examined_per_scan", 0.0)));
  if (access != "ALL" && access != "index") return false;  // it already reads through an index
  advice.notes.push_back(
      "placeholders were explained as '1'; MariaDB and MySQL have no hypothetical indexes, so EXPLAIN the statement "
      "again once the index exists");
  return true;
}

Result<std::unique_ptr<dbconn::MySqlConnection>> Open(dbconn::MySqlConnectOptions connect) {
  connect.database.clear();  // the monitor may not be allowed into the statement's schema
  connect.read_timeout = std::chrono::milliseconds(10000);
  auto conn = dbconn::MySqlConnection::Connect(connect);
  if (!conn.ok()) return conn.status();
  // Known quoting for Literal(), and digests write `COUNT ( * )`.
  DBI_RETURN_IF_ERROR((*conn)->Query("SET SESSION sql_mode = 'IGNORE_SPACE'").status());
  return conn;
}

}  // namespace

MyIndexAdvisor::MyIndexAdvisor(MyAdvisorOptions options) : options_(std::move(options)) {}

Result<std::vector<model::IndexAdvice>> MyIndexAdvisor::Advise(const std::string& statement,
                                                               const std::string& database) const {
  auto shape_or = sql::ShapeOfMySql(statement);
  if (!shape_or.ok()) return shape_or.status();
  const sql::StatementShape shape = std::move(shape_or).value();
  auto conn_or = Open(options_.connect);
  if (!conn_or.ok()) return conn_or.status();
  auto conn = std::move(conn_or).value();
  auto digest = DigestOf(*conn, statement, database);
  if (!digest.ok()) return digest.status();
  const double examined_per_call = digest->calls > 0 ? digest->rows_examined / static_cast<double>(digest->calls) : 0;

  std::vector<model::IndexAdvice> out;
  for (const sql::TableRef& ref : shape.tables) {
    auto table_or = Resolve(*conn, ref, database);
    if (!table_or.ok()) return table_or.status();
    const std::optional<Table> table = std::move(table_or).value();
    if (!table) continue;
    const std::vector<std::string> cols = IndexColumns(*table, shape);
    if (cols.empty() || ServedByIndex(*table, cols, shape)) continue;
    // Without the catalog, the statement's own record says whether it scans
    // and how much: most runs without an index, many rows each.
    if (table->readable
            ? table->rows < options_.min_rows
            : digest->without_index * 2 < std::max<int64_t>(1, digest->calls) || examined_per_call < options_.min_rows)
      continue;

    model::IndexAdvice a;
    a.table = table->qualified();
    a.live_rows = table->rows;
    a.counts_rows = true;
    a.seq_rows_read = table->full_scan_rows;
    a.index_rows_read = table->index_rows;
    a.calls = digest->calls;
    a.calls_without_index = digest->without_index;
    a.rows_examined_per_call = examined_per_call;
    a.columns = cols;
    std::string list;
    for (const std::string& c : cols) list += (list.empty() ? "" : ", ") + Ident(c);
    a.create_index = "ALTER TABLE " + a.table + " ADD INDEX (" + list + "), ALGORITHM=INPLACE, LOCK=NONE;";
    const std::string grant = "GRANT SELECT ON " + Ident(table->schema) + ".* TO the monitoring user";
    if (!table->readable)
      a.notes.push_back("existing indexes and the row count not checked: the monitoring user cannot read " + a.table +
                        " (" + grant + ")");
    if (!options_.explain) {
      a.notes.push_back("EXPLAIN not run: it is opt-in (`explain: true` for the instance, with " + grant + ")");
    } else if (!table->readable) {
      a.notes.push_back("EXPLAIN not run: the monitoring user cannot read " + a.table);
    } else if (shape.command.empty() || shape.command == "INSERT") {
      a.notes.push_back("EXPLAIN not run: not a SELECT, UPDATE or DELETE");
    } else {
      auto planned = AskOptimizer(*conn, statement, database, *table, a);
      if (!planned.ok()) {
        // The session may be mid-transaction: a fresh one for the next table.
        a.notes.push_back("EXPLAIN failed: " + planned.status().message());
        auto fresh = Open(options_.connect);
        if (!fresh.ok()) return fresh.status();
        conn = std::move(fresh).value();
      } else if (!*planned) {
        continue;
      }
    }
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace dbinsight::advise
