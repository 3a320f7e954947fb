"""The AWS RDS monitoring recipe against dbinsight, with the real aws CLI and boto3 of this
interpreter's generation: the defaults a fresh config makes (four alarms, an anomaly detector,
the RDS-Performance dashboard, the db-performance-alerts topic with the config's subscriber),
then the recipe's own commands: put-metric-alarm (the four), describe-alarms --alarm-names,
put-metric-data and list-metrics --namespace RDS/PerformanceInsights, put-anomaly-detector,
sns create-topic/subscribe/publish (a local HTTP receiver gets the message once),
delete-alarms and delete-anomaly-detector.

  DBINSIGHT_BIN=build/src/app/dbinsight python3 tests/api/recipe_clients_test.py -v
"""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as harness_mod  # noqa: E402
from harness import INSTANCE_ID, poll_until  # noqa: E402

TOPIC_NAME = "db-performance-alerts"
TOPIC_ARN = f"arn:aws:sns:us-east-1:000000000000:{TOPIC_NAME}"
ALARMS = {  # name -> (namespace, metric, statistic, threshold), as the recipe makes them
    f"RDS-HighDatabaseLoad-{INSTANCE_ID}": ("AWS/RDS", "DatabaseConnections", "Average", 80.0),
    f"RDS-HighCPUUtilization-{INSTANCE_ID}": ("AWS/RDS", "CPUUtilization", "Average", 75.0),
    f"RDS-HighLoadEvents-{INSTANCE_ID}": ("RDS/PerformanceInsights", "HighLoadEvents", "Sum", 5.0),
    f"RDS-ProblematicQueries-{INSTANCE_ID}": ("RDS/PerformanceInsights", "ProblematicQueries", "Sum", 3.0),
}


class RecipeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.receiver = harness_mod.JsonReceiver()
        cls.oncall = f"{cls.receiver.url}/oncall"
        extra = ("notifications:\n"
                 "  delivery: {poll_interval: 200ms}\n"
                 f"  subscriptions: [{{protocol: http, endpoint: \"{cls.oncall}\"}}]\n")
        cls.H = harness_mod.Harness(extra_config=extra).start()

    @classmethod
    def tearDownClass(cls):
        cls.H.stop()
        cls.receiver.close()

    def describe(self, names):
        return {a["AlarmName"]: a for a in
                self.H.aws_json("cloudwatch", "describe-alarms", "--alarm-names", *names)["MetricAlarms"]}

    def test_1_a_fresh_config_makes_the_recipe(self):
        alarms = self.describe(ALARMS)
        self.assertEqual(set(alarms), set(ALARMS))
        for name, (ns, metric, stat, threshold) in ALARMS.items():
            a = alarms[name]
            self.assertEqual((a["Namespace"], a["MetricName"], a["Statistic"], a["Threshold"]),
                             (ns, metric, stat, threshold))
            self.assertEqual((a["Period"], a["EvaluationPeriods"], a["ComparisonOperator"]),
                             (300, 2, "GreaterThanThreshold"))
            self.assertEqual(a["Dimensions"], [{"Name": "DBInstanceIdentifier", "Value": INSTANCE_ID}])
            self.assertEqual(a["AlarmActions"], [TOPIC_ARN])
            self.assertEqual(a["OKActions"], [TOPIC_ARN])
        detectors = self.H.aws_json("cloudwatch", "describe-anomaly-detectors", "--namespace", "AWS/RDS",
                                    "--metric-name", "DatabaseConnections")["AnomalyDetectors"]
        self.assertEqual(len(detectors), 1, detectors)
        dashboard = self.H.aws_json("cloudwatch", "get-dashboard", "--dashboard-name",
                                    f"RDS-Performance-{INSTANCE_ID}")
        widgets = json.loads(dashboard["DashboardBody"])["widgets"]
        self.assertEqual(len(widgets), 4)
        text = json.dumps(widgets)
        for metric in ("DatabaseConnections", "CPUUtilization", "ReadLatency", "WriteLatency", "HighLoadEvents",
                       "ProblematicQueries", "ReadIOPS", "WriteIOPS", "ReadThroughput", "WriteThroughput"):
            self.assertIn(metric, text)
        topics = [t["TopicArn"] for t in self.H.aws_json("sns", "list-topics")["Topics"]]
        self.assertIn(TOPIC_ARN, topics)
        subs = self.H.aws_json("sns", "list-subscriptions-by-topic", "--topic-arn", TOPIC_ARN)["Subscriptions"]
        self.assertEqual([(s["Protocol"], s["Endpoint"]) for s in subs], [("http", self.oncall)])

    def test_2_the_recipe_commands(self):
        H = self.H
        topic = H.aws_json("sns", "create-topic", "--name", TOPIC_NAME)["TopicArn"]
        self.assertEqual(topic, TOPIC_ARN)  # CreateTopic is idempotent
        hook = f"{self.receiver.url}/recipe"
        H.aws_json("sns", "subscribe", "--topic-arn", topic, "--protocol", "http", "--notification-endpoint", hook)
        for name, (ns, metric, stat, threshold) in ALARMS.items():
            rc, _, err = H.aws("cloudwatch", "put-metric-alarm", "--alarm-name", name,
                               "--alarm-description", f"recipe: {metric}", "--metric-name", metric,
                               "--namespace", ns, "--statistic", stat, "--period", "300",
                               "--evaluation-periods", "2", "--threshold", str(int(threshold)),
                               "--comparison-operator", "GreaterThanThreshold",
                               "--dimensions", f"Name=DBInstanceIdentifier,Value={INSTANCE_ID}",
                               "--alarm-actions", topic)
            self.assertEqual(rc, 0, err)
        alarms = self.describe(ALARMS)
        self.assertEqual(set(alarms), set(ALARMS))
        self.assertTrue(all(a["AlarmDescription"].startswith("recipe: ") for a in alarms.values()))

        for metric, value in (("HighLoadEvents", "2"), ("ProblematicQueries", "1")):
            rc, _, err = H.aws("cloudwatch", "put-metric-data", "--namespace", "RDS/PerformanceInsights",
                               "--metric-name", metric, "--value", value, "--unit", "Count",
                               "--dimensions", f"DBInstanceIdentifier={INSTANCE_ID}")
            self.assertEqual(rc, 0, err)
        listed = H.aws_json("cloudwatch", "list-metrics", "--namespace", "RDS/PerformanceInsights")["Metrics"]
        self.assertEqual(sorted(m["MetricName"] for m in listed), ["HighLoadEvents", "ProblematicQueries"])

        detector = ["--namespace", "AWS/RDS", "--metric-name", "DatabaseConnections", "--stat", "Average",
                    "--dimensions", f"Name=DBInstanceIdentifier,Value={INSTANCE_ID}"]
        rc, _, err = H.aws("cloudwatch", "put-anomaly-detector", *detector)
        self.assertEqual(rc, 0, err)

        message_id = H.aws_json("sns", "publish", "--topic-arn", topic, "--subject", "recipe test",
                                "--message", "hello from the recipe")["MessageId"]
        poll_until(lambda: self.receiver.bodies("/recipe") and self.receiver.bodies("/oncall") and
                   any(m.get("MessageId") == message_id for m in self.receiver.bodies("/oncall")), 30,
                   what="the published message at both subscribers", detail=self.receiver.bodies)
        got = [m for m in self.receiver.bodies("/recipe") if m.get("MessageId") == message_id]
        self.assertEqual(len(got), 1, got)
        self.assertEqual(got[0]["Message"], "hello from the recipe")
        self.assertEqual(got[0]["TopicArn"], topic)

        rc, _, err = H.aws("cloudwatch", "delete-alarms", "--alarm-names", *ALARMS)
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.describe(ALARMS), {})
        rc, _, err = H.aws("cloudwatch", "delete-anomaly-detector", *detector)
        self.assertEqual(rc, 0, err)
        left = H.aws_json("cloudwatch", "describe-anomaly-detectors", "--namespace", "AWS/RDS")["AnomalyDetectors"]
        self.assertEqual(left, [])

    def test_3_boto3_lists_the_defaults(self):
        # The same stores through boto3.
        cw = self.H.client("cloudwatch")
        names = [d["DashboardName"] for d in cw.list_dashboards(DashboardNamePrefix="RDS-")["DashboardEntries"]]
        self.assertEqual(names, [f"RDS-Performance-{INSTANCE_ID}"])
        sns = self.H.client("sns")
        self.assertIn(TOPIC_ARN, [t["TopicArn"] for t in sns.list_topics()["Topics"]])


if __name__ == "__main__":
    unittest.main()
