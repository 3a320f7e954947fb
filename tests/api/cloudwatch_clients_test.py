"""The CloudWatch metric API through the real aws CLI and boto3 of whichever interpreter runs
this file. The two generations speak different protocols to the same server:
pyenv python3 (boto3 1.43, aws-cli 1.x) sends AWS JSON 1.0, /usr/bin/python3 (boto3 1.26,
aws-cli 2.x) the form-encoded query protocol with XML replies.

  PutReadTest   put-metric-data (single values, values with counts, statistic sets,
                dimensions, storage resolution 1) read back exactly through
                get-metric-statistics, get-metric-data and list-metrics (CLI and boto3),
                plus a PutMetricData large enough for botocore 1.43 to gzip it
  RdsTest       AWS/RDS DatabaseConnections of the sampled PostgreSQL equals the server's
                own connection count, and ListMetrics lists the instance's metrics
  ErrorsTest    invalid input gives the AWS error code naming the parameter, in each
                protocol's spelling (query: MetricData.member.1.Unit, JSON: MetricData[0].Unit)
  AlarmsTest    put-metric-alarm on AWS/RDS CPUUtilization and on a custom metric whose values
                cross a low threshold: the server's evaluation moves it OK -> ALARM -> OK;
                describe-alarms, set-alarm-state, describe-alarm-history, delete-alarms, and
                invalid definitions refused naming the parameter
  AnomalyDetectorsTest  put-/describe-/delete-anomaly-detector (the CLI's top-level members,
                boto3's SingleMetricAnomalyDetector)
  AnomalyBandTest  three hours of minute history with a spike: get-metric-data with
                ANOMALY_DETECTION_BAND (CLI and boto3) answers the band as two results that hold
                the normal minutes and not the spike; the metric's detector describes as TRAINED;
                a band alarm from put-metric-alarm --metrics ... --threshold-metric-id ad1 is
                described with its Metrics and evaluated by the server; invalid band alarms are
                refused with AWS's messages

Run: DBINSIGHT_BIN=build/src/app/dbinsight python3 tests/api/cloudwatch_clients_test.py -v
"""

import datetime
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

H = None  # one PostgreSQL + dbinsight for every class


def setUpModule():
    global H
    H = harness.Harness().start()


def tearDownModule():
    if H is not None:
        H.stop()


def query_protocol():
    """True when this generation speaks the query protocol (aws-cli 2.9 / boto3 1.26)."""
    return H.cli_version >= 2


def expected_exit_code():
    return 254 if H.cli_version >= 2 else 255


def param(json_path):
    """A parameter path as the server names it to this generation: MetricData[0].Unit in
    JSON, MetricData.member.1.Unit in the query protocol."""
    if not query_protocol():
        return json_path
    out, i = "", 0
    while i < len(json_path):
        if json_path[i] == "[":
            end = json_path.index("]", i)
            out += ".member." + str(int(json_path[i + 1:end]) + 1)
            i = end + 1
        else:
            out += json_path[i]
            i += 1
    return out


def epoch(value):
    """A response timestamp as epoch seconds: CLI v1 prints the JSON number, CLI v2 an
    ISO string, boto3 gives a datetime."""
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return int(value.timestamp())


def minute_base(minutes_ago):
    """The start of a whole minute some minutes back: every test writes its own minutes."""
    now = int(time.time())
    return now - now % 60 - 60 * minutes_ago


# The data each PutReadTest writes into its own minute (relative seconds, high resolution):
# ten single values in separate seconds, a statistic set, and values with counts.
def data_points(base, dims):
    points = [{"MetricName": "Latency", "Dimensions": dims, "Timestamp": base + i, "Value": float(i),
               "Unit": "Milliseconds", "StorageResolution": 1} for i in range(1, 11)]
    points.append({"MetricName": "Latency", "Dimensions": dims, "Timestamp": base + 20, "Unit": "Milliseconds",
                   "StorageResolution": 1,
                   "StatisticValues": {"SampleCount": 4, "Sum": 400, "Minimum": 50, "Maximum": 150}})
    points.append({"MetricName": "Latency", "Dimensions": dims, "Timestamp": base + 30, "Unit": "Milliseconds",
                   "StorageResolution": 1, "Values": [200, 300], "Counts": [2, 1]})
    return points


# What the minute holds: 1..10, the set (4 values summing to 400, 50..150), 200, 200, 300.
EXPECTED = {"SampleCount": 17.0, "Sum": 55.0 + 400 + 700, "Minimum": 1.0, "Maximum": 300.0}
EXPECTED["Average"] = EXPECTED["Sum"] / EXPECTED["SampleCount"]
# Nearest rank over 17 values; the 10 single values are exact: p50 is the 9th value (9),
# p10 the 2nd (2).
EXPECTED_PERCENTILES = {"p50": 9.0, "p10": 2.0}


class PutReadTest(unittest.TestCase):
    DIMS = [{"Name": "Shop", "Value": "eu"}, {"Name": "Host", "Value": "web-1"}]

    def namespace(self, how):
        return f"DbInsight/Test-{how}-{os.getpid()}"

    def check_statistics(self, points):
        self.assertEqual(len(points), 1, points)
        p = points[0]
        for stat, value in EXPECTED.items():
            self.assertAlmostEqual(p[stat], value, places=9, msg=stat)
        self.assertEqual(p["ExtendedStatistics"], EXPECTED_PERCENTILES)
        self.assertEqual(p["Unit"], "Milliseconds")

    def test_cli_put_then_read(self):
        ns, base = self.namespace("cli"), minute_base(3)
        data = data_points(base, self.DIMS)
        for d in data:  # the CLI takes ISO or epoch timestamps; send ISO
            d["Timestamp"] = datetime.datetime.fromtimestamp(d["Timestamp"], datetime.timezone.utc).isoformat()
        rc, out, err = H.aws("cloudwatch", "put-metric-data", "--namespace", ns, "--metric-data", json.dumps(data))
        self.assertEqual((rc, out), (0, ""), err)
        # The short form of a single value.
        rc, _, err = H.aws("cloudwatch", "put-metric-data", "--namespace", ns, "--metric-name", "Errors",
                           "--value", "3", "--unit", "Count", "--dimensions", "Shop=eu",
                           "--timestamp", str(base + 5), "--storage-resolution", "1")
        self.assertEqual(rc, 0, err)

        stats = H.aws_json("cloudwatch", "get-metric-statistics", "--namespace", ns, "--metric-name", "Latency",
                           "--dimensions", "Name=Shop,Value=eu", "Name=Host,Value=web-1",
                           "--start-time", str(base), "--end-time", str(base + 60), "--period", "60",
                           "--statistics", "SampleCount", "Sum", "Average", "Minimum", "Maximum",
                           "--extended-statistics", "p50", "p10")
        self.assertEqual(stats["Label"], "Latency")
        self.check_statistics(stats["Datapoints"])
        self.assertEqual(epoch(stats["Datapoints"][0]["Timestamp"]), base)

        queries = [{"Id": "m1", "MetricStat": {"Metric": {"Namespace": ns, "MetricName": "Latency",
                                                          "Dimensions": self.DIMS},
                                               "Period": 1, "Stat": "Sum"}},
                   {"Id": "e1", "Expression": "m1 * 2", "Label": "double"}]
        got = H.aws_json("cloudwatch", "get-metric-data", "--metric-data-queries", json.dumps(queries),
                         "--start-time", str(base), "--end-time", str(base + 60), "--scan-by", "TimestampAscending")
        results = {r["Id"]: r for r in got["MetricDataResults"]}
        want = [(base + i, float(i)) for i in range(1, 11)] + [(base + 20, 400.0), (base + 30, 700.0)]
        self.assertEqual([(epoch(t), v) for t, v in zip(results["m1"]["Timestamps"], results["m1"]["Values"])], want)
        self.assertEqual(results["m1"]["Label"], "Latency")
        self.assertEqual(results["e1"]["Label"], "double")
        self.assertEqual(results["e1"]["Values"], [v * 2 for _, v in want])
        self.assertEqual({r["StatusCode"] for r in results.values()}, {"Complete"})

        listed = H.aws_json("cloudwatch", "list-metrics", "--namespace", ns)["Metrics"]
        self.assertEqual(sorted((m["MetricName"], json.dumps(m["Dimensions"], sort_keys=True)) for m in listed), [
            ("Errors", json.dumps([{"Name": "Shop", "Value": "eu"}], sort_keys=True)),
            ("Latency", json.dumps(sorted(self.DIMS, key=lambda d: d["Name"]), sort_keys=True)),
        ])
        filtered = H.aws_json("cloudwatch", "list-metrics", "--namespace", ns, "--dimensions", "Name=Host")["Metrics"]
        self.assertEqual([m["MetricName"] for m in filtered], ["Latency"])

    def test_boto3_put_then_read(self):
        cw = H.client("cloudwatch")
        ns, base = self.namespace("boto3"), minute_base(5)
        data = data_points(base, self.DIMS)
        cw.put_metric_data(Namespace=ns, MetricData=data)
        stats = cw.get_metric_statistics(Namespace=ns, MetricName="Latency", Dimensions=self.DIMS,
                                         StartTime=base, EndTime=base + 60, Period=60,
                                         Statistics=["SampleCount", "Sum", "Average", "Minimum", "Maximum"],
                                         ExtendedStatistics=["p50", "p10"], Unit="Milliseconds")
        self.check_statistics(stats["Datapoints"])
        self.assertEqual(epoch(stats["Datapoints"][0]["Timestamp"]), base)
        # Another unit: kept apart.
        none = cw.get_metric_statistics(Namespace=ns, MetricName="Latency", Dimensions=self.DIMS,
                                        StartTime=base, EndTime=base + 60, Period=60, Statistics=["Sum"],
                                        Unit="Seconds")
        self.assertEqual(none["Datapoints"], [])
        got = cw.get_metric_data(
            MetricDataQueries=[{"Id": "p", "MetricStat": {"Metric": {"Namespace": ns, "MetricName": "Latency",
                                                                      "Dimensions": self.DIMS},
                                                           "Period": 60, "Stat": "p50"}},
                               {"Id": "n", "MetricStat": {"Metric": {"Namespace": ns, "MetricName": "Latency",
                                                                      "Dimensions": self.DIMS},
                                                           "Period": 60, "Stat": "SampleCount"}, "ReturnData": False},
                               {"Id": "mean", "Expression": "SUM(METRICS()) / n"}],
            StartTime=base, EndTime=base + 60)
        results = {r["Id"]: r for r in got["MetricDataResults"]}
        self.assertEqual(set(results), {"p", "mean"})
        self.assertEqual(results["p"]["Values"], [9.0])
        self.assertEqual(epoch(results["p"]["Timestamps"][0]), base)
        self.assertAlmostEqual(results["mean"]["Values"][0], (9.0 + 17.0) / 17.0)
        listed = cw.list_metrics(Namespace=ns, MetricName="Latency")["Metrics"]
        self.assertEqual(listed, [{"Namespace": ns, "MetricName": "Latency",
                                   "Dimensions": sorted(self.DIMS, key=lambda d: d["Name"])}])

    def test_boto3_large_put_is_accepted(self):
        # Over botocore 1.43's 10 KiB threshold: it arrives gzip-compressed (JSON 1.0).
        cw = H.client("cloudwatch")
        ns, base = self.namespace("large"), minute_base(7)
        data = [{"MetricName": "Rows", "Dimensions": [{"Name": "Table", "Value": "t" * 200}],
                 "Timestamp": base + i % 60, "Value": 1.0, "StorageResolution": 1} for i in range(600)]
        self.assertGreater(len(json.dumps({"Namespace": ns, "MetricData": data})), 10 * 1024)
        cw.put_metric_data(Namespace=ns, MetricData=data)
        stats = cw.get_metric_statistics(Namespace=ns, MetricName="Rows", Dimensions=data[0]["Dimensions"],
                                         StartTime=base, EndTime=base + 60, Period=60, Statistics=["SampleCount"])
        self.assertEqual([p["SampleCount"] for p in stats["Datapoints"]], [600.0])


class RdsTest(unittest.TestCase):
    SESSIONS = 4

    def server_connections(self):
        # numbackends counts this psql too; the collector's reads do not see it.
        return int(H.psql("select sum(numbackends) from pg_stat_database").strip()) - 1

    def latest_cli(self):
        end = int(time.time()) + 1
        out = H.aws_json("cloudwatch", "get-metric-statistics", "--namespace", "AWS/RDS",
                         "--metric-name", "DatabaseConnections",
                         "--dimensions", f"Name=DBInstanceIdentifier,Value={harness.INSTANCE_ID}",
                         "--start-time", str(end - 30), "--end-time", str(end), "--period", "1",
                         "--statistics", "Maximum")
        points = sorted(out["Datapoints"], key=lambda p: epoch(p["Timestamp"]))
        return (points[-1]["Maximum"], points[-1]["Unit"]) if points else (None, None)

    def test_database_connections_match_the_server(self):
        for i in range(self.SESSIONS):
            H.session(f"cw-conn-{i}")
        harness.poll_until(lambda: int(H.psql("select count(*) from pg_stat_activity where application_name "
                                              "like 'cw-conn-%'").strip()) == self.SESSIONS, 30,
                           what="the extra sessions to connect")
        state = {}

        def matches():
            want = self.server_connections()
            got, unit = self.latest_cli()
            state.update(want=want, got=got, unit=unit)
            return got == want
        harness.poll_until(matches, 30, every=0.5, what="CloudWatch DatabaseConnections to equal the server's count",
                           detail=lambda: state)
        self.assertEqual(state["unit"], "Count")
        self.assertGreaterEqual(state["got"], self.SESSIONS + 1)  # the sessions and the collector itself
        # boto3 reads the same series.
        cw = H.client("cloudwatch")
        end = int(time.time()) + 1
        got = cw.get_metric_data(MetricDataQueries=[{"Id": "c", "MetricStat": {
            "Metric": {"Namespace": "AWS/RDS", "MetricName": "DatabaseConnections",
                       "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": harness.INSTANCE_ID}]},
            "Period": 60, "Stat": "Maximum"}}], StartTime=end - 120, EndTime=end)
        self.assertGreaterEqual(max(got["MetricDataResults"][0]["Values"]), self.SESSIONS + 1)
        H.end_sessions("cw-conn-")

    def test_list_metrics_lists_the_instance_metrics(self):
        def listed():
            out = H.aws_json("cloudwatch", "list-metrics", "--namespace", "AWS/RDS")["Metrics"]
            return out if any(m["MetricName"] == "DatabaseConnections" for m in out) else None
        metrics = harness.poll_until(listed, 30, what="AWS/RDS metrics listed")
        names = {m["MetricName"] for m in metrics}
        self.assertFalse(any(n.startswith(("db.", "os.")) for n in names), names)
        for m in metrics:
            self.assertEqual(m["Namespace"], "AWS/RDS")
            self.assertEqual(m["Dimensions"], [{"Name": "DBInstanceIdentifier", "Value": harness.INSTANCE_ID}])
        recent = H.client("cloudwatch").list_metrics(Namespace="AWS/RDS", MetricName="DatabaseConnections",
                                                     RecentlyActive="PT3H")["Metrics"]
        self.assertEqual(len(recent), 1)


class ErrorsTest(unittest.TestCase):
    def cases(self):
        now = int(time.time())
        stats = ["cloudwatch", "get-metric-statistics", "--namespace", "App", "--metric-name", "Hits",
                 "--start-time", str(now - 600), "--end-time", str(now)]
        bad_expression = json.dumps([
            {"Id": "m1", "MetricStat": {"Metric": {"Namespace": "App", "MetricName": "Hits"}, "Period": 60,
                                        "Stat": "Sum"}},
            {"Id": "e1", "Expression": "m1 *"}])
        return [
            ("unit", ["cloudwatch", "put-metric-data", "--namespace", "App", "--metric-name", "Hits", "--value", "1",
                      "--unit", "Bogus"], "PutMetricData", "InvalidParameterValue",
             f"Invalid value for parameter {param('MetricData[0].Unit')}, value: Bogus, valid values: Seconds"),
            ("reserved namespace", ["cloudwatch", "put-metric-data", "--namespace", "AWS/RDS", "--metric-name", "Hits",
                                    "--value", "1"], "PutMetricData", "InvalidParameterValue",
             "Invalid value for parameter Namespace, value: AWS/RDS, namespaces starting with AWS/ are reserved"),
            ("resolution", ["cloudwatch", "put-metric-data", "--namespace", "App", "--metric-name", "Hits",
                            "--value", "1", "--storage-resolution", "5"], "PutMetricData", "InvalidParameterValue",
             f"Invalid value for parameter {param('MetricData[0].StorageResolution')}, value: 5, valid values: 1, 60"),
            ("too old", ["cloudwatch", "put-metric-data", "--namespace", "App", "--metric-name", "Hits",
                         "--value", "1", "--timestamp", str(now - 15 * 86400)], "PutMetricData",
             "InvalidParameterValue", f"Invalid value for parameter {param('MetricData[0].Timestamp')}"),
            ("no statistics", [*stats, "--period", "60"], "GetMetricStatistics", "InvalidParameterCombination",
             "Invalid parameter combination: at least one of the parameters Statistics and ExtendedStatistics must "
             "be specified"),
            ("period", [*stats, "--period", "7", "--statistics", "Sum"], "GetMetricStatistics",
             "InvalidParameterValue",
             "Invalid value for parameter Period, value: 7, valid values: 1, 5, 10, 30 or a multiple of 60"),
            ("percentile", [*stats, "--period", "60", "--extended-statistics", "p999"], "GetMetricStatistics",
             "InvalidParameterValue", f"Invalid value for parameter {param('ExtendedStatistics[0]')}, value: p999"),
            ("expression", ["cloudwatch", "get-metric-data", "--metric-data-queries", bad_expression,
                            "--start-time", str(now - 600), "--end-time", str(now)], "GetMetricData",
             "InvalidParameterValue",
             f"Invalid value for parameter {param('MetricDataQueries[1].Expression')}, value: m1 *, syntax error"),
            ("recently active", ["cloudwatch", "list-metrics", "--recently-active", "PT1H"], "ListMetrics",
             "InvalidParameterValue", "Invalid value for parameter RecentlyActive, value: PT1H, valid values: PT3H"),
        ]

    def test_cli_reports_the_code_and_parameter(self):
        for name, args, operation, code, message in self.cases():
            with self.subTest(name):
                rc, out, err = H.aws(*args)
                self.assertEqual(rc, expected_exit_code(), f"stdout={out!r} stderr={err!r}")
                self.assertIn(f"An error occurred ({code}) when calling the {operation} operation: {message}", err)

    def test_boto3_sees_the_same_codes(self):
        from botocore.exceptions import ClientError
        cw = H.client("cloudwatch")
        now = int(time.time())
        calls = [
            (lambda: cw.put_metric_data(Namespace="App", MetricData=[
                {"MetricName": "Hits", "Values": [1, 2], "Counts": [1, 0.5]}]),
             "InvalidParameterValue", f"{param('MetricData[0].Counts[1]')}, value: 0.5, must be a whole number"),
            (lambda: cw.put_metric_data(Namespace="App", MetricData=[
                {"MetricName": "Hits", "Value": 1, "Values": [1]}]),
             "InvalidParameterCombination", "are mutually exclusive"),
            (lambda: cw.get_metric_statistics(Namespace="App", MetricName="Hits", StartTime=now - 86400 * 3,
                                              EndTime=now, Period=60, Statistics=["Sum"]),
             "InvalidParameterCombination", "more than the limit of 1440 datapoints"),
            (lambda: cw.get_metric_data(MetricDataQueries=[
                {"Id": "m1", "MetricStat": {"Metric": {"Namespace": "App", "MetricName": "Hits"}, "Period": 60,
                                            "Stat": "Sum"}},
                {"Id": "e1", "Expression": "ANOMALY_DETECTION_BAND(m1, 0)"}], StartTime=now - 600, EndTime=now),
             "InvalidParameterValue",
             f"{param('MetricDataQueries[1].Expression')}, value: (expression), at character 28: "
             "the second argument of ANOMALY_DETECTION_BAND must be a positive number (standard deviations)"),
        ]
        for call, code, message in calls:
            with self.subTest(message):
                with self.assertRaises(ClientError) as cm:
                    call()
                error = cm.exception.response["Error"]
                self.assertEqual(error["Code"], code, error)
                self.assertIn(message, error["Message"])
                self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)


class AlarmsTest(unittest.TestCase):
    def alarm(self, name):
        out = H.aws_json("cloudwatch", "describe-alarms", "--alarm-names", name)["MetricAlarms"]
        return out[0] if out else None

    def history(self, name):
        return H.aws_json("cloudwatch", "describe-alarm-history", "--alarm-name", name,
                          "--history-item-type", "StateUpdate")["AlarmHistoryItems"]

    def test_cli_rds_alarm_describe_set_state_history_delete(self):
        name = f"RDS-HighCPUUtilization-{harness.INSTANCE_ID}"
        rc, out, err = H.aws("cloudwatch", "put-metric-alarm", "--alarm-name", name,
                             "--alarm-description", "CPU above 75% for 10 minutes",
                             "--namespace", "AWS/RDS", "--metric-name", "CPUUtilization",
                             "--dimensions", f"Name=DBInstanceIdentifier,Value={harness.INSTANCE_ID}",
                             "--statistic", "Average", "--period", "300", "--evaluation-periods", "2",
                             "--threshold", "75", "--comparison-operator", "GreaterThanThreshold",
                             "--alarm-actions", "arn:aws:sns:us-east-1:000000000000:ops")
        self.assertEqual((rc, out), (0, ""), err)
        a = self.alarm(name)
        self.assertEqual(a["AlarmArn"], f"arn:aws:cloudwatch:us-east-1:000000000000:alarm:{name}")
        self.assertEqual((a["Namespace"], a["MetricName"], a["Statistic"]), ("AWS/RDS", "CPUUtilization", "Average"))
        self.assertEqual((a["Period"], a["EvaluationPeriods"], a["Threshold"]), (300, 2, 75.0))
        self.assertEqual(a["ComparisonOperator"], "GreaterThanThreshold")
        self.assertEqual(a["AlarmActions"], ["arn:aws:sns:us-east-1:000000000000:ops"])
        self.assertEqual(a["OKActions"], [])
        self.assertIn(a["StateValue"], ("INSUFFICIENT_DATA", "OK"))
        self.assertLessEqual(abs(epoch(a["StateUpdatedTimestamp"]) - time.time()), 60)

        rc, _, err = H.aws("cloudwatch", "set-alarm-state", "--alarm-name", name, "--state-value", "ALARM",
                           "--state-reason", "testing", "--state-reason-data", '{"source":"test"}')
        self.assertEqual(rc, 0, err)
        items = self.history(name)
        to_alarm = [i for i in items if i["HistorySummary"].endswith("to ALARM")]
        self.assertEqual(len(to_alarm), 1, items)
        data = json.loads(to_alarm[0]["HistoryData"])
        self.assertEqual(data["newState"], {"stateValue": "ALARM", "stateReason": "testing",
                                            "stateReasonData": {"source": "test"}})
        self.assertEqual(to_alarm[0]["AlarmName"], name)

        rc, _, err = H.aws("cloudwatch", "delete-alarms", "--alarm-names", name)
        self.assertEqual(rc, 0, err)
        self.assertIsNone(self.alarm(name))

    def test_boto3_custom_metric_alarm_follows_its_values(self):
        cw = H.client("cloudwatch")
        ns, name = f"DbInsight/Alarm-{os.getpid()}", f"queue-low-{os.getpid()}"
        dims = [{"Name": "Queue", "Value": "jobs"}]

        def put(value, start, end):
            cw.put_metric_data(Namespace=ns, MetricData=[
                {"MetricName": "Depth", "Dimensions": dims, "Timestamp": t, "Value": value, "StorageResolution": 1}
                for t in range(int(start), int(end))])

        def state():
            alarms = cw.describe_alarms(AlarmNames=[name])["MetricAlarms"]
            return alarms[0] if alarms else {}

        # 10 s periods, 1 of 1: the server evaluates every 10 s.
        cw.put_metric_alarm(AlarmName=name, Namespace=ns, MetricName="Depth", Dimensions=dims,
                            Statistic="Minimum", Period=10, EvaluationPeriods=1, Threshold=10,
                            ComparisonOperator="LessThanThreshold", TreatMissingData="notBreaching")
        self.assertEqual(state()["StateReason"], "Unchecked: Initial alarm creation")
        now = time.time()
        put(50, now - 30, now + 30)
        harness.poll_until(lambda: state().get("StateValue") == "OK", 40, every=0.5, what="the alarm to be OK",
                           detail=state)
        low = time.time()
        put(5, low - 5, low + 20)
        harness.poll_until(lambda: state().get("StateValue") == "ALARM", 40, every=0.5,
                           what="the alarm to be ALARM", detail=state)
        reason = state()["StateReason"]
        self.assertRegex(reason, r"^Threshold Crossed: 1 datapoint \[5\.0 \(\d\d/\d\d/\d\d "
                                 r"\d\d:\d\d:\d\d\)\] was less than the threshold \(10\.0\)\.$")
        reason_data = json.loads(state()["StateReasonData"])
        self.assertEqual((reason_data["statistic"], reason_data["period"], reason_data["threshold"]),
                         ("Minimum", 10, 10.0))
        put(50, low + 20, low + 80)
        harness.poll_until(lambda: state().get("StateValue") == "OK", 60, every=0.5, what="the alarm back to OK",
                           detail=state)
        summaries = [i["HistorySummary"] for i in cw.describe_alarm_history(
            AlarmName=name, HistoryItemType="StateUpdate", ScanBy="TimestampAscending")["AlarmHistoryItems"]]
        self.assertEqual(summaries, ["Alarm updated from INSUFFICIENT_DATA to OK", "Alarm updated from OK to ALARM",
                                     "Alarm updated from ALARM to OK"])
        cw.delete_alarms(AlarmNames=[name])

    def test_invalid_definitions_name_the_parameter(self):
        base = ["cloudwatch", "put-metric-alarm", "--alarm-name", "bad", "--namespace", "App", "--metric-name", "Hits",
                "--statistic", "Sum", "--period", "60", "--threshold", "1",
                "--comparison-operator", "GreaterThanThreshold"]
        cases = [
            (["--evaluation-periods", "2", "--datapoints-to-alarm", "3"], "InvalidParameterValue",
             "DatapointsToAlarm must be less than or equal to EvaluationPeriods"),
            (["--evaluation-periods", "1", "--treat-missing-data", "sometimes"], "InvalidParameterValue",
             "TreatMissingData"),
            (["--evaluation-periods", "1", "--extended-statistic", "p99"], "InvalidParameterValue",
             "The parameters Statistic and ExtendedStatistic are mutually exclusive"),
        ]
        for extra, code, message in cases:
            with self.subTest(extra):
                rc, out, err = H.aws(*base, *extra)
                self.assertEqual(rc, expected_exit_code(), f"stdout={out!r} stderr={err!r}")
                self.assertIn(f"An error occurred ({code}) when calling the PutMetricAlarm operation: ", err)
                self.assertIn(message, err)
        rc, _, err = H.aws("cloudwatch", "set-alarm-state", "--alarm-name", "no-such-alarm", "--state-value", "OK",
                           "--state-reason", "x")
        self.assertIn("An error occurred (ResourceNotFound) when calling the SetAlarmState operation", err)


class AnomalyDetectorsTest(unittest.TestCase):
    def test_cli_and_boto3_put_describe_delete(self):
        ns = f"DbInsight/Anomaly-{os.getpid()}"
        metric = ["--namespace", ns, "--metric-name", "DBLoad", "--dimensions",
                  "Name=DBInstanceIdentifier,Value=X"]
        rc, out, err = H.aws("cloudwatch", "put-anomaly-detector", *metric, "--stat", "Average")
        self.assertEqual((rc, out), (0, ""), err)
        cw = H.client("cloudwatch")
        cw.put_anomaly_detector(SingleMetricAnomalyDetector={
            "Namespace": ns, "MetricName": "DBLoad", "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": "X"}],
            "Stat": "p90"})
        detectors = H.aws_json("cloudwatch", "describe-anomaly-detectors", "--namespace", ns)["AnomalyDetectors"]
        self.assertEqual(sorted(d["SingleMetricAnomalyDetector"]["Stat"] for d in detectors), ["Average", "p90"])
        for d in detectors:
            self.assertEqual(d["StateValue"], "PENDING_TRAINING")
            self.assertEqual(d["SingleMetricAnomalyDetector"]["Dimensions"],
                             [{"Name": "DBInstanceIdentifier", "Value": "X"}])
        rc, _, err = H.aws("cloudwatch", "delete-anomaly-detector", *metric, "--stat", "Average")
        self.assertEqual(rc, 0, err)
        rc, _, err = H.aws("cloudwatch", "delete-anomaly-detector", *metric, "--stat", "Average")
        self.assertEqual(rc, expected_exit_code())
        self.assertIn("An error occurred (ResourceNotFound) when calling the DeleteAnomalyDetector operation", err)
        left = cw.describe_anomaly_detectors(Namespace=ns)["AnomalyDetectors"]
        self.assertEqual([d["Stat"] for d in left], ["p90"])


def normal_value(t):
    """A steady metric around 100 (95..105), deterministic per minute."""
    return 100.0 + (t // 60 * 7919) % 11 - 5


class AnomalyBandTest(unittest.TestCase):
    """One metric with three hours of minute history, a spike 20 minutes ago."""

    NS = f"DbInsight/Band-{os.getpid()}"
    DIMS = [{"Name": "Queue", "Value": "jobs"}]

    @classmethod
    def setUpClass(cls):
        cw = H.client("cloudwatch")
        now = int(time.time())
        cls.current = now - now % 60
        cls.spike = cls.current - 20 * 60
        points = [{"MetricName": "Depth", "Dimensions": cls.DIMS, "Timestamp": t,
                   "Value": 500.0 if t == cls.spike else normal_value(t)}
                  for t in range(cls.current - 180 * 60, cls.current + 1, 60)]
        for i in range(0, len(points), 100):
            cw.put_metric_data(Namespace=cls.NS, MetricData=points[i:i + 100])

    def queries(self, k=3):
        return [{"Id": "m1", "MetricStat": {"Metric": {"Namespace": self.NS, "MetricName": "Depth",
                                                      "Dimensions": self.DIMS},
                                           "Period": 60, "Stat": "Average"}},
                {"Id": "ad1", "Expression": f"ANOMALY_DETECTION_BAND(m1, {k})", "Label": "Depth (expected)"}]

    def check_band(self, results):
        by_label = {r["Label"]: r for r in results}
        self.assertEqual(sorted(by_label), ["Depth", "Depth (expected) Lower", "Depth (expected) Upper"], results)
        lower, upper = by_label["Depth (expected) Lower"], by_label["Depth (expected) Upper"]
        self.assertEqual((lower["Id"], upper["Id"]), ("ad1", "ad1"))
        values = dict(zip((epoch(t) for t in by_label["Depth"]["Timestamps"]), by_label["Depth"]["Values"]))
        low = dict(zip((epoch(t) for t in lower["Timestamps"]), lower["Values"]))
        high = dict(zip((epoch(t) for t in upper["Timestamps"]), upper["Values"]))
        self.assertEqual(set(low), set(values))  # trained: a band at every minute of the window
        self.assertGreater(values[self.spike], high[self.spike])
        for t, v in values.items():
            if t != self.spike:
                self.assertTrue(low[t] < v < high[t], (t, low[t], v, high[t]))

    def test_boto3_get_metric_data_band(self):
        cw = H.client("cloudwatch")
        out = cw.get_metric_data(MetricDataQueries=self.queries(), StartTime=self.current - 3600,
                                 EndTime=self.current, ScanBy="TimestampAscending")
        self.check_band(out["MetricDataResults"])

    def test_cli_get_metric_data_band(self):
        out = H.aws_json("cloudwatch", "get-metric-data", "--metric-data-queries", json.dumps(self.queries()),
                         "--start-time", str(self.current - 3600), "--end-time", str(self.current))
        self.check_band(out["MetricDataResults"])

    def test_detector_describes_trained(self):
        metric = ["--namespace", self.NS, "--metric-name", "Depth", "--dimensions", "Name=Queue,Value=jobs"]
        rc, out, err = H.aws("cloudwatch", "put-anomaly-detector", *metric, "--stat", "Average")
        self.assertEqual((rc, out), (0, ""), err)
        H.client("cloudwatch").put_anomaly_detector(SingleMetricAnomalyDetector={
            "Namespace": self.NS, "MetricName": "Untouched", "Dimensions": self.DIMS, "Stat": "Average"})
        detectors = H.aws_json("cloudwatch", "describe-anomaly-detectors", "--namespace", self.NS)["AnomalyDetectors"]
        states = {d["SingleMetricAnomalyDetector"]["MetricName"]: d["StateValue"] for d in detectors}
        self.assertEqual(states, {"Depth": "TRAINED", "Untouched": "PENDING_TRAINING"})

    def test_cli_band_alarm_created_described_evaluated(self):
        name = f"depth-band-{os.getpid()}"
        metrics = [dict(q, ReturnData=True) for q in self.queries(k=2)]
        rc, out, err = H.aws("cloudwatch", "put-metric-alarm", "--alarm-name", name, "--evaluation-periods", "1",
                             "--datapoints-to-alarm", "1",
                             "--comparison-operator", "LessThanLowerOrGreaterThanUpperThreshold",
                             "--threshold-metric-id", "ad1", "--metrics", json.dumps(metrics))
        self.assertEqual((rc, out), (0, ""), err)
        cw = H.client("cloudwatch")

        def alarm():
            return cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]

        a = alarm()
        self.assertEqual(a["ThresholdMetricId"], "ad1")
        self.assertEqual(a["ComparisonOperator"], "LessThanLowerOrGreaterThanUpperThreshold")
        self.assertNotIn("MetricName", a)
        self.assertNotIn("Threshold", a)
        self.assertEqual([m["Id"] for m in a["Metrics"]], ["m1", "ad1"])
        self.assertEqual(a["Metrics"][0]["MetricStat"]["Metric"]["MetricName"], "Depth")
        self.assertEqual(a["Metrics"][0]["MetricStat"]["Period"], 60)
        self.assertEqual(a["Metrics"][1]["Expression"], "ANOMALY_DETECTION_BAND(m1, 2)")
        self.assertEqual(a["Metrics"][1]["Label"], "Depth (expected)")
        self.assertEqual([m["ReturnData"] for m in a["Metrics"]], [True, True])
        cli = H.aws_json("cloudwatch", "describe-alarms", "--alarm-names", name)["MetricAlarms"][0]
        self.assertEqual(cli["Metrics"], a["Metrics"])
        # The server evaluates it: the last complete minute is normal, so OK with a band reason.
        harness.poll_until(lambda: alarm()["StateValue"] != "INSUFFICIENT_DATA", 40, every=0.5,
                           what="the band alarm to be evaluated", detail=alarm)
        a = alarm()
        self.assertEqual(a["StateValue"], "OK", a["StateReason"])
        self.assertRegex(a["StateReason"], r"^Thresholds Crossed: 1 out of the last 1 datapoints \[[0-9.]+ \(.*\)\] "
                                           r"was not less than the lower thresholds \[[0-9.]+\] or not greater than "
                                           r"the upper thresholds \[[0-9.]+\]")
        self.assertIn("recentUpperThresholds", json.loads(a["StateReasonData"]))
        cw.delete_alarms(AlarmNames=[name])

    def test_invalid_band_alarms_are_refused(self):
        m1, ad1 = [dict(q, ReturnData=True) for q in self.queries()]
        base = ["cloudwatch", "put-metric-alarm", "--alarm-name", "bad-band", "--evaluation-periods", "1",
                "--comparison-operator", "GreaterThanUpperThreshold"]
        cases = [
            (["--metrics", json.dumps([m1, ad1])], "InvalidParameterValue",
             "ComparisonOperators for ranges require ThresholdMetricId to be set"),
            (["--metrics", json.dumps([m1, ad1]), "--threshold-metric-id", "ad1", "--threshold", "5"],
             "InvalidParameterValue", "Threshold and ThresholdMetricId cannot both be set"),
            (["--metrics", json.dumps([dict(m1, ReturnData=False), ad1]), "--threshold-metric-id", "ad1"],
             "InvalidParameterValue", "Exactly two elements of the metrics list should return data."),
            (["--metrics", json.dumps([m1, ad1]), "--threshold-metric-id", "m1"], "InvalidParameterValue",
             "ThresholdMetricId must be the Id of an ANOMALY_DETECTION_BAND expression in Metrics"),
            (["--metrics", json.dumps([m1, dict(ad1, Expression="ANOMALY_DETECTION_BAND(m1, -2)")]),
              "--threshold-metric-id", "ad1"], "InvalidParameterValue",
             "the second argument of ANOMALY_DETECTION_BAND must be a positive number"),
            (["--metrics", json.dumps([m1, ad1]), "--threshold-metric-id", "ad1", "--statistic", "Average"],
             "InvalidParameterValue", "Statistic should not be set if list of Metrics is set."),
        ]
        for extra, code, message in cases:
            with self.subTest(message):
                rc, out, err = H.aws(*base, *extra)
                self.assertEqual(rc, expected_exit_code(), f"stdout={out!r} stderr={err!r}")
                self.assertIn(f"An error occurred ({code}) when calling the PutMetricAlarm operation: ", err)
                self.assertIn(message, err)
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as cm:
            H.client("cloudwatch").get_metric_data(
                MetricDataQueries=[self.queries()[0], {"Id": "ad1", "Expression": "ANOMALY_DETECTION_BAND(m1 * 2)"}],
                StartTime=self.current - 600, EndTime=self.current)
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidParameterValue")
        self.assertIn("the first argument of ANOMALY_DETECTION_BAND must be the id of a metric",
                      cm.exception.response["Error"]["Message"])


if __name__ == "__main__":
    unittest.main()
