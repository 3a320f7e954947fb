"""Alarms to notifications end to end: a real PostgreSQL under a connection storm drives
AWS/RDS DatabaseConnections over a (test-lowered) threshold; the alarm, made with the real
aws CLI, goes to ALARM; a real SMTP server (aiosmtpd) receives the e-mail and a local HTTP
receiver the Slack-format webhook; when the storm ends the alarm returns to OK and the OK
notifications follow.

  DBINSIGHT_BIN=build/src/app/dbinsight python3 tests/e2e/alarm_notify_test.py -v
"""

import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fleet as fleet_mod  # noqa: E402
from fleet import poll_until  # noqa: E402

STORM = 12      # extra connections
THRESHOLD = 8   # DatabaseConnections above this is ALARM


class AlarmNotifyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.smtp_port = fleet_mod.harness.free_port()
        cls.smtp_log = open(os.path.join("/tmp", f"dbi-smtp-{os.getpid()}.log"), "w+")
        cls.smtp = subprocess.Popen(["/usr/bin/python3", "-u", "-m", "aiosmtpd", "-n", "-l",
                                     f"127.0.0.1:{cls.smtp_port}"], stdout=cls.smtp_log, stderr=subprocess.STDOUT)
        cls.receiver = fleet_mod.harness.JsonReceiver()
        # The test makes the recipe's alarm itself, with a lowered threshold, and counts
        # the messages on the recipe's topic: incidents (which the storm also opens)
        # would add theirs.
        notify = ("defaults: {alarms: false}\n"
                  "incidents: {enabled: false}\n"
                  "notifications:\n"
                  f"  smtp: {{host: 127.0.0.1, port: {cls.smtp_port}, tls: off, from: dbinsight@example.test}}\n"
                  "  retry: {base_delay: 1s, max_delay: 2s, max_attempts: 5}\n"
                  "  delivery: {poll_interval: 200ms}\n")
        cls.f = fleet_mod.Fleet(replica=False, mariadb=False, extra_config=notify).start()

    @classmethod
    def tearDownClass(cls):
        cls.f.stop()
        cls.receiver.close()
        cls.smtp.kill()
        cls.smtp.wait()
        cls.smtp_log.close()
        os.unlink(cls.smtp_log.name)

    def mail_text(self):
        self.smtp_log.flush()
        with open(self.smtp_log.name) as f:
            return f.read()

    def alarm_state(self, name):
        out = self.f.aws_json("cloudwatch", "describe-alarms", "--alarm-names", name)["MetricAlarms"]
        return out[0]["StateValue"] if out else None

    def test_connection_storm_alarms_and_notifies_then_recovers(self):
        topic = self.f.aws_json("sns", "create-topic", "--name", "db-performance-alerts")["TopicArn"]
        self.f.aws_json("sns", "subscribe", "--topic-arn", topic, "--protocol", "email",
                        "--notification-endpoint", "oncall@example.test")
        hook = f"{self.receiver.url}/slack"
        self.f.aws_json("sns", "subscribe", "--topic-arn", topic, "--protocol", "http", "--notification-endpoint",
                        hook, "--attributes", "WebhookFormat=slack")
        name = "RDS-HighDatabaseLoad-pg"
        rc, _, err = self.f.aws("cloudwatch", "put-metric-alarm", "--alarm-name", name, "--namespace", "AWS/RDS",
                                "--metric-name", "DatabaseConnections", "--dimensions",
                                "Name=DBInstanceIdentifier,Value=pg", "--statistic", "Average", "--period", "10",
                                "--evaluation-periods", "1", "--threshold", str(THRESHOLD), "--comparison-operator",
                                "GreaterThanThreshold", "--treat-missing-data", "notBreaching",
                                "--alarm-actions", topic, "--ok-actions", topic)
        self.assertEqual(rc, 0, err)
        poll_until(lambda: self.alarm_state(name) == "OK", 60, what="the alarm to settle in OK",
                   detail=lambda: self.alarm_state(name))
        # INSUFFICIENT_DATA -> OK runs the OK actions too, as on AWS.
        poll_until(lambda: len(self.receiver.bodies()) == 1, 60, what="the first OK webhook")

        e = self.f.env["pg"]
        storm = [subprocess.Popen([os.path.join(fleet_mod.PGBIN, "psql"), "-X", "-q", "-h", e["PGHOST"], "-p",
                                   e["PGPORT"], "-U", "postgres", "-d", "postgres", "-c", "select pg_sleep(120)"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  env=dict(os.environ, PGAPPNAME="storm")) for _ in range(STORM)]
        try:
            poll_until(lambda: self.alarm_state(name) == "ALARM", 90, what="ALARM under the connection storm",
                       detail=lambda: self.alarm_state(name))
            poll_until(lambda: self.mail_text().count("Subject: ALARM") >= 1, 60,
                       what="the ALARM e-mail at the SMTP server", detail=self.mail_text)
            poll_until(lambda: len(self.receiver.bodies()) == 2, 60, what="the ALARM Slack webhook")
            self.assertIn("ALARM", json.dumps(self.receiver.bodies()[1]))
            self.assertIn(name, json.dumps(self.receiver.bodies()[1]))
        finally:
            for p in storm:
                p.kill()
                p.wait()
            # A backend in pg_sleep does not notice its client is gone: end them.
            self.f.psql("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'storm'")
        poll_until(lambda: self.alarm_state(name) == "OK", 90, what="OK once the storm ended",
                   detail=lambda: self.alarm_state(name))
        poll_until(lambda: len(self.receiver.bodies()) == 3, 60, what="the OK Slack webhook")
        poll_until(lambda: self.mail_text().count("Subject: OK") >= 2, 60, what="the OK e-mails",
                   detail=self.mail_text)
        self.assertIn("OK", json.dumps(self.receiver.bodies()[2]))
        # Each message arrived once: OK (creation), ALARM, OK.
        self.assertEqual(len(self.receiver.bodies()), 3, self.receiver.bodies())
        self.assertEqual(self.mail_text().count("Subject: "), 3, self.mail_text())
        history = self.f.aws_json("cloudwatch", "describe-alarm-history", "--alarm-name", name,
                                  "--history-item-type", "StateUpdate")["AlarmHistoryItems"]
        self.assertTrue(any("to ALARM" in h["HistorySummary"] for h in history), history)
        # SetAlarmState runs the new state's actions too, as on AWS; the next
        # evaluation puts the alarm back, and that is notified as well.
        rc, _, err = self.f.aws("cloudwatch", "set-alarm-state", "--alarm-name", name, "--state-value", "ALARM",
                                "--state-reason", "drill: paging test")
        self.assertEqual(rc, 0, err)
        poll_until(lambda: len(self.receiver.bodies()) >= 4, 60, what="the webhook of the state set by hand")
        self.assertIn("drill: paging test", json.dumps(self.receiver.bodies()[3]))
        poll_until(lambda: len(self.receiver.bodies()) == 5, 60, what="the webhook of the evaluation's return to OK")
        self.assertIn("OK", json.dumps(self.receiver.bodies()[4]))

    def dbinsight_cli(self, *args):
        binary = os.environ.get("DBINSIGHT_BIN") or os.path.join(fleet_mod.REPO, "build", "src", "app", "dbinsight")
        # The same environment as the server: the config names its password variables.
        env = dict(os.environ, DBI_FLEET_PG_PASSWORD=self.f.env["pg"]["PG_MONITOR_PASSWORD"])
        out = subprocess.run([binary, *args, "--config", os.path.join(self.f.tmp, "dbinsight.yaml")],
                             capture_output=True, text=True, timeout=60, env=env)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out.stdout

    def test_dead_letters_are_listed_and_redriven_from_the_cli(self):
        topic = self.f.aws_json("sns", "create-topic", "--name", "dlq-test")["TopicArn"]
        receiver = fleet_mod.harness.JsonReceiver()
        receiver.status = 503  # a receiver that always fails, until it is fixed below
        try:
            self.f.aws_json("sns", "subscribe", "--topic-arn", topic, "--protocol", "http",
                            "--notification-endpoint", f"{receiver.url}/hook")
            message_id = self.f.aws_json("sns", "publish", "--topic-arn", topic, "--subject", "dlq probe",
                                         "--message", "hello")["MessageId"]
            # 5 attempts, 1-2 s apart, then the dead-letter queue.
            poll_until(lambda: message_id in self.dbinsight_cli("notify", "dead-letters"), 60,
                       what="the message in the dead-letter queue")
            self.assertEqual(receiver.refused, 5)
            receiver.status = 200
            self.assertIn("1 deliveries queued again",
                          self.dbinsight_cli("notify", "redrive", "--message-id", message_id))
            poll_until(receiver.bodies, 30, what="the re-driven message")
            self.assertEqual(receiver.bodies()[0]["MessageId"], message_id)  # the SNS envelope keeps the id
            self.assertIn("0 dead deliveries", self.dbinsight_cli("notify", "dead-letters"))
            self.assertEqual(len(receiver.bodies()), 1)
        finally:
            receiver.close()


if __name__ == "__main__":
    unittest.main()
