#include "advise/pg_index_advisor.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "advise/index_columns.h"
#include "sql/predicates.h"

namespace dbinsight::advise {
namespace {

using Json = nlohmann::json;

// A string literal for SQL text. The session sets standard_conforming_strings,
// so doubling quotes is the whole escape; table names come from monitored
// statements and must never become SQL.
std::string Literal(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    if (c != '\0') out += c;
  }
  return out + "'";
}

// An identifier as a DBA would type it: bare when it is plain lower case.
std::string Ident(std::string_view s) {
  const bool plain =
      !s.empty() && (std::islower(static_cast<unsigned char>(s[0])) || s[0] == '_') &&
      std::all_of(s.begin(), s.end(), [](char c) {
        return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_';
      });
  if (plain) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// The conninfo with its database replaced, in the conninfo's own syntax.
std::string WithDatabase(const std::string& conninfo, const std::string& database) {
  if (database.empty()) return conninfo;
  if (conninfo.rfind("postgres://", 0) == 0 || conninfo.rfind("postgresql://", 0) == 0) {
    std::string encoded;
    for (unsigned char c : database) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
        encoded += static_cast<char>(c);
      } else {
        encoded += fmt::format("%{:02X}", c);
      }
    }
    return conninfo + (conninfo.find('?') == std::string::npos ? "?" : "&") + "dbname=" + encoded;
  }
  std::string quoted = "'";
  for (char c : database) {
    if (c == '\'' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return conninfo + " dbname=" + quoted + "'";  // a later keyword wins in libpq
}

int ParamCount(std::string_view text) {
  int n = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] != '$' || !std::isdigit(static_cast<unsigned char>(text[i + 1]))) continue;
    int v = 0;
    for (size_t j = i + 1; j < text.size() && std::isdigit(static_cast<unsigned char>(text[j])); ++j)
      v = v * 10 + (text[j] - '0');
    n = std::max(n, v);
  }
  return n;
}

struct Table : TableColumns {
  std::string oid, schema;
  double live_rows = 0;
  int64_t seq_scans = 0, seq_rows_read = 0, index_scans = 0;
  bool readable = false;
  std::string qualified() const { return Ident(schema) + "." + Ident(ref.name); }
};

int64_t Int(std::string_view s) {
  int64_t v = 0;
  for (char c : s)
    if (std::isdigit(static_cast<unsigned char>(c))) v = v * 10 + (c - '0');
  return v;
}

// The catalog facts of one table the statement names; nullopt when it is
// not a table there (a CTE, a view, a function).
Result<std::optional<Table>> Resolve(dbconn::PgConnection& conn, const sql::TableRef& ref,
                                     std::vector<std::string>& notes) {
  auto r_or = conn.Query(
      fmt::format("SELECT c.oid, n.nspname, COALESCE(s.n_live_tup, greatest(c.reltuples, 0)::bigint), "
                  "COALESCE(s.seq_scan, 0), COALESCE(s.seq_tup_read, 0), COALESCE(s.idx_scan, 0), "
                  "has_table_privilege(c.oid, 'SELECT') "
                  "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                  "LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid "
                  "WHERE c.relname = {} AND c.relkind IN ('r', 'p', 'm') AND n.nspname <> 'information_schema' "
                  "AND n.nspname NOT LIKE 'pg\\_%' {} "
                  "ORDER BY n.nspname = ANY (current_schemas(false)) DESC, 5 DESC LIMIT 2",
                  Literal(ref.name), ref.schema.empty() ? "" : "AND n.nspname = " + Literal(ref.schema)));
  if (!r_or.ok()) return r_or.status();
  auto r = std::move(r_or).value();
  if (r.rows() == 0) return std::optional<Table>();
  Table t;
  t.ref = ref;
  t.oid = std::string(r.Get(0, 0));
  t.schema = std::string(r.Get(0, 1));
  t.live_rows = static_cast<double>(Int(r.Get(0, 2)));
  t.seq_scans = Int(r.Get(0, 3));
  t.seq_rows_read = Int(r.Get(0, 4));
  t.index_scans = Int(r.Get(0, 5));
  t.readable = r.Get(0, 6) == "t";
  if (r.rows() > 1)
    notes.push_back(fmt::format("`{}` exists in schemas {} and {}; the advice is for {}, the one scanned most",
                                ref.name, t.schema, r.Get(1, 1), t.schema));
  auto cols_or =
      conn.Query("SELECT attname FROM pg_attribute WHERE attrelid = " + t.oid + " AND attnum > 0 AND NOT attisdropped");
  if (!cols_or.ok()) return cols_or.status();
  auto cols = std::move(cols_or).value();
  for (int i = 0; i < cols.rows(); ++i) t.columns.insert(std::string(cols.Get(i, 0)));
  auto idx_or = conn.Query(
      "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = "
      "i.indrelid AND a.attnum = i.indkey[0] WHERE i.indrelid = " +
      t.oid + " AND i.indisvalid");
  if (!idx_or.ok()) return idx_or.status();
  auto idx = std::move(idx_or).value();
  for (int i = 0; i < idx.rows(); ++i) t.leading_indexed.insert(std::string(idx.Get(i, 0)));
  return std::optional<Table>(std::move(t));
}

// Orders the equality columns of `cols` by `rank`, highest first (a column
// without one last); range-only columns stay after them, as IndexColumns put them.
void LookupsFirstBy(const std::map<std::string, double>& rank, const sql::StatementShape& shape,
                    std::vector<std::string>& cols) {
  auto range_only = [&](const std::string& c) {
    return std::none_of(shape.predicates.begin(), shape.predicates.end(),
                        [&](const sql::Predicate& p) { return p.column == c && p.kind != sql::PredicateKind::kRange; });
  };
  auto of = [&](const std::string& c) {
    auto it = rank.find(c);
    return it == rank.end() ? 0.0 : it->second;
  };
  const auto lookups =
      std::stable_partition(cols.begin(), cols.end(), [&](const std::string& c) { return !range_only(c); });
  std::stable_sort(cols.begin(), lookups, [&](const std::string& a, const std::string& b) { return of(a) > of(b); });
}

std::string InList(const std::vector<std::string>& cols) {
  std::string in;
  for (const std::string& c : cols) in += (in.empty() ? "" : ", ") + Literal(c);
  return in;
}

// With read access pg_stats shows how selective each column is (without it
// the view hides the rows): equality columns go most selective first, and
// each column's distinct values are noted. False when not analyzed yet.
Result<bool> OrderBySelectivity(dbconn::PgConnection& conn, const Table& t, const sql::StatementShape& shape,
                                std::vector<std::string>& cols, std::vector<std::string>& notes) {
  auto r = conn.Query("SELECT attname, n_distinct FROM pg_stats WHERE schemaname = " + Literal(t.schema) +
                      " AND tablename = " + Literal(t.ref.name) + " AND attname IN (" + InList(cols) + ")");
  if (!r.ok()) return r.status();
  std::map<std::string, double> distinct;
  for (int i = 0; i < r->rows(); ++i) {
    const double n = std::strtod(std::string(r->Get(i, 1)).c_str(), nullptr);
    distinct[std::string(r->Get(i, 0))] = n >= 0 ? n : -n * t.live_rows;  // negative: a fraction of the rows
  }
  if (distinct.empty()) return false;
  LookupsFirstBy(distinct, shape, cols);
  for (const std::string& c : cols) {
    if (!distinct.count(c)) continue;
    const double d = std::max(1.0, distinct[c]);
    notes.push_back(fmt::format("pg_stats: {} has about {:.0f} distinct values (~{:.0f} rows each){}", c, d,
                                t.live_rows / d, d < 10 ? ", too few for an index alone to select few rows" : ""));
  }
  return true;
}

std::string Count(double n) {
  if (n >= 1e9) return fmt::format("{:.1f}G", n / 1e9);
  if (n >= 1e6) return fmt::format("{:.1f}M", n / 1e6);
  if (n >= 1e3) return fmt::format("{:.1f}k", n / 1e3);
  return fmt::format("{:.0f}", n);
}

std::string Percent(double p) {
  if (p >= 10) return fmt::format("{:.0f}%", p);
  if (p >= 1) return fmt::format("{:.1f}%", p);
  return p >= 0.01 || p == 0 ? fmt::format("{:.2f}%", p) : "<0.01%";
}

// pg_qualstats, when installed in the statement's database, has counted for
// each column-vs-value qual the rows it was evaluated on and the rows it
// removed, in any statement: what each column really selects, which the
// pg_monitor role may read (any role may: the view is granted to PUBLIC; only
// its constvalue needs pg_read_all_stats, and it is not read). It counts what
// a scan's filter removed as a whole, so only a qual that was a scan's only
// filter (no qualid) tells its own column's selectivity; index quals filter
// nothing. With `order` the equality columns go most selective first; always
// one note per advised column it knows; other columns are ignored. Never
// fails the advice: a problem becomes a note.
void NoteQualStats(dbconn::PgConnection& conn, const Table& t, const sql::StatementShape& shape, bool order,
                   std::vector<std::string>& cols, std::vector<std::string>& notes) {
  // Without the preload it records nothing (2.0.4 only warns, reading just
  // this backend's quals): its GUCs exist only where the library is loaded.
  auto ext = conn.Query(
      "SELECT n.nspname, EXISTS (SELECT 1 FROM pg_settings WHERE name = 'pg_qualstats.max') "
      "FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_qualstats'");
  if (!ext.ok()) {
    notes.push_back("pg_qualstats not read: " + ext.status().message());
    return;
  }
  if (ext->rows() == 0) return;  // not installed: an option, not worth a note
  if (ext->Get(0, 1) != "t") {
    notes.push_back(
        "pg_qualstats is installed but not in shared_preload_libraries, so it records nothing: add it there "
        "and restart the server");
    return;
  }
  auto r = conn.Query(
      fmt::format("SELECT a.attname, sum(q.execution_count), sum(q.nbfiltered), "
                  "(array_agg(o.oprname ORDER BY q.execution_count DESC))[1] "
                  "FROM {}.pg_qualstats q JOIN pg_attribute a ON a.attrelid = q.lrelid AND a.attnum = q.lattnum "
                  "JOIN pg_operator o ON o.oid = q.opno "
                  "WHERE q.lrelid = {} AND q.rrelid IS NULL AND q.qualid IS NULL AND q.eval_type = 'f' "
                  "AND a.attname IN ({}) GROUP BY a.attname HAVING sum(q.execution_count) > 0",
                  Ident(ext->Get(0, 0)), t.oid, InList(cols)));
  if (!r.ok()) {
    notes.push_back("pg_qualstats not read: " + r.status().message());
    return;
  }
  std::map<std::string, double> filtered, evaluated;
  std::map<std::string, std::string> op;
  for (int i = 0; i < r->rows(); ++i) {
    const std::string c(r->Get(i, 0));
    evaluated[c] = std::strtod(std::string(r->Get(i, 1)).c_str(), nullptr);
    filtered[c] = std::strtod(std::string(r->Get(i, 2)).c_str(), nullptr) / evaluated[c];
    op[c] = r->Get(i, 3);
  }
  if (order) LookupsFirstBy(filtered, shape, cols);
  for (const std::string& c : cols) {
    if (!evaluated.count(c)) continue;
    notes.push_back(fmt::format("pg_qualstats: `{} {} ...` evaluated {} times, keeps {} of rows", Ident(c), op[c],
                                Count(evaluated[c]), Percent(100 * (1 - filtered[c]))));
  }
}

struct PlanNode {
  std::string type;
  std::string line;
};

void FindScan(const Json& plan, const std::string& table, std::optional<PlanNode>& out) {
  if (out || !plan.is_object()) return;
  if (plan.value("Relation Name", "") == table) {
    PlanNode n;
    n.type = plan.value("Node Type", "");
    n.line = n.type + " on " + table;
    // A bitmap scan names its index in the Bitmap Index Scan under it.
    for (const Json& child : plan.value("Plans", Json::array()))
      if (child.value("Node Type", "") == "Bitmap Index Scan") n.line += " using " + child.value("Index Name", "");
    if (plan.contains("Index Name")) n.line += " using " + plan.value("Index Name", "");
    for (const char* key : {"Index Cond", "Recheck Cond", "Filter"})
      if (plan.contains(key)) n.line += fmt::format(", {}: {}", key, plan.value(key, ""));
    n.line += fmt::format(", {:.0f} rows estimated, cost {:.0f}", plan.value("Plan Rows", 0.0),
                          plan.value("Total Cost", 0.0));
    out = n;
    return;
  }
  for (const Json& child : plan.value("Plans", Json::array())) FindScan(child, table, out);
}

struct Explained {
  double total_cost = 0;
  std::optional<PlanNode> scan;
};

// The generic plan: placeholders stay parameters (plan_cache_mode), so the
// plan is the one every execution shares, whatever its values.
Result<Explained> Explain(dbconn::PgConnection& conn, const std::string& statement, const std::string& table) {
  const int params = ParamCount(statement);
  std::string args;
  for (int i = 0; i < params; ++i) args += i ? ", NULL" : "NULL";
  DBI_RETURN_IF_ERROR(conn.Query("PREPARE dbinsight_advice AS " + statement).status());
  auto plan = conn.Query("EXPLAIN (FORMAT JSON) EXECUTE dbinsight_advice" + (params ? "(" + args + ")" : ""));
  DBI_RETURN_IF_ERROR(conn.Query("DEALLOCATE dbinsight_advice").status());
  DBI_RETURN_IF_ERROR(plan.status());
  if (plan->rows() != 1) return Status::Internal("EXPLAIN returned no plan");
  const Json root = Json::parse(plan->Get(0, 0), nullptr, false);
  if (!root.is_array() || root.empty() || !root[0].contains("Plan"))
    return Status::Internal("unexpected EXPLAIN output");
  Explained e;
  e.total_cost = root[0]["Plan"].value("Total Cost", 0.0);
  FindScan(root[0]["Plan"], table, e.scan);
  return e;
}

// Runs EXPLAIN (and hypopg) for `advice` and fills in what the planner says;
// false when the planner does not scan the table after all (advice dropped).
Result<bool> AskPlanner(dbconn::PgConnection& conn, const std::string& statement, const Table& t,
                        model::IndexAdvice& advice) {
  DBI_RETURN_IF_ERROR(conn.Query("BEGIN READ ONLY").status());
  DBI_RETURN_IF_ERROR(conn.Query("SET LOCAL statement_timeout = '5s'; SET LOCAL plan_cache_mode = "
                                 "force_generic_plan; SELECT set_config('search_path', " +
                                 Literal(Ident(t.schema)) + " || ', ' || current_setting('search_path'), true)")
                          .status());
  auto before_or = Explain(conn, statement, t.ref.name);
  if (!before_or.ok()) return before_or.status();
  Explained before = std::move(before_or).value();
  advice.basis = "explain";
  advice.cost_before = before.total_cost;
  if (before.scan) advice.plan = before.scan->line;
  if (before.scan && before.scan->type != "Seq Scan") return false;
  auto hypopg_or = conn.Query("SELECT 1 FROM pg_extension WHERE extname = 'hypopg'");
  if (!hypopg_or.ok()) return hypopg_or.status();
  auto hypopg = std::move(hypopg_or).value();
  if (hypopg.rows() == 0) {
    advice.notes.push_back("install the hypopg extension in this database to see the plan with the index");
  } else {
    std::string cols;
    for (const std::string& c : advice.columns) cols += (cols.empty() ? "" : ", ") + Ident(c);
    DBI_RETURN_IF_ERROR(conn.Query("SELECT indexrelid FROM hypopg_create_index(" +
                                   Literal("CREATE INDEX ON " + t.qualified() + " (" + cols + ")") + ")")
                            .status());
    auto after = Explain(conn, statement, t.ref.name);
    DBI_RETURN_IF_ERROR(conn.Query("SELECT hypopg_reset()").status());
    DBI_RETURN_IF_ERROR(after.status());
    if (after->scan && after->scan->type != "Seq Scan" && after->total_cost < before.total_cost) {
      advice.basis = "hypopg";
      advice.cost_after = after->total_cost;
      advice.hypothetical_plan = after->scan->line;
    } else {
      advice.notes.push_back(
          "the planner keeps scanning with a hypothetical index on these columns: they do not "
          "select few enough rows");
    }
  }
  DBI_RETURN_IF_ERROR(conn.Query("ROLLBACK").status());
  return true;
}

}  // namespace

PgIndexAdvisor::PgIndexAdvisor(PgAdvisorOptions options) : options_(std::move(options)) {}

Result<std::vector<model::IndexAdvice>> PgIndexAdvisor::Advise(const std::string& statement,
                                                               const std::string& database) const {
  auto shape_or = sql::ShapeOf(statement);
  if (!shape_or.ok()) return shape_or.status();
  sql::StatementShape shape = std::move(shape_or).value();
  dbconn::ConnectOptions connect = options_.connect;
  connect.conninfo = WithDatabase(connect.conninfo, database);
  connect.statement_timeout = std::chrono::milliseconds(10000);
  auto conn_or = dbconn::PgConnection::Connect(connect);
  if (!conn_or.ok()) return conn_or.status();
  auto conn = std::move(conn_or).value();
  DBI_RETURN_IF_ERROR(conn->Query("SET standard_conforming_strings = on").status());

  std::vector<model::IndexAdvice> out;
  for (const sql::TableRef& ref : shape.tables) {
    std::vector<std::string> notes;
    auto table_or = Resolve(*conn, ref, notes);
    if (!table_or.ok()) return table_or.status();
    std::optional<Table> table = std::move(table_or).value();
    if (!table || table->live_rows < options_.min_rows) continue;
    std::vector<std::string> cols = IndexColumns(*table, shape);
    if (cols.empty() || ServedByIndex(*table, cols, shape)) continue;

    const bool explain = options_.explain && table->readable && !shape.command.empty();
    auto ordered = explain ? OrderBySelectivity(*conn, *table, shape, cols, notes) : Result<bool>(false);
    if (!ordered.ok()) return ordered.status();
    NoteQualStats(*conn, *table, shape, !*ordered, cols, notes);

    model::IndexAdvice a;
    a.table = table->qualified();
    a.live_rows = table->live_rows;
    a.seq_scans = table->seq_scans;
    a.seq_rows_read = table->seq_rows_read;
    a.index_scans = table->index_scans;
    a.columns = cols;
    std::string list;
    for (const std::string& c : cols) list += (list.empty() ? "" : ", ") + Ident(c);
    a.create_index = "CREATE INDEX CONCURRENTLY ON " + a.table + " (" + list + ");";
    a.notes = std::move(notes);
    if (!options_.explain) {
      a.notes.push_back(
          "EXPLAIN not run: it is opt-in (`explain: true` for the instance, with read access for the "
          "monitoring role: GRANT pg_read_all_data)");
    } else if (!table->readable || shape.command.empty()) {
      a.notes.push_back(table->readable ? "EXPLAIN not run: not a SELECT, INSERT, UPDATE or DELETE"
                                        : "EXPLAIN not run: the monitoring role cannot read " + a.table +
                                              " (GRANT pg_read_all_data)");
    } else {
      auto planned = AskPlanner(*conn, statement, *table, a);
      if (!planned.ok()) {
        // The session may be mid-transaction: a fresh one for the next table.
        a.notes.push_back("EXPLAIN failed: " + planned.status().message());
        auto conn_or = dbconn::PgConnection::Connect(connect);
        if (!conn_or.ok()) return conn_or.status();
        conn = std::move(conn_or).value();
        DBI_RETURN_IF_ERROR(conn->Query("SET standard_conforming_strings = on").status());
      } else if (!*planned) {
        continue;  // the planner already avoids scanning it
      }
    }
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace dbinsight::advise
