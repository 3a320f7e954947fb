"""The scheduled reference analyzer through the real AWS clients: Lambda (`aws lambda invoke`
runs it now and returns the recipe handler's response), EventBridge (the schedule as a rule
whose targets are the functions), and what a run leaves behind (the report in the S3 bucket,
the two counts in CloudWatch). Then the recipe's own analyzer, an unmodified boto3 program
(reference_analyzer.py), run with only AWS_ENDPOINT_URL pointing at dbinsight, must find the
same high-load wait events and problematic queries as dbinsight's analyzer over the same hour.

  InvokeTest            invoke (CLI, boto3; RequestResponse, Event, DryRun), the report's format
                        and load, S3 and CloudWatch after the run, get/list functions, the rule and
                        its targets, errors (unknown function or rule, a function error)
  ReferenceProgramTest  reference_analyzer.py against dbinsight (boto3 >= 1.28 only: older ones
                        ignore AWS_ENDPOINT_URL, so under /usr/bin/python3 it is skipped)

Both analyzers are given the same end of window, the "time" of an EventBridge scheduled event
(the Invoke payload {"time": "<ISO-8601>"}; the program takes the same event), and PostgreSQL is
stopped once the load has been sampled, so nothing sampled later moves the last (aligned-up)
300-s period: every run sees the same data and the averages must agree exactly.

Run: DBINSIGHT_BIN=build/src/app/dbinsight python3 tests/api/analyzer_clients_test.py
"""

import json
import math
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

PROGRAM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference_analyzer.py")
FUNCTION = "dbinsight-analyzer-" + harness.INSTANCE_ID
RULE = "dbinsight-performance-analysis"
BUCKET = "dbinsight-reports-" + harness.INSTANCE_ID
ACCOUNT, REGION = "000000000000", "us-east-1"  # the notifications defaults the ARNs use
# A schedule that never fires again: every report in the bucket is one the test asked for.
SCHEDULE = "cron(0 0 1 1 ? 2000)"
SLEEPERS = 4  # sessions in pg_sleep: PgSleep and the statement average well above 1.0 and 0.5
HOLD = 15     # seconds of load before the end of the analyzed hour

H = None
END = None      # epoch seconds: the end of the analyzed hour for every run
END_ISO = None  # the same, as an EventBridge event's "time"


def setUpModule():
    global H, END, END_ISO
    H = harness.Harness(extra_config=f'analysis:\n  schedule: "{SCHEDULE}"\n').start()
    try:
        for _ in range(SLEEPERS):
            H.session("an-sleeper", "select pg_sleep(120);\n")
        state_sql = ("select count(*) from pg_stat_activity where application_name = 'an-sleeper' "
                     "and state = 'active' and wait_event = 'PgSleep'")
        harness.poll_until(lambda: H.psql(state_sql).strip() == str(SLEEPERS), 30, every=0.1,
                           what=f"{SLEEPERS} sessions in pg_sleep", detail=lambda: H.psql(state_sql).strip())
        END = math.ceil(time.time()) + HOLD
        END_ISO = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(END))
        pi = H.client("pi")

        def sampled_to_end():
            if time.time() < END:
                return False
            out = pi.get_resource_metrics(ServiceType="RDS", Identifier=H.resource_id, StartTime=END - 60,
                                          EndTime=END, PeriodInSeconds=1, MetricQueries=[{"Metric": "db.load.avg"}])
            points = out["MetricList"][0]["DataPoints"]
            return bool(points) and max(p["Timestamp"].timestamp() for p in points) >= END - 1

        harness.poll_until(sampled_to_end, HOLD + 30, every=0.5, what="the hold to be sampled")
        H.end_sessions("an-")
        # Freeze what is sampled: PI aligns the hour's end up to its 300-s period, so every
        # second sampled after END until that boundary would still change the last period's
        # average between two runs. With the server stopped nothing more is sampled.
        out = subprocess.run([harness.PG_SCRIPT, "stop-server", H.pg_dir], capture_output=True, text=True,
                             timeout=120)
        if out.returncode != 0:
            raise RuntimeError(f"pg-throwaway stop-server failed:\n{out.stderr}")
        harness.poll_until(lambda: not H.healthz()[1]["instances"][0]["sampling_live"], 30,
                           what="sampling to stop")
    except BaseException:
        H.stop()
        raise


def tearDownModule():
    if H is not None:
        H.stop()


def expected_exit_code():
    return 254 if H.cli_version >= 2 else 255


def cli_invoke(function, payload, *extra):
    """`aws lambda invoke` with a raw JSON payload; returns (exit code, stdout, stderr, file text)."""
    out_file = os.path.join(H.tmp, "invoke-out.json")
    if os.path.exists(out_file):
        os.remove(out_file)
    binary = ["--cli-binary-format", "raw-in-base64-out"] if H.cli_version >= 2 else []
    rc, out, err = H.aws("lambda", "invoke", "--function-name", function, "--payload", json.dumps(payload),
                         *binary, *extra, out_file)
    if not os.path.exists(out_file):
        return rc, out, err, None
    with open(out_file) as f:
        return rc, out, err, f.read()


def boto3_invoke(**kwargs):
    response = H.client("lambda").invoke(FunctionName=FUNCTION, Payload=json.dumps({"time": END_ISO}), **kwargs)
    return response, response["Payload"].read()


class InvokeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        rc, out, err, text = cli_invoke(FUNCTION, {"time": END_ISO})
        if rc != 0:
            raise AssertionError(f"aws lambda invoke failed with {rc}:\n{err}\n{H.log_tail()}")
        cls.cli_stdout = json.loads(out)
        cls.response = json.loads(text)
        cls.report_text = cls.response["body"]
        cls.report = json.loads(cls.report_text)

    def test_cli_invoke_returns_the_handlers_response(self):
        self.assertEqual(self.cli_stdout, {"StatusCode": 200, "ExecutedVersion": "$LATEST"})
        self.assertEqual(set(self.response), {"statusCode", "body"})
        self.assertEqual(self.response["statusCode"], 200)

    def test_report_has_the_recipes_format_and_the_load(self):
        r = self.report
        self.assertEqual(list(r), ["timestamp", "metrics_analyzed", "high_load_events", "problematic_queries",
                                   "recommendations"])
        self.assertEqual(r["timestamp"], END_ISO)
        self.assertGreaterEqual(r["metrics_analyzed"], 2)
        events = {e["wait_event"]: e["average_load"] for e in r["high_load_events"]}
        self.assertIn("Timeout:PgSleep", events, r)
        self.assertGreater(events["Timeout:PgSleep"], 1.0)
        self.assertLessEqual(events["Timeout:PgSleep"], SLEEPERS + 0.5)
        sleeps = [q for q in r["problematic_queries"] if "pg_sleep" in q["sql_statement"].lower()]
        self.assertEqual(len(sleeps), 1, r)
        self.assertGreater(sleeps[0]["average_load"], 0.5)
        for item in r["high_load_events"] + r["problematic_queries"]:
            self.assertGreater(item["average_load"], 0)
        self.assertGreaterEqual(len(r["recommendations"]), len(r["high_load_events"]) + len(r["problematic_queries"]))

    def test_run_stored_the_report_in_the_bucket(self):
        key = time.strftime("performance-reports/%Y/%m/%d/%H/analysis.json", time.gmtime(END))
        rc, out, err = H.aws("s3", "ls", f"s3://{BUCKET}/performance-reports/", "--recursive")
        self.assertEqual(rc, 0, err)
        self.assertIn(key, out)
        local = os.path.join(H.tmp, "report-copy.json")
        rc, out, err = H.aws("s3", "cp", f"s3://{BUCKET}/{key}", local)
        self.assertEqual(rc, 0, err)
        with open(local) as f:
            self.assertEqual(f.read(), self.report_text)

    def test_run_published_the_counts(self):
        metrics = H.aws_json("cloudwatch", "list-metrics", "--namespace", "RDS/PerformanceInsights")["Metrics"]
        found = {(m["MetricName"], json.dumps(m["Dimensions"])) for m in metrics}
        dims = json.dumps([{"Name": "DBInstanceIdentifier", "Value": harness.INSTANCE_ID}])
        self.assertIn(("HighLoadEvents", dims), found)
        self.assertIn(("ProblematicQueries", dims), found)
        stats = H.client("cloudwatch").get_metric_statistics(
            Namespace="RDS/PerformanceInsights", MetricName="HighLoadEvents",
            Dimensions=[{"Name": "DBInstanceIdentifier", "Value": harness.INSTANCE_ID}],
            StartTime=END - 60, EndTime=END + 60, Period=60, Statistics=["Maximum"])
        self.assertEqual(max(p["Maximum"] for p in stats["Datapoints"]), len(self.report["high_load_events"]))

    def test_boto3_invocation_types(self):
        response, payload = boto3_invoke()
        self.assertEqual(response["StatusCode"], 200)
        self.assertEqual(response["ExecutedVersion"], "$LATEST")
        self.assertNotIn("FunctionError", response)
        self.assertEqual(json.loads(payload), self.response)  # same hour, same report
        response, payload = boto3_invoke(InvocationType="DryRun")
        self.assertEqual((response["StatusCode"], payload), (204, b""))
        response, payload = boto3_invoke(InvocationType="Event")
        self.assertEqual((response["StatusCode"], payload), (202, b""))

    def test_function_error(self):
        rc, out, err, text = cli_invoke(FUNCTION, {"time": "yesterday"})
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["FunctionError"], "Unhandled")
        body = json.loads(text)
        self.assertEqual(body["errorType"], "InvalidArgument")
        self.assertIn("time", body["errorMessage"])

    def test_unknown_function(self):
        rc, out, err, _ = cli_invoke("nope", {})
        self.assertEqual(rc, expected_exit_code(), out)
        self.assertIn("An error occurred (ResourceNotFoundException) when calling the Invoke operation: "
                      f"Function not found: arn:aws:lambda:{REGION}:{ACCOUNT}:function:nope", err)
        aws_lambda = H.client("lambda")
        with self.assertRaises(aws_lambda.exceptions.ResourceNotFoundException) as cm:
            aws_lambda.invoke(FunctionName="nope", Payload=b"{}")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)

    def test_get_and_list_functions(self):
        arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FUNCTION}"
        config = H.aws_json("lambda", "get-function", "--function-name", FUNCTION)["Configuration"]
        self.assertEqual((config["FunctionName"], config["FunctionArn"]), (FUNCTION, arn))
        self.assertEqual(config["Environment"]["Variables"]["S3_BUCKET"], BUCKET)
        functions = H.client("lambda").list_functions()["Functions"]
        self.assertEqual([f["FunctionName"] for f in functions], [FUNCTION])

    def test_rule_and_targets(self):
        rule_arn = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{RULE}"
        rule = H.aws_json("events", "describe-rule", "--name", RULE)
        self.assertEqual((rule["Name"], rule["Arn"], rule["ScheduleExpression"], rule["State"],
                          rule["EventBusName"]), (RULE, rule_arn, SCHEDULE, "ENABLED", "default"))
        targets = H.aws_json("events", "list-targets-by-rule", "--rule", RULE)["Targets"]
        self.assertEqual(targets, [{"Id": FUNCTION, "Arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FUNCTION}"}])
        events = H.client("events")
        self.assertEqual([r["Name"] for r in events.list_rules(NamePrefix="dbinsight")["Rules"]], [RULE])
        self.assertEqual(events.list_rules(NamePrefix="other")["Rules"], [])
        self.assertEqual(events.describe_rule(Name=RULE)["ScheduleExpression"], SCHEDULE)
        self.assertEqual(events.list_targets_by_rule(Rule=RULE)["Targets"], targets)

    def test_unknown_rule(self):
        rc, out, err = H.aws("events", "describe-rule", "--name", "nope")
        self.assertEqual(rc, expected_exit_code(), out)
        self.assertIn("An error occurred (ResourceNotFoundException) when calling the DescribeRule operation: "
                      "Rule nope does not exist on EventBus default.", err)
        events = H.client("events")
        with self.assertRaises(events.exceptions.ResourceNotFoundException):
            events.list_targets_by_rule(Rule="nope")


class ReferenceProgramTest(unittest.TestCase):
    def test_unmodified_boto3_program_finds_what_dbinsight_finds(self):
        import botocore
        version = tuple(int(x) for x in botocore.__version__.split(".")[:2])
        if version < (1, 31):
            self.skipTest(f"botocore {botocore.__version__} ignores AWS_ENDPOINT_URL (honoured from boto3 1.28 / "
                          "botocore 1.31): the unmodified program cannot be pointed at dbinsight here; "
                          "the pyenv python3 run (boto3 1.43) covers it")
        _, payload = boto3_invoke()
        ours = json.loads(json.loads(payload)["body"])

        env = {"PATH": os.environ["PATH"], "HOME": H.tmp, "AWS_ENDPOINT_URL": H.endpoint,
               "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y", "AWS_DEFAULT_REGION": REGION,
               "AWS_CONFIG_FILE": os.path.join(H.tmp, "absent"),
               "AWS_SHARED_CREDENTIALS_FILE": os.path.join(H.tmp, "absent"),
               "DB_RESOURCE_ID": H.resource_id, "S3_BUCKET": BUCKET, "DB_INSTANCE_IDENTIFIER": harness.INSTANCE_ID}
        out = subprocess.run([sys.executable, PROGRAM, json.dumps({"time": END_ISO})], env=env, capture_output=True,
                             text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        result = json.loads(out.stdout)
        self.assertEqual(result["statusCode"], 200)
        theirs = json.loads(result["body"])

        self.assertEqual(theirs["timestamp"], ours["timestamp"])
        self.assertEqual(theirs["metrics_analyzed"], ours["metrics_analyzed"])
        for field, name in (("high_load_events", "wait_event"), ("problematic_queries", "sql_statement")):
            self.assertEqual([e[name] for e in theirs[field]], [e[name] for e in ours[field]], field)
            for a, b in zip(theirs[field], ours[field]):
                self.assertAlmostEqual(a["average_load"], b["average_load"], places=9, msg=a[name])
        self.assertTrue(ours["high_load_events"] and ours["problematic_queries"], ours)

        # Its put_object landed as a newer version of the same hour's report.
        key = time.strftime("performance-reports/%Y/%m/%d/%H/analysis.json", time.gmtime(END))
        s3 = H.client("s3")
        versions = s3.list_object_versions(Bucket=BUCKET, Prefix=key)["Versions"]
        self.assertGreaterEqual(len(versions), 2)
        latest = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        self.assertEqual(json.loads(latest), theirs)


if __name__ == "__main__":
    unittest.main()
