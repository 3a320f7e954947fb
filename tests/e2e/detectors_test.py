"""The live incident detectors beyond high load, end to end on a real PostgreSQL 15 and MariaDB
10.11 (one server each, shared by the cases) monitored by `dbinsight serve`, with `dbinsight
loadgen` as the ground truth (`loadgen --describe`, and its `started` line):

  connection-storm  50 clients on a server with max_connections 60: a `connections` incident
                    within 10 s of the started line, closed after the storm
  regression        the index dropped midway (change_after_ms): a `latency-regression` incident
                    naming the regressed_rows statement within 10 s + one statements_interval
                    of the change, none before it, closed after
  lock-chain        an idle-in-transaction blocker: a `lock-chain` incident naming the blocker's
                    id within 10 s, closed after
  recipe            (PostgreSQL) the scheduled analyzer's report in the bucket has the reference
                    format, and its numbers are the reference analyzer's computation from
                    GetResourceMetrics over the same hour, revenue_by_region among the
                    problematic queries

MariaDB's connections case needs the db.Users.max_connections gauge (max_connections read
with the counters); without it the case is skipped, saying so.

Runs under the default python3 only (the report read uses boto3's S3 client).

  DBINSIGHT_BIN=build/src/app/dbinsight python3 tests/e2e/detectors_test.py -v
"""

import datetime
import json
import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fleet as fleet_mod  # noqa: E402
from fleet import poll_until  # noqa: E402

MAX_CONNECTIONS = 60  # the storm's 50 clients plus the monitor are above 80% of it
STATEMENTS_INTERVAL = 2  # seconds: the latency-regression detector's granularity
BUCKET = "dbinsight-reports-pg"
# Short closing runs keep the suite short; the opening runs are the defaults under test.
CONFIG = """incidents:
  close_after: 5s
  lock_chain: {close_after: 5s}
  connections: {close_after: 5s}
  latency_regression: {close_after: 6s}
analysis:
  schedule: "rate(1 minute)"
  high_load_threshold: 0.1
  problematic_query_threshold: 0.1
"""


class DetectorsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.binary = os.environ.get("DBINSIGHT_BIN") or os.path.join(fleet_mod.REPO, "build", "src", "app",
                                                                     "dbinsight")
        # Many vCPUs: no scenario here is a high-load incident.
        cls.f = fleet_mod.Fleet(replica=False, mariadb=True, extra_config=CONFIG, vcpus=16,
                                statements_interval=f"{STATEMENTS_INTERVAL}s").start()
        try:
            cls.f.psql(f"ALTER SYSTEM SET max_connections = {MAX_CONNECTIONS}")
            cls.f.stop_server("pg")
            cls.f.start_server("pg")
            cls.f.mariadb_sql(f"SET GLOBAL max_connections = {MAX_CONNECTIONS}")
            poll_until(lambda: all(cls.f.instance(i)["sampling_live"] for i in ("pg", "maria")), 60,
                       what="sampling live again after the restart")
        except BaseException:
            cls.f.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.f.stop()

    # --- helpers ---------------------------------------------------------------------------
    def incidents(self, instance_id, kind):
        return [i for i in self.f.incidents(instance_id) if i["Kind"] == kind]

    def loadgen(self, engine, scenario, seconds, clients):
        """Starts the scenario; returns (process, its started line, the epoch second it came)."""
        gen = subprocess.Popen([self.binary, "loadgen", "--target", self.f.loadgen_target(engine), "--scenario", scenario,
                                "--duration", f"{seconds}s", "--clients", str(clients)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        for line in gen.stdout:  # log lines may come before the JSON one
            if line.startswith("{") and json.loads(line).get("event") == "started":
                return gen, json.loads(line), time.time()
        gen.wait(timeout=30)
        self.fail(f"{scenario} on {engine} did not start")

    @staticmethod
    def stop(gen):
        gen.send_signal(signal.SIGINT)
        gen.wait(timeout=60)
        gen.stdout.close()

    def detect(self, engine, instance_id, scenario, kind, clients, seconds, budget, check, finding):
        """Runs the scenario; the incident of `kind` must be listed within `budget` seconds of the
        condition (the started line, or the change for a regression), pass check(incident,
        started, condition), and close once the scenario is over; the root-cause report of the
        scenario so far must have a top finding of the type finding(started) names, with its
        text in the description. Returns the measured latency."""
        poll_until(lambda: all(i["State"] == "CLOSED" for i in self.incidents(instance_id, kind)), 60,
                   what=f"no open {kind} incident before {scenario}")
        known = {i["Id"] for i in self.incidents(instance_id, kind)}
        gen, started, t0 = self.loadgen(engine, scenario, seconds, clients)
        try:
            condition = t0 + started.get("change_after_ms", 0) / 1000.0 if scenario == "regression" else t0
            new = lambda: [i for i in self.incidents(instance_id, kind) if i["Id"] not in known]  # noqa: E731
            incident = poll_until(new, budget + 30, every=0.2, what=f"a {kind} incident for {scenario} on {engine}")[0]
            latency = time.time() - condition
            print(f"{kind} on {engine}: listed {latency:.1f} s after the condition began: {incident['Summary']}",
                  file=sys.stderr)
            self.assertLessEqual(latency, budget, incident)
            check(incident, started, condition)
            # The report of the scenario so far, once the statistics of the incident's start are
            # stored and, for a regression, the slow half is as long as the fast one (the report
            # compares the window's first and last thirds).
            report_end = max(incident["Opened"] + 2 * STATEMENTS_INTERVAL, min(2 * condition - t0, t0 + seconds - 2))
            poll_until(lambda: time.time() >= report_end, seconds, what="the report window")
            top = self.f.analysis_report(instance_id, int(t0), int(time.time()))["Insights"][0]
            print(f"{scenario} on {engine}: report's top finding: {top['InsightType']}: "
                  f"{top['Description'].splitlines()[0]}", file=sys.stderr)
            insight_type, text = finding(started)
            self.assertEqual(top["InsightType"], insight_type, top)
            self.assertIn(text, top["Description"], top)
        finally:
            self.stop(gen)
        poll_until(lambda: all(i["State"] == "CLOSED" for i in self.incidents(instance_id, kind)), 60,
                   what=f"the {kind} incident of {scenario} on {engine} to close")
        return latency

    def connections(self, engine, instance_id):
        def check(incident, started, condition):
            self.assertTrue(incident["Summary"].startswith("Connections "), incident)
            self.assertIn(f"/{MAX_CONNECTIONS} (", incident["Summary"])
            self.assertGreaterEqual(incident["Peak"], 0.8 * MAX_CONNECTIONS)
            self.assertEqual(incident["Unit"], "Connections")
        self.detect(engine, instance_id, "connection-storm", "connections", 50, 60, 10.0, check,
                    lambda started: ("ConnectionsNearLimit", f"of max_connections {MAX_CONNECTIONS} "))

    def regression(self, engine, instance_id):
        truth = json.loads(subprocess.run([self.binary, "loadgen", "--describe", "regression"], capture_output=True,
                                          text=True, check=True, timeout=30).stdout)

        def check(incident, started, change):
            self.assertIn(truth["top_statement"], incident["Summary"])
            self.assertGreaterEqual(incident["Opened"], change - STATEMENTS_INTERVAL - 1, "opened before the change")
            self.assertIn("ms per call", incident["Summary"])
            self.assertEqual(incident["Unit"], "Milliseconds per call")
        # Half of 40 s before the change: the baseline. None may open before the change (Opened is
        # the start of the first slow interval, so it may precede the change by up to one).
        self.detect(engine, instance_id, "regression", "latency-regression", 4, 40, 10.0 + STATEMENTS_INTERVAL,
                    check, lambda started: ("SQLRegression", started["top_statement"]))

    def lock_chain(self, engine, instance_id):
        def check(incident, started, condition):
            self.assertIsNotNone(started["blocker_id"])
            self.assertIn(f"blocked by pid {started['blocker_id']}", incident["Summary"])
            self.assertEqual(incident["Unit"], "Seconds")
        self.detect(engine, instance_id, "lock-chain", "lock-chain", 4, 60, 10.0, check,
                    lambda started: ("LockWaits", f"blocked by pid {started['blocker_id']} "))

    def has_metric(self, instance_id, metric):
        pi = self.f.client("pi")
        got = pi.list_available_resource_metrics(ServiceType="RDS", Identifier=self.f.resource_id(instance_id),
                                                 MetricTypes=["db"])["Metrics"]
        return any(m["Metric"] == metric for m in got)

    # --- the cases -------------------------------------------------------------------------
    def test_mariadb(self):
        with self.subTest(scenario="connection-storm"):
            if not self.has_metric("maria", "db.Users.max_connections"):
                self.skipTest("MariaDB's max_connections is not collected (db.Users.max_connections): the MariaDB "
                              "counter read must add SHOW GLOBAL VARIABLES LIKE 'max_connections'")
            self.connections("mariadb", "maria")
        with self.subTest(scenario="regression"):
            self.regression("mariadb", "maria")
        with self.subTest(scenario="lock-chain"):
            self.lock_chain("mariadb", "maria")

    def test_postgres(self):
        with self.subTest(scenario="connection-storm"):
            self.connections("postgres", "pg")
        with self.subTest(scenario="regression"):
            self.regression("postgres", "pg")
        with self.subTest(scenario="lock-chain"):
            self.lock_chain("postgres", "pg")
        # Last: it stops the server, so that nothing sampled after the analyzer's run changes
        # the hour it analyzed.
        with self.subTest(scenario="recipe"):
            self.recipe_report()

    def recipe_report(self):
        truth = json.loads(subprocess.run([self.binary, "loadgen", "--describe", "recipe"], capture_output=True,
                                          text=True, check=True, timeout=30).stdout)
        gen, _, _ = self.loadgen("postgres", "recipe", 40, 4)
        gen.wait(timeout=120)
        gen.stdout.close()
        self.f.stop_server("pg")
        stopped = time.time()
        s3 = self.f.client("s3")

        def report_after_stop():
            objects = s3.list_objects_v2(Bucket=BUCKET, Prefix="performance-reports/").get("Contents", [])
            for o in sorted(objects, key=lambda o: o["LastModified"], reverse=True):
                report = json.loads(s3.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read())
                ts = datetime.datetime.strptime(report["timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(
                    tzinfo=datetime.timezone.utc).timestamp()
                return report if ts >= stopped else None
            return None
        report = poll_until(report_after_stop, 90, every=1, what="a scheduled report after the recipe")
        self.assertEqual(set(report), {"timestamp", "metrics_analyzed", "high_load_events", "problematic_queries",
                                       "recommendations"})
        for e in report["high_load_events"]:
            self.assertEqual(set(e), {"wait_event", "average_load"})
        for q in report["problematic_queries"]:
            self.assertEqual(set(q), {"sql_statement", "average_load"})
        self.assertTrue(report["recommendations"])
        self.assertTrue(all(isinstance(r, str) for r in report["recommendations"]))

        # The reference analyzer's computation over the same hour. The analyzer ran a fraction of
        # a second after the timestamp it prints: EndTime one second later aligns the same.
        end = int(datetime.datetime.strptime(report["timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc).timestamp())
        got = self.f.client("pi").get_resource_metrics(
            ServiceType="RDS", Identifier=self.f.resource_id("pg"), StartTime=end - 3600, EndTime=end + 1,
            PeriodInSeconds=300,
            MetricQueries=[{"Metric": "db.load.avg", "GroupBy": {"Group": "db.wait_event", "Limit": 10}},
                           {"Metric": "db.load.avg", "GroupBy": {"Group": "db.sql_tokenized", "Limit": 10}}])
        waits, queries, analyzed = [], [], 0
        for m in got["MetricList"]:
            dims = m["Key"].get("Dimensions", {})
            if not dims:
                continue
            analyzed += 1
            values = [p["Value"] for p in m["DataPoints"] if "Value" in p]
            avg = sum(values) / len(values) if values else 0.0
            if "db.wait_event.name" in dims and avg > 0.1:
                waits.append((dims["db.wait_event.name"], avg))
            if "db.sql_tokenized.statement" in dims and avg > 0.1:
                sql = dims["db.sql_tokenized.statement"]
                queries.append((sql[:200] + "..." if len(sql) > 200 else sql, avg))
        self.assertEqual(report["metrics_analyzed"], analyzed)
        self.assertEqual([e["wait_event"] for e in report["high_load_events"]],
                         [w for w, _ in sorted(waits, key=lambda w: -w[1])])
        self.assertEqual([q["sql_statement"] for q in report["problematic_queries"]],
                         [q for q, _ in sorted(queries, key=lambda q: -q[1])])
        for got_q, (_, avg) in zip(report["problematic_queries"], sorted(queries, key=lambda q: -q[1])):
            self.assertAlmostEqual(got_q["average_load"], avg, places=9)
        # The ground truth: the join with aggregation well above the threshold, and reported.
        revenue = [avg for sql, avg in queries if truth["top_statement"] in sql]
        self.assertTrue(revenue and revenue[0] > 0.2, queries)
        self.assertTrue(any(truth["top_statement"] in q["sql_statement"] for q in report["problematic_queries"]))
        print(f"recipe report: {json.dumps(report)[:600]}", file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
