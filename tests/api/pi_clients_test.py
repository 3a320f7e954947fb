"""The real AWS clients against a running dbinsight: Performance Insights and RDS through
the aws CLI and boto3 of whichever interpreter runs this file (pyenv python3: boto3 1.43 +
aws-cli 1.x; /usr/bin/python3: boto3 1.26 + aws-cli 2.x).

  ErrorsTest       bad input → InvalidArgumentException naming the parameter (CLI + boto3)
  ClientCallsTest  metadata calls work unchanged
  GroundTruthTest  a known workload held for 30 s (3 sessions in pg_sleep, 2 blocked on a
                   row lock) must come back as db.load 5, PgSleep 3, transactionid 2, and
                   both statements by db.sql_tokenized, through CLI and boto3.

Run: DBINSIGHT_BIN=build/src/app/dbinsight python3 tests/api/pi_clients_test.py
"""

import concurrent.futures
import json
import math
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

H = None  # the module's Harness: one PostgreSQL + dbinsight for every class


def setUpModule():
    global H
    H = harness.Harness().start()


def tearDownModule():
    if H is not None:
        H.stop()


def expected_exit_code():
    return 254 if H.cli_version >= 2 else 255


def cli_args(operation, defaults, override):
    """CLI arguments for `aws pi <operation>`: the window of the last 10 minutes on our
    instance, then `defaults`, with options replaced or added by keyword
    (metric_queries=... → --metric-queries ...; a list value gives several words)."""
    now = int(time.time())
    options = {"service_type": "RDS", "identifier": H.resource_id, "start_time": str(now - 600),
               "end_time": str(now), **defaults, **override}
    args = ["pi", operation]
    for key, value in options.items():
        args += ["--" + key.replace("_", "-"), *(value if isinstance(value, list) else [value])]
    return args


def grm_args(**override):
    return cli_args("get-resource-metrics", {"metric_queries": '[{"Metric":"db.load.avg"}]'}, override)


def ddk_args(**override):
    return cli_args("describe-dimension-keys", {"metric": "db.load.avg", "group_by": "Group=db.wait_event"}, override)


def normalize_sql(text):
    # Case, spacing and a trailing ';' (psql sends it; pg_stat_statements drops it) aside.
    return " ".join(text.lower().split()).rstrip(";").rstrip()


class ErrorsTest(unittest.TestCase):
    # (name, CLI args, operation, the message the server must send)
    def cases(self):
        return [
            ("limit above 25", grm_args(metric_queries='[{"Metric":"db.load.avg","GroupBy":{"Group":"db.wait_event","Limit":99}}]'),
             "GetResourceMetrics", "Invalid value for parameter MetricQueries[0].GroupBy.Limit, value: 99, valid max value: 25"),
            ("DOCDB", grm_args(service_type="DOCDB"), "GetResourceMetrics",
             "Invalid value for parameter ServiceType, value: DOCDB, DOCDB is not supported"),
            ("unknown ServiceType", grm_args(service_type="FOO"), "GetResourceMetrics",
             "Invalid value for parameter ServiceType, value: FOO, valid values: RDS, DOCDB"),
            ("identifier pattern", grm_args(identifier="bad id!"), "GetResourceMetrics",
             "Invalid value for parameter Identifier, value: bad id!, valid pattern: ^[a-zA-Z0-9-]+$"),
            ("unknown identifier", grm_args(identifier="db-NOPE"), "GetResourceMetrics",
             "Invalid value for parameter Identifier, value: db-NOPE, no monitored instance"),
            ("period", grm_args(period_in_seconds="30"), "GetResourceMetrics",
             "Invalid value for parameter PeriodInSeconds, value: 30, valid values: 1, 60, 300, 3600, 86400"),
            ("end before start", grm_args(start_time="1700003600", end_time="1700000000"), "GetResourceMetrics",
             "Invalid value for parameter EndTime, value: 1700000000, EndTime must be later than StartTime"),
            ("next token", grm_args(next_token="garbage"), "GetResourceMetrics",
             "Invalid value for parameter NextToken, value: garbage, not a token this service issued"),
            ("unknown metric", grm_args(metric_queries='[{"Metric":"db.nothing.avg"}]'), "GetResourceMetrics",
             "MetricQueries[0].Metric"),
            ("max results", ddk_args(max_results="99"), "DescribeDimensionKeys",
             "Invalid value for parameter MaxResults, value: 99, valid max value: 25"),
            ("the seed's additional metric", ddk_args(additional_metrics=["db.wait_event.type"]),
             "DescribeDimensionKeys", "AdditionalMetrics[0]"),
            ("dimension metric", ["pi", "list-available-resource-dimensions", "--service-type", "RDS",
                                  "--identifier", H.resource_id, "--metrics", "db.load.avg"],
             "ListAvailableResourceDimensions",
             "Invalid value for parameter Metrics[0], value: db.load.avg, valid values: db.load, db.sampledload"),
        ]

    def test_cli_reports_invalid_argument_naming_the_parameter(self):
        cases = self.cases()
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda c: H.aws(*c[1]), cases))
        for (name, args, operation, message), (rc, out, err) in zip(cases, results):
            with self.subTest(name):
                self.assertEqual(rc, expected_exit_code(), f"stdout={out!r} stderr={err!r}")
                self.assertIn(f"An error occurred (InvalidArgumentException) when calling the {operation} "
                              f"operation: {message}", err)

    def test_boto3_raises_the_modelled_exception(self):
        pi = H.client("pi")
        now = int(time.time())
        base = dict(ServiceType="RDS", Identifier=H.resource_id, StartTime=now - 600, EndTime=now)
        calls = [
            (dict(base, MetricQueries=[{"Metric": "db.load.avg", "GroupBy": {"Group": "db.wait_event", "Limit": 26}}]),
             "Invalid value for parameter MetricQueries[0].GroupBy.Limit, value: 26, valid max value: 25"),
            (dict(base, ServiceType="DOCDB", MetricQueries=[{"Metric": "db.load.avg"}]),
             "Invalid value for parameter ServiceType, value: DOCDB"),
            (dict(base, Identifier="db-NOPE", MetricQueries=[{"Metric": "db.load.avg"}]),
             "Invalid value for parameter Identifier, value: db-NOPE"),
            (dict(base, MetricQueries=[{"Metric": "db.load.avg", "Filter": {"db.user.name": " "}}]),
             "Invalid value for parameter MetricQueries[0].Filter[db.user.name]"),
        ]
        for request, message in calls:
            with self.subTest(message):
                with self.assertRaises(pi.exceptions.InvalidArgumentException) as cm:
                    pi.get_resource_metrics(**request)
                error = cm.exception.response["Error"]
                self.assertEqual(error["Code"], "InvalidArgumentException")
                self.assertIn(message, error["Message"])
                self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)

    def test_rds_unknown_instance_is_db_instance_not_found(self):
        rc, out, err = H.aws("rds", "describe-db-instances", "--db-instance-identifier", "nope")
        self.assertEqual(rc, expected_exit_code(), err)
        self.assertIn("An error occurred (DBInstanceNotFound) when calling the DescribeDBInstances operation: "
                      "DBInstance nope not found.", err)
        rds = H.client("rds")
        with self.assertRaises(rds.exceptions.DBInstanceNotFoundFault) as cm:
            rds.describe_db_instances(DBInstanceIdentifier="nope")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)


class ClientCallsTest(unittest.TestCase):
    def test_rds_describe_db_instances_prints_the_resource_id(self):
        rc, out, err = H.aws("rds", "describe-db-instances", "--query", "DBInstances[0].DbiResourceId",
                             "--output", "text")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.strip(), H.resource_id)
        rds = H.client("rds")
        db = rds.describe_db_instances(DBInstanceIdentifier=harness.INSTANCE_ID)["DBInstances"][0]
        self.assertEqual(db["DbiResourceId"], H.resource_id)
        self.assertEqual(db["Engine"], "postgres")
        self.assertEqual(db["DBInstanceStatus"], "available")
        self.assertTrue(db["PerformanceInsightsEnabled"])
        self.assertEqual(db["Endpoint"]["Port"], int(H.pg_env["PGPORT"]))

    def test_list_available_resource_dimensions(self):
        out = H.aws_json("pi", "list-available-resource-dimensions", "--service-type", "RDS",
                         "--identifier", H.resource_id, "--metrics", "db.load")
        groups = {g["Group"]: [d["Identifier"] for d in g["Dimensions"]]
                  for g in out["MetricDimensions"][0]["Groups"]}
        self.assertEqual(out["MetricDimensions"][0]["Metric"], "db.load")
        self.assertEqual(groups["db.wait_event"], ["db.wait_event.name", "db.wait_event.type"])
        self.assertIn("db.sql_tokenized.statement", groups["db.sql_tokenized"])
        pi = H.client("pi")
        page = pi.list_available_resource_dimensions(ServiceType="RDS", Identifier=H.resource_id,
                                                     Metrics=["db.load"], MaxResults=2)
        self.assertEqual(len(page["MetricDimensions"][0]["Groups"]), 2)
        rest = pi.list_available_resource_dimensions(ServiceType="RDS", Identifier=H.resource_id,
                                                     Metrics=["db.load"], NextToken=page["NextToken"])
        seen = [g["Group"] for g in page["MetricDimensions"][0]["Groups"] + rest["MetricDimensions"][0]["Groups"]]
        self.assertEqual(sorted(seen), sorted(groups))

    def test_list_available_resource_metrics_and_metadata(self):
        out = H.aws_json("pi", "list-available-resource-metrics", "--service-type", "RDS",
                         "--identifier", H.resource_id, "--metric-types", "db")
        self.assertIn("db.load", [m["Metric"].rsplit(".avg", 1)[0] for m in out["Metrics"]])
        meta = H.client("pi").get_resource_metadata(ServiceType="RDS", Identifier=harness.INSTANCE_ID)
        self.assertEqual(meta["Identifier"], H.resource_id)
        self.assertEqual(meta["Features"]["SQL_TEXT"]["Status"], "ENABLED")


class GroundTruthTest(unittest.TestCase):
    """One 30-s hold shared by every test of the class (CI time)."""

    WINDOW = 30
    SLEEPERS = 3
    WAITERS = 2

    @classmethod
    def setUpClass(cls):
        # Each waiter wants a different row the holder has locked: two sessions queued on
        # the same row would wait on Lock:tuple behind the first one's Lock:transactionid.
        H.psql("drop table if exists gt; create table gt(id int primary key, v int); "
               "insert into gt select generate_series(1, 2), 0")
        H.session("gt-holder", "begin;\nupdate gt set v = v + 1 where id in (1, 2);\n")
        poll_sql = ("select count(*) from pg_stat_activity where application_name = 'gt-holder' "
                    "and state = 'idle in transaction'")
        harness.poll_until(lambda: H.psql(poll_sql).strip() == "1", 30, what="the lock holder")
        for row in range(1, cls.WAITERS + 1):
            H.session("gt-waiter", f"update gt set v = v + 10 where id = {row};\n")
        for _ in range(cls.SLEEPERS):
            H.session("gt-sleeper", "select pg_sleep(600);\n")
        state_sql = ("select "
                     "count(*) filter (where application_name = 'gt-sleeper' and state = 'active' "
                     "  and wait_event = 'PgSleep'), "
                     "count(*) filter (where application_name = 'gt-waiter' and state = 'active' "
                     "  and wait_event_type = 'Lock' and wait_event = 'transactionid'), "
                     "count(*) filter (where application_name = 'gt-holder' and state = 'idle in transaction') "
                     "from pg_stat_activity")
        want = f"{cls.SLEEPERS}|{cls.WAITERS}|1"
        harness.poll_until(lambda: H.psql(state_sql).strip() == want, 30, every=0.1,
                           what=f"sessions in place ({want})",
                           detail=lambda: H.psql(state_sql).strip())
        # No more queries against PostgreSQL until the window ends: they would add load.
        cls.start = math.ceil(time.time()) + 1
        cls.end = cls.start + cls.WINDOW
        pi = H.client("pi")

        def window_sampled():
            if time.time() > cls.end + 10:
                return True  # a missed last second is within the tolerance; assert below
            if time.time() < cls.end:
                return False
            out = pi.get_resource_metrics(ServiceType="RDS", Identifier=H.resource_id, StartTime=cls.start,
                                          EndTime=cls.end, PeriodInSeconds=1,
                                          MetricQueries=[{"Metric": "db.load.avg"}])
            points = out["MetricList"][0]["DataPoints"]
            return bool(points) and max(p["Timestamp"].timestamp() for p in points) >= cls.end

        try:
            harness.poll_until(window_sampled, cls.WINDOW + 20, every=0.5, what="the window to be sampled")
        finally:
            H.end_sessions("gt-")

    # --- helpers ---------------------------------------------------------------------------
    def grm(self, via, group=None, limit=None):
        query = {"Metric": "db.load.avg"}
        if group:
            query["GroupBy"] = {"Group": group}
            if limit:
                query["GroupBy"]["Limit"] = limit
        if via == "cli":
            return H.aws_json(*grm_args(start_time=str(self.start), end_time=str(self.end),
                                        period_in_seconds="1", metric_queries=json.dumps([query])))
        return H.client("pi").get_resource_metrics(ServiceType="RDS", Identifier=H.resource_id,
                                                   StartTime=self.start, EndTime=self.end, PeriodInSeconds=1,
                                                   MetricQueries=[query])

    def window_averages(self, out):
        """{frozenset(dimensions.items()): average load over the window}; the total is keyed by
        an empty frozenset. Periods without a point for a key count as 0 for that key."""
        total = out["MetricList"][0]
        self.assertNotIn("Dimensions", total["Key"])
        n = len(total["DataPoints"])
        self.assertGreaterEqual(n, self.WINDOW - 3, "too few sampled seconds in the window")
        self.assertLessEqual(n, self.WINDOW)
        return {frozenset(s["Key"].get("Dimensions", {}).items()): sum(p["Value"] for p in s["DataPoints"]) / n
                for s in out["MetricList"]}

    def check_total(self, via):
        averages = self.window_averages(self.grm(via))
        self.assertAlmostEqual(averages[frozenset()], self.SLEEPERS + self.WAITERS, delta=0.25)

    def check_wait_events(self, via):
        averages = self.window_averages(self.grm(via, "db.wait_event"))
        by_name = {dict(k).get("db.wait_event.name"): (dict(k).get("db.wait_event.type"), v)
                   for k, v in averages.items() if k}
        self.assertIn("Timeout:PgSleep", by_name, by_name)
        self.assertIn("Lock:transactionid", by_name, by_name)
        self.assertEqual(by_name["Timeout:PgSleep"][0], "Timeout")
        self.assertEqual(by_name["Lock:transactionid"][0], "Lock")
        self.assertAlmostEqual(by_name["Timeout:PgSleep"][1], self.SLEEPERS, delta=0.2)
        self.assertAlmostEqual(by_name["Lock:transactionid"][1], self.WAITERS, delta=0.2)

    def check_sql_tokenized(self, via):
        averages = self.window_averages(self.grm(via, "db.sql_tokenized", limit=10))
        by_sql = {normalize_sql(dict(k)["db.sql_tokenized.statement"]): v for k, v in averages.items() if k}
        self.assertIn("select pg_sleep($1)", by_sql, by_sql)
        self.assertIn("update gt set v = v + $1 where id = $2", by_sql, by_sql)
        self.assertAlmostEqual(by_sql["select pg_sleep($1)"], self.SLEEPERS, delta=0.2)
        self.assertAlmostEqual(by_sql["update gt set v = v + $1 where id = $2"], self.WAITERS, delta=0.2)

    # --- (c) ground truth, both ways -------------------------------------------------------
    def test_db_load_is_five_boto3(self):
        self.check_total("boto3")

    def test_db_load_is_five_cli(self):
        self.check_total("cli")

    def test_wait_events_boto3(self):
        self.check_wait_events("boto3")

    def test_wait_events_cli(self):
        self.check_wait_events("cli")

    def test_sql_tokenized_boto3(self):
        self.check_sql_tokenized("boto3")

    def test_sql_tokenized_cli(self):
        self.check_sql_tokenized("cli")

    # --- (b) the other calls, on this data -------------------------------------------------
    def test_describe_dimension_keys_with_additional_metrics_cli(self):
        out = H.aws_json(*ddk_args(start_time=str(self.start), end_time=str(self.end),
                                   additional_metrics=["db.load.max", "db.load.min"], max_results="10"))
        keys = {k["Dimensions"]["db.wait_event.name"]: k for k in out["Keys"]}
        self.assertAlmostEqual(keys["Timeout:PgSleep"]["Total"], self.SLEEPERS, delta=0.2)
        self.assertAlmostEqual(keys["Lock:transactionid"]["Total"], self.WAITERS, delta=0.2)
        self.assertEqual(set(keys["Timeout:PgSleep"]["AdditionalMetrics"]), {"db.load.max", "db.load.min"})

    def test_describe_dimension_keys_pages_boto3(self):
        pi = H.client("pi")
        request = dict(ServiceType="RDS", Identifier=H.resource_id, StartTime=self.start, EndTime=self.end,
                       Metric="db.load.avg", GroupBy={"Group": "db.wait_event"},
                       PartitionBy={"Group": "db.sql_tokenized"})
        first = pi.describe_dimension_keys(MaxResults=1, **request)
        self.assertEqual(len(first["Keys"]), 1)
        self.assertEqual(first["Keys"][0]["Dimensions"]["db.wait_event.name"], "Timeout:PgSleep")
        self.assertEqual(len(first["Keys"][0]["Partitions"]), len(first["PartitionKeys"]))
        second = pi.describe_dimension_keys(MaxResults=1, NextToken=first["NextToken"], **request)
        self.assertEqual(second["Keys"][0]["Dimensions"]["db.wait_event.name"], "Lock:transactionid")

    def test_get_dimension_key_details(self):
        out = self.grm("boto3", "db.sql")
        ids = [s["Key"]["Dimensions"]["db.sql.id"] for s in out["MetricList"][1:]
               if "pg_sleep" in s["Key"]["Dimensions"].get("db.sql.statement", "")]
        self.assertTrue(ids, out["MetricList"])
        details = H.aws_json("pi", "get-dimension-key-details", "--service-type", "RDS", "--identifier",
                             H.resource_id, "--group", "db.sql", "--group-identifier", ids[0],
                             "--requested-dimensions", "statement")
        self.assertEqual(details["Dimensions"][0]["Dimension"], "db.sql.statement")
        self.assertEqual(details["Dimensions"][0]["Status"], "AVAILABLE")
        self.assertIn("pg_sleep", details["Dimensions"][0]["Value"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
