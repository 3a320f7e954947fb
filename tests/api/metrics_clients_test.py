"""Counter, OS and per-SQL metrics through the real aws CLI and boto3, on PostgreSQL and MariaDB.

Runs under both client generations (see CMakeLists.txt): pyenv python3 + aws-cli 1.x, and
/usr/bin/python3 + aws-cli 2.x. The ground truths come from the servers themselves: counter
deltas read with SQL over the same minute, and pg_stat_statements / the digest table.

  DBINSIGHT_BIN=build/src/app/dbinsight python3 tests/api/metrics_clients_test.py -v
"""

import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import fleet as fleet_mod  # noqa: E402
from fleet import poll_until  # noqa: E402

STATEMENT_CALLS = 1000


def now():
    return time.time()


class MetricsClientsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.f = fleet_mod.Fleet(replica=False, mariadb=True, broken=False, statements_interval="2s").start()
        cls.f.psql("create table if not exists probe (id int primary key, v int);"
                   "insert into probe select g, g from generate_series(1, 2000) g on conflict do nothing;")
        cls.f.mariadb_sql("create table if not exists probe (id int primary key, v int);"
                          "insert ignore into probe select seq, seq from seq_1_to_2000;")

    @classmethod
    def tearDownClass(cls):
        cls.f.stop()

    def rid(self, instance_id):
        return self.f.resource_id(instance_id)

    def cli_metric_values(self, instance_id, metric, start, end, period):
        out = self.f.aws_json("pi", "get-resource-metrics", "--service-type", "RDS", "--identifier",
                              self.rid(instance_id), "--start-time", str(int(start)), "--end-time", str(int(end)),
                              "--period-in-seconds", str(period), "--metric-queries", f'[{{"Metric": "{metric}"}}]')
        return [p["Value"] for p in out["MetricList"][0]["DataPoints"]]

    # --- ListAvailableResourceMetrics ----------------------------------------------------
    def test_available_metrics_are_exactly_what_each_instance_has(self):
        for instance_id, db_counter in (("pg", "db.Transactions.xact_commit"), ("maria", "db.SQL.Questions")):
            def listed():
                out = self.f.aws_json("pi", "list-available-resource-metrics", "--service-type", "RDS",
                                      "--identifier", self.rid(instance_id), "--metric-types", "db", "os")
                names = {m["Metric"] for m in out["Metrics"]}
                return out if {db_counter, "os.cpuUtilization.user", "os.diskIO.readIOsPS"} <= names or \
                    {db_counter, "os.cpuUtilization.user"} <= names and not self.has_disk(out) else None
            out = poll_until(listed, 30, what=f"{instance_id}: counter and os metrics listed")
            names = [m["Metric"] for m in out["Metrics"]]
            self.assertIn("db.load", names)
            self.assertTrue(all(m["Unit"] and m["Description"] for m in out["Metrics"]), out)
            self.assertEqual(len(names), len(set(names)))
            # Exactly what it has: every listed stored metric answers with data points.
            stored = [n for n in names if n not in ("db.load", "db.sampledload", "db.state.idle_in_transaction_count")]
            pi = self.f.client("pi")
            end = now() + 1
            for i in range(0, len(stored), 15):
                batch = stored[i:i + 15]
                r = pi.get_resource_metrics(ServiceType="RDS", Identifier=self.rid(instance_id), StartTime=int(end - 600),
                                            EndTime=int(end), PeriodInSeconds=60,
                                            MetricQueries=[{"Metric": n + ".avg"} for n in batch])
                for series in r["MetricList"]:
                    self.assertTrue(series["DataPoints"], f"{instance_id}: {series['Key']['Metric']} listed, no data")
        # The other engine's counters are not listed for an instance.
        pg_names = {m["Metric"] for m in self.f.aws_json(
            "pi", "list-available-resource-metrics", "--service-type", "RDS", "--identifier", self.rid("pg"),
            "--metric-types", "db")["Metrics"]}
        self.assertNotIn("db.SQL.Questions", pg_names)
        self.assertFalse(any(n.startswith("os.") for n in pg_names))

    def test_cloudwatch_instance_metrics_are_recorded(self):
        # Recorded now for the CloudWatch API to come; readable through PI meanwhile.
        pi = self.f.client("pi")
        for instance_id in ("pg", "maria"):
            names = ["DatabaseConnections", "CPUUtilization", "FreeableMemory", "FreeStorageSpace"]
            listed = self.f.aws_json("pi", "list-available-resource-metrics", "--service-type", "RDS",
                                     "--identifier", self.rid(instance_id), "--metric-types", "os")
            if self.has_disk(listed):  # a data directory on overlayfs has no block device to read
                names += ["ReadIOPS", "WriteIOPS", "ReadLatency", "WriteLatency", "ReadThroughput", "WriteThroughput"]

            def series():
                end = now() + 1
                r = pi.get_resource_metrics(ServiceType="RDS", Identifier=self.rid(instance_id),
                                            StartTime=int(end - 120), EndTime=int(end), PeriodInSeconds=1,
                                            MetricQueries=[{"Metric": n + ".avg"} for n in names])
                got = {m["Key"]["Metric"][:-4]: m["DataPoints"] for m in r["MetricList"]}
                return got if all(got[n] for n in names) else None
            got = poll_until(series, 30, what=f"{instance_id}: CloudWatch instance metrics")
            self.assertGreaterEqual(got["DatabaseConnections"][-1]["Value"], 1)
            self.assertTrue(0 <= got["CPUUtilization"][-1]["Value"] <= 100)
            self.assertGreater(got["FreeableMemory"][-1]["Value"], 1 << 20)  # bytes
            self.assertGreater(got["FreeStorageSpace"][-1]["Value"], 1 << 20)

    @staticmethod
    def has_disk(out):
        return any(m["Metric"].startswith("os.diskIO.") for m in out["Metrics"])

    # --- counters vs the servers' own deltas --------------------------------------------------
    def pg_counters(self):
        row = self.f.psql("select sum(xact_commit), sum(tup_inserted) from pg_stat_database").strip().split("|")
        return {"db.Transactions.xact_commit": float(row[0]), "db.SQL.tup_inserted": float(row[1])}

    def maria_counters(self):
        rows = self.f.mariadb_sql("show global status where variable_name in ('Questions', 'Com_insert')")
        values = dict(line.split("\t") for line in rows.strip().splitlines())
        return {"db.SQL.Questions": float(values["Questions"]), "db.SQL.Com_insert": float(values["Com_insert"])}

    def test_counter_rates_match_server_deltas_over_the_same_minute(self):
        # The load runs only inside one whole minute, well clear of its edges, so the small
        # misalignment between our reads and dbinsight's is background traffic only.
        minute = (int(now()) // 60 + 1) * 60
        poll_until(lambda: now() >= minute + 5, 70, every=0.2, what="the measured minute to begin")
        before = {**self.pg_counters(), **self.maria_counters()}
        self.f.psql("create table if not exists ins_probe (v int)")
        self.f.mariadb_sql("create table if not exists ins_probe (v int)")
        deadline = minute + 50
        pg_sql = "".join(f"insert into ins_probe values ({i});\n" for i in range(200))
        maria_sql = "".join(f"insert into ins_probe values ({i});\n" for i in range(200))
        e_pg, e_m = self.f.env["pg"], self.f.env["maria"]
        while now() < deadline:
            subprocess.run([os.path.join(fleet_mod.PGBIN, "psql"), "-X", "-q", "-h", e_pg["PGHOST"], "-p",
                            e_pg["PGPORT"], "-U", "postgres", "-d", "postgres"], input=pg_sql, text=True,
                           capture_output=True, check=True)
            subprocess.run(["mariadb", "--no-defaults", "-uroot", f"--socket={e_m['MYSQL_SOCKET']}", "app"],
                           input=maria_sql, text=True, capture_output=True, check=True)
        poll_until(lambda: now() >= minute + 58, 30, every=0.1, what="the end of the measured minute")
        after = {**self.pg_counters(), **self.maria_counters()}
        # Wait for the minute to be readable (the next counter read lands after it).
        poll_until(lambda: now() >= minute + 62, 30, every=0.2, what="the minute to close")
        for instance_id, metric in (("pg", "db.Transactions.xact_commit"), ("pg", "db.SQL.tup_inserted"),
                                    ("maria", "db.SQL.Questions"), ("maria", "db.SQL.Com_insert")):
            server_delta = after[metric] - before[metric]
            self.assertGreater(server_delta, 1000, metric)
            # .sum of a per-second rate over the minute = the count in that minute.
            values = self.cli_metric_values(instance_id, metric + ".sum", minute, minute + 60, 60)
            self.assertEqual(len(values), 1, (metric, values))
            print(f"{instance_id} {metric}: dbinsight {values[0]:.0f} / server {server_delta:.0f} = "
                  f"{values[0] / server_delta:.4f}", file=sys.stderr)
            self.assertAlmostEqual(values[0] / server_delta, 1.0, delta=0.01,
                                   msg=f"{instance_id} {metric}: dbinsight {values[0]:.0f}, server {server_delta:.0f}")
            avg = self.cli_metric_values(instance_id, metric + ".avg", minute, minute + 60, 60)[0]
            self.assertAlmostEqual(avg * 60 / server_delta, 1.0, delta=0.03, msg=f"{metric}.avg {avg}")

    # --- per-SQL statistics ---------------------------------------------------------------------
    def run_statement_workload(self):
        # 8 ms of sleep per call: ~8 s of execution, so sampling sees the statement as DB
        # load (several samples even on a loaded machine) and it is a db.sql_tokenized key
        # (keys are ranked by load, as in PI).
        pg_sql = "".join(f"select v, pg_sleep(0.008) from probe where id = {1 + i % 2000};\n"
                         for i in range(STATEMENT_CALLS))
        maria_sql = "".join(f"select v, sleep(0.008) from probe where id = {1 + i % 2000};\n"
                            for i in range(STATEMENT_CALLS))
        e_pg, e_m = self.f.env["pg"], self.f.env["maria"]
        subprocess.run([os.path.join(fleet_mod.PGBIN, "psql"), "-X", "-q", "-h", e_pg["PGHOST"], "-p",
                        e_pg["PGPORT"], "-U", "postgres", "-d", "postgres"], input=pg_sql, text=True,
                       capture_output=True, check=True)
        subprocess.run(["mariadb", "--no-defaults", "-uroot", f"--socket={e_m['MYSQL_SOCKET']}", "app"],
                       input=maria_sql, text=True, capture_output=True, check=True)

    def describe_sql(self, instance_id, start, end, extra):
        out = self.f.aws_json("pi", "describe-dimension-keys", "--service-type", "RDS", "--identifier",
                              self.rid(instance_id), "--start-time", str(int(start)), "--end-time", str(int(end)),
                              "--metric", "db.load.avg", "--group-by", '{"Group": "db.sql_tokenized", "Limit": 25}',
                              "--additional-metrics", *extra)
        return out["Keys"]

    def test_per_sql_statistics_match_the_servers_views(self):
        start = now() - 5
        self.run_statement_workload()
        pg_truth = self.f.psql("select queryid, calls, rows, total_exec_time, shared_blks_hit from "
                               "pg_stat_statements where query like 'select v, pg_sleep($1) from probe where id = $2%'").split("|")
        self.assertEqual(int(pg_truth[1]), STATEMENT_CALLS)
        maria_truth = self.f.mariadb_sql(
            "select digest, count_star, sum_rows_examined, sum_rows_sent, sum_timer_wait / 1e9 from "
            "performance_schema.events_statements_summary_by_digest where digest_text like "
            "'SELECT %FROM `probe`%'").split("\t")
        self.assertEqual(int(maria_truth[1]), STATEMENT_CALLS)

        pg_extra = ["db.sql_tokenized.stats.calls_per_sec.sum", "db.sql_tokenized.stats.rows_per_call.avg",
                    "db.sql_tokenized.stats.avg_latency_per_call.avg",
                    "db.sql_tokenized.stats.shared_blks_hit_per_call.avg"]
        maria_extra = ["db.sql_tokenized.stats.count_star_per_sec.sum",
                       "db.sql_tokenized.stats.sum_rows_examined_per_call.avg",
                       "db.sql_tokenized.stats.sum_rows_sent_per_call.avg",
                       "db.sql_tokenized.stats.sum_timer_wait_per_call.avg"]

        def key_with(instance_id, extra, db_id):
            # Statistics are read every 2 s; the key shows once a read after the workload landed.
            keys = self.describe_sql(instance_id, start, now() + 1, extra)
            for k in keys:
                if k["Dimensions"].get("db.sql_tokenized.db_id") == db_id and extra[0] in k.get("AdditionalMetrics", {}):
                    if k["AdditionalMetrics"][extra[0]] >= STATEMENT_CALLS:
                        return k
            return None

        pg_key = poll_until(lambda: key_with("pg", pg_extra, pg_truth[0]), 60,
                            what="the pg probe statement with its statistics")
        m = pg_key["AdditionalMetrics"]
        self.assertEqual(m["db.sql_tokenized.stats.calls_per_sec.sum"], STATEMENT_CALLS)
        self.assertAlmostEqual(m["db.sql_tokenized.stats.rows_per_call.avg"], int(pg_truth[2]) / STATEMENT_CALLS)
        self.assertAlmostEqual(m["db.sql_tokenized.stats.avg_latency_per_call.avg"],
                               float(pg_truth[3]) / STATEMENT_CALLS, delta=1e-6)
        self.assertAlmostEqual(m["db.sql_tokenized.stats.shared_blks_hit_per_call.avg"],
                               int(pg_truth[4]) / STATEMENT_CALLS)

        maria_key = poll_until(lambda: key_with("maria", maria_extra, maria_truth[0]), 60,
                               detail=lambda: self.describe_sql("maria", start, now() + 1, maria_extra),
                               what="the MariaDB probe digest with its statistics")
        m = maria_key["AdditionalMetrics"]
        self.assertEqual(m["db.sql_tokenized.stats.count_star_per_sec.sum"], STATEMENT_CALLS)
        self.assertAlmostEqual(m["db.sql_tokenized.stats.sum_rows_examined_per_call.avg"],
                               int(maria_truth[2]) / STATEMENT_CALLS)
        self.assertAlmostEqual(m["db.sql_tokenized.stats.sum_rows_sent_per_call.avg"],
                               int(maria_truth[3]) / STATEMENT_CALLS)
        self.assertAlmostEqual(m["db.sql_tokenized.stats.sum_timer_wait_per_call.avg"],
                               float(maria_truth[4]) / STATEMENT_CALLS, delta=1e-6)


if __name__ == "__main__":
    unittest.main()
