"""CloudWatch dashboards through the real aws CLI and boto3 of whichever interpreter runs this
file (pyenv python3: JSON 1.0; /usr/bin/python3: the query protocol, see cloudwatch_clients_test.py).

  CliTest      put-dashboard with the RDS monitoring recipe's four-widget body, get-dashboard
               returns it byte for byte, list-dashboards (prefix), delete-dashboards; an invalid
               body, a missing --dashboard-name and an unknown dashboard fail with AWS's codes;
               dashboards survive a restart of dbinsight serve
  Boto3Test    the same operations through boto3, with validation warnings and paging tokens

Run: DBINSIGHT_BIN=build/src/app/dbinsight python3 tests/api/dashboards_clients_test.py -v
"""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

H = None  # one PostgreSQL + dbinsight for every class
ARN_PREFIX = "arn:aws:cloudwatch::000000000000:dashboard/"


def setUpModule():
    global H
    H = harness.Harness().start()


def tearDownModule():
    if H is not None:
        H.stop()


def expected_exit_code():
    return 254 if H.cli_version >= 2 else 255


def recipe_body(instance_id, region="us-east-1"):
    """The recipe's RDS-Performance-<id> dashboard, as a user would write it."""
    def metrics(namespace, names):
        rows = [[namespace, names[0], "DBInstanceIdentifier", instance_id]]
        rows += [[".", name, ".", "."] for name in names[1:]]
        return rows

    def metric_widget(x, y, title, namespace, names):
        return {"type": "metric", "x": x, "y": y, "width": 12, "height": 6,
                "properties": {"title": title, "view": "timeSeries", "stacked": False, "region": region,
                               "stat": "Average", "period": 300, "metrics": metrics(namespace, names)}}

    return json.dumps({"widgets": [
        metric_widget(0, 0, "Connections, CPU and latency", "AWS/RDS",
                      ["DatabaseConnections", "CPUUtilization", "ReadLatency", "WriteLatency"]),
        metric_widget(12, 0, "High-load events and problematic queries", "RDS/PerformanceInsights",
                      ["HighLoadEvents", "ProblematicQueries"]),
        metric_widget(0, 6, "I/O", "AWS/RDS", ["ReadIOPS", "WriteIOPS", "ReadThroughput", "WriteThroughput"]),
        {"type": "log", "x": 12, "y": 6, "width": 12, "height": 6,
         "properties": {"title": "Recent slow-query log entries", "region": region, "view": "table",
                        "query": f"SOURCE '/aws/rds/instance/{instance_id}/slowquery' | fields @timestamp, @message"
                                 " | sort @timestamp desc | limit 50"}},
    ]}, separators=(",", ":"))


def restart_dbinsight():
    """Stops dbinsight and starts it again on the same port and store."""
    harness.terminate(H.proc)
    binary = os.environ.get("DBINSIGHT_BIN") or os.path.join(harness.REPO, "build", "src", "app", "dbinsight")
    if not H._start_dbinsight(binary):
        raise AssertionError("dbinsight could not bind its port again:\n" + H.log_tail())


class CliTest(unittest.TestCase):
    def test_lifecycle_errors_and_restart(self):
        name = "cli-RDS-Performance-db1"
        body = recipe_body("db1")
        put = H.aws_json("cloudwatch", "put-dashboard", "--dashboard-name", name, "--dashboard-body", body)
        self.assertEqual(put, {"DashboardValidationMessages": []})
        H.aws_json("cloudwatch", "put-dashboard", "--dashboard-name", "cli-other",
                   "--dashboard-body", '{"widgets":[]}')

        got = H.aws_json("cloudwatch", "get-dashboard", "--dashboard-name", name)
        self.assertEqual(got, {"DashboardArn": ARN_PREFIX + name, "DashboardBody": body, "DashboardName": name})

        listed = H.aws_json("cloudwatch", "list-dashboards", "--dashboard-name-prefix", "cli-RDS")
        self.assertEqual([(e["DashboardName"], e["DashboardArn"], e["Size"]) for e in listed["DashboardEntries"]],
                         [(name, ARN_PREFIX + name, len(body))])
        self.assertIn("LastModified", listed["DashboardEntries"][0])

        # Invalid body: the error names the widget's property.
        bad = json.dumps({"widgets": [{"type": "text", "properties": {}}]})
        rc, out, err = H.aws("cloudwatch", "put-dashboard", "--dashboard-name", "cli-bad", "--dashboard-body", bad)
        self.assertEqual(rc, expected_exit_code(), f"stdout={out!r} stderr={err!r}")
        self.assertIn("(InvalidParameterInput)", err)
        self.assertIn("/widgets/0/properties", err)
        rc, out, err = H.aws("cloudwatch", "put-dashboard", "--dashboard-name", "cli-bad", "--dashboard-body", "{")
        self.assertEqual(rc, expected_exit_code(), err)
        self.assertIn("The field DashboardBody must be a valid JSON object", err)
        # A missing name: the CLI refuses before sending anything.
        rc, out, err = H.aws("cloudwatch", "put-dashboard", "--dashboard-body", body)
        self.assertNotEqual(rc, 0)
        self.assertIn("--dashboard-name", err)
        # Unknown dashboards.
        rc, out, err = H.aws("cloudwatch", "get-dashboard", "--dashboard-name", "cli-nope")
        self.assertEqual(rc, expected_exit_code(), err)
        self.assertIn("(ResourceNotFound)", err)
        rc, out, err = H.aws("cloudwatch", "delete-dashboards", "--dashboard-names", "cli-other", "cli-nope")
        self.assertEqual(rc, expected_exit_code(), err)
        self.assertIn("(ResourceNotFound)", err)
        self.assertIn("cli-nope", err)
        # All or nothing: cli-other is still there.
        H.aws_json("cloudwatch", "get-dashboard", "--dashboard-name", "cli-other")

        restart_dbinsight()
        got = H.aws_json("cloudwatch", "get-dashboard", "--dashboard-name", name)
        self.assertEqual(got["DashboardBody"], body)

        rc, out, err = H.aws("cloudwatch", "delete-dashboards", "--dashboard-names", name, "cli-other")
        self.assertEqual(rc, 0, err)
        listed = H.aws_json("cloudwatch", "list-dashboards", "--dashboard-name-prefix", "cli-")
        self.assertEqual(listed["DashboardEntries"], [])


class Boto3Test(unittest.TestCase):
    def test_operations_warnings_and_errors(self):
        from botocore.exceptions import ClientError
        cw = H.client("cloudwatch")
        body = recipe_body("db2", "eu-west-1")
        self.assertEqual(cw.put_dashboard(DashboardName="b3-perf", DashboardBody=body)["DashboardValidationMessages"],
                         [])
        warned = cw.put_dashboard(DashboardName="b3-explorer",
                                  DashboardBody='{"widgets":[{"type":"explorer","properties":{}}]}')
        self.assertEqual([m["DataPath"] for m in warned["DashboardValidationMessages"]], ["/widgets/0/type"])

        got = cw.get_dashboard(DashboardName="b3-perf")
        self.assertEqual(got["DashboardBody"], body)
        self.assertEqual(got["DashboardArn"], ARN_PREFIX + "b3-perf")

        entries = cw.list_dashboards(DashboardNamePrefix="b3-")["DashboardEntries"]
        self.assertEqual([e["DashboardName"] for e in entries], ["b3-explorer", "b3-perf"])
        self.assertEqual(entries[1]["Size"], len(body))
        self.assertGreaterEqual(entries[1]["LastModified"].year, 2024)
        pages = list(cw.get_paginator("list_dashboards").paginate(DashboardNamePrefix="b3-"))
        self.assertEqual(sum(len(p["DashboardEntries"]) for p in pages), 2)

        with self.assertRaises(ClientError) as e:
            cw.put_dashboard(DashboardName="b3-bad", DashboardBody='{"widgets":[{"type":"metric","properties":'
                                                                   '{"region":"us-east-1","metrics":[[".","X"]]}}]}')
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidParameterInput")
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertIn("/widgets/0/properties/metrics/0/0", e.exception.response["Error"]["Message"])
        with self.assertRaises(ClientError) as e:
            cw.put_dashboard(DashboardName="b3 bad", DashboardBody="{}")
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidParameterInput")
        with self.assertRaises(ClientError) as e:
            cw.get_dashboard(DashboardName="b3-nope")
        self.assertEqual(e.exception.response["Error"]["Code"], "ResourceNotFound")
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)

        cw.delete_dashboards(DashboardNames=["b3-perf", "b3-explorer"])
        self.assertEqual(cw.list_dashboards(DashboardNamePrefix="b3-")["DashboardEntries"], [])


if __name__ == "__main__":
    unittest.main()
