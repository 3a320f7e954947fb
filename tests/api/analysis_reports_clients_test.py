"""PI performance analysis reports (root-cause reports) through the real aws CLI and boto3
against a running dbinsight, under whichever interpreter runs this file (pyenv python3:
boto3 1.43 + aws-cli 1.x; /usr/bin/python3: boto3 1.26 + aws-cli 2.9).

The older generation's service model predates the report operations (CLI 2.9 has no
`pi *-performance-analysis-report` commands, boto3 1.26 no methods). There the test points
AWS_DATA_PATH at a copy of the newer botocore's pi model (from the pyenv interpreter), which
both the old CLI and the old boto3 load: the wire calls are then the old clients' own.

  LockWaitReportTest  3 sessions held in a row-lock wait behind an idle-in-transaction
                      holder for 20 s on a 2-vCPU instance: create-performance-analysis-report,
                      then get-performance-analysis-report's top insight must be the lock wait
                      (HIGH, CAUSAL) naming Lock:transactionid and the waiting UPDATE; list and
                      delete; errors are InvalidArgumentException naming the parameter.

Run: DBINSIGHT_BIN=build/src/app/dbinsight python3 tests/api/analysis_reports_clients_test.py
"""

import gzip
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

H = None
MODEL_DIR = None
OPERATIONS = ("CreatePerformanceAnalysisReport", "GetPerformanceAnalysisReport",
              "ListPerformanceAnalysisReports", "DeletePerformanceAnalysisReport")


def has_report_operations():
    import botocore.session
    return "CreatePerformanceAnalysisReport" in \
        botocore.session.get_session().get_service_model("pi").operation_names


def newer_pi_model():
    """A directory usable as AWS_DATA_PATH holding the pi model of the pyenv interpreter's
    botocore (the one with the report operations)."""
    python = shutil.which("python3")
    if not python or python.startswith("/usr/bin/"):
        raise RuntimeError("no pyenv python3 on PATH to take the newer pi service model from")
    src = subprocess.run([python, "-c", "import botocore, os; print(os.path.dirname(botocore.__file__))"],
                         capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    src = os.path.join(src, "data", "pi", "2018-02-27")
    out = tempfile.mkdtemp(prefix="dbi-pi-model-")
    dest = os.path.join(out, "pi", "2018-02-27")
    os.makedirs(dest)
    for name in ("service-2.json", "paginators-1.json"):
        plain, packed = os.path.join(src, name), os.path.join(src, name + ".gz")
        if os.path.exists(plain):
            shutil.copy(plain, dest)
        elif os.path.exists(packed):
            with gzip.open(packed, "rb") as f, open(os.path.join(dest, name), "wb") as g:
                g.write(f.read())
    return out


def setUpModule():
    global H, MODEL_DIR
    if not has_report_operations():
        MODEL_DIR = newer_pi_model()
        os.environ["AWS_DATA_PATH"] = MODEL_DIR
        if not has_report_operations():
            raise RuntimeError("botocore did not load the newer pi model from AWS_DATA_PATH")
    H = harness.Harness().start()


def tearDownModule():
    if H is not None:
        H.stop()
    if MODEL_DIR:
        shutil.rmtree(MODEL_DIR, ignore_errors=True)


def expected_exit_code():
    return 254 if H.cli_version >= 2 else 255


class LockWaitReportTest(unittest.TestCase):
    HOLD = 20
    WAITERS = 3  # load 3 on 2 vCPUs

    @classmethod
    def setUpClass(cls):
        # Each waiter wants its own row of the holder's, so all wait on Lock:transactionid
        # (two on one row would put the second on Lock:tuple).
        H.psql("drop table if exists lk; create table lk(id int primary key, v int); "
               "insert into lk select generate_series(1, 3), 0")
        H.session("rc-holder", "begin;\nupdate lk set v = v + 1 where id in (1, 2, 3);\n")
        holder_sql = ("select count(*) from pg_stat_activity where application_name = 'rc-holder' "
                      "and state = 'idle in transaction'")
        harness.poll_until(lambda: H.psql(holder_sql).strip() == "1", 30, what="the lock holder")
        cls.holder_pid = int(H.psql("select pid from pg_stat_activity where application_name = 'rc-holder'"))
        cls.before = math.floor(time.time()) - 20
        for row in range(1, cls.WAITERS + 1):
            H.session("rc-waiter", f"update lk set v = v + 10 where id = {row};\n")
        waiting_sql = ("select count(*) from pg_stat_activity where application_name = 'rc-waiter' "
                       "and wait_event_type = 'Lock' and wait_event = 'transactionid'")
        harness.poll_until(lambda: H.psql(waiting_sql).strip() == str(cls.WAITERS), 30, every=0.1,
                           what="the waiters in place", detail=lambda: H.psql(waiting_sql).strip())
        cls.start = math.ceil(time.time()) + 1
        cls.end = cls.start + cls.HOLD
        pi = H.client("pi")

        def hold_sampled():
            if time.time() < cls.end:
                return False
            out = pi.get_resource_metrics(ServiceType="RDS", Identifier=H.resource_id, StartTime=cls.start,
                                          EndTime=cls.end + 1, PeriodInSeconds=1,
                                          MetricQueries=[{"Metric": "db.load.avg"}])
            points = out["MetricList"][0]["DataPoints"]
            return bool(points) and max(p["Timestamp"].timestamp() for p in points) >= cls.end

        try:
            harness.poll_until(hold_sampled, cls.HOLD + 30, every=0.5, what="the hold to be sampled")
        finally:
            H.end_sessions("rc-")
        cls.window_end = cls.end  # exclusive; the hold's last second is sampled, so it is not in the future

    def report_args(self, operation, *extra):
        return ["pi", operation, "--service-type", "RDS", "--identifier", H.resource_id, *extra]

    def check_top_insight(self, report):
        self.assertEqual(report["Status"], "SUCCEEDED")
        self.assertTrue(report["Insights"], report)
        top = report["Insights"][0]
        self.assertEqual(top["InsightType"], "LockWaits", json.dumps(top, default=str)[:2000])
        self.assertEqual(top["Severity"], "HIGH")
        self.assertEqual(top["Context"], "CAUSAL")
        text = " ".join(top["Description"].lower().split())
        self.assertIn("waiting on lock:transactionid", text)
        self.assertIn("update lk set v = v +", text)
        self.assertIn("on 2 vcpus", text)
        # The samplers recorded the chain: the idle holder is named, with what to do about it.
        self.assertIn(f"blocked by pid {self.holder_pid} (idle in transaction", text)
        self.assertIn("application rc-holder", text)
        ids = [r["RecommendationId"] for r in top["Recommendations"]]
        self.assertEqual(ids[0], "lock-idle-blocker")
        self.assertIn(f"pg_terminate_backend({self.holder_pid})", top["Recommendations"][0]["RecommendationDescription"])
        return top

    def test_cli_create_then_get(self):
        created = H.aws_json(*self.report_args("create-performance-analysis-report",
                                               "--start-time", str(self.before), "--end-time",
                                               str(self.window_end)))
        report_id = created["AnalysisReportId"]
        self.assertRegex(report_id, r"^report-[0-9a-f]{17}$")
        got = H.aws_json(*self.report_args("get-performance-analysis-report", "--analysis-report-id", report_id,
                                           "--text-format", "MARKDOWN"))
        top = self.check_top_insight(got["AnalysisReport"])
        self.assertIn("`update lk set v = v +", top["Description"].lower())
        listed = H.aws_json(*self.report_args("list-performance-analysis-reports"))
        self.assertIn(report_id, [r["AnalysisReportId"] for r in listed["AnalysisReports"]])
        rc, _, _ = H.aws(*self.report_args("delete-performance-analysis-report", "--analysis-report-id",
                                           report_id))
        self.assertEqual(rc, 0)
        rc, _, err = H.aws(*self.report_args("get-performance-analysis-report", "--analysis-report-id", report_id))
        self.assertEqual(rc, expected_exit_code(), err)
        self.assertIn("InvalidArgumentException", err)
        self.assertIn("AnalysisReportId", err)

    def test_boto3_create_get_list_delete(self):
        pi = H.client("pi")
        report_id = pi.create_performance_analysis_report(
            ServiceType="RDS", Identifier=H.resource_id, StartTime=self.before, EndTime=self.window_end,
            Tags=[{"Key": "test", "Value": "lock"}])["AnalysisReportId"]
        report = pi.get_performance_analysis_report(ServiceType="RDS", Identifier=H.resource_id,
                                                    AnalysisReportId=report_id)["AnalysisReport"]
        self.assertEqual(report["Identifier"], H.resource_id)
        self.assertEqual(int(report["StartTime"].timestamp()), self.before)
        top = self.check_top_insight(report)
        self.assertNotIn("`", top["Description"])  # PLAIN_TEXT by default
        self.assertLessEqual(int(top["StartTime"].timestamp()), self.start + 1)
        metric = top["InsightData"][0]["PerformanceInsightsMetric"]
        self.assertEqual(metric["Metric"], "db.load.avg")
        self.assertGreaterEqual(metric["Value"], 2.5)
        listed = pi.list_performance_analysis_reports(ServiceType="RDS", Identifier=H.resource_id, ListTags=True,
                                                      MaxResults=25)["AnalysisReports"]
        mine = [r for r in listed if r["AnalysisReportId"] == report_id]
        self.assertEqual(mine[0]["Tags"], [{"Key": "test", "Value": "lock"}])
        self.assertEqual(mine[0]["Status"], "SUCCEEDED")
        pi.delete_performance_analysis_report(ServiceType="RDS", Identifier=H.resource_id,
                                              AnalysisReportId=report_id)
        with self.assertRaises(pi.exceptions.InvalidArgumentException):
            pi.get_performance_analysis_report(ServiceType="RDS", Identifier=H.resource_id,
                                               AnalysisReportId=report_id)

    def test_errors_name_the_parameter(self):
        pi = H.client("pi")
        now = int(time.time())
        cases = [
            (dict(StartTime=now - 60, EndTime=now - 120), "EndTime must be later than StartTime"),
            (dict(StartTime=now - 60, EndTime=now + 3600), "EndTime is in the future"),
            (dict(StartTime=now - 8 * 86400, EndTime=now - 60), "parameter StartTime"),
            (dict(StartTime=now - 60, EndTime=now - 30, Identifier="db-NOPE"), "parameter Identifier"),
        ]
        for args, message in cases:
            with self.subTest(message):
                call = {"ServiceType": "RDS", "Identifier": H.resource_id, **args}
                with self.assertRaises(pi.exceptions.InvalidArgumentException) as ctx:
                    pi.create_performance_analysis_report(**call)
                self.assertIn(message, ctx.exception.response["Error"]["Message"])
        with self.assertRaises(pi.exceptions.InvalidArgumentException) as ctx:
            pi.list_performance_analysis_reports(ServiceType="RDS", Identifier=H.resource_id, MaxResults=26)
        self.assertIn("MaxResults", ctx.exception.response["Error"]["Message"])


if __name__ == "__main__":
    unittest.main()
