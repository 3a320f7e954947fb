"""Durability end to end: kill -9 of dbinsight while it samples or holds undelivered
notifications, and a restart of the monitored PostgreSQL. Drives the real binary, a real
cluster, a local HTTP receiver and boto3.

  DBINSIGHT_BIN=build/src/app/dbinsight python3 tests/e2e/restart_test.py
"""

import json
import os
import signal
import subprocess
import sys
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "api"))
import harness  # noqa: E402

SLEEPERS = 2
# Fast retries so a receiver that comes back is reached within a second or two.
NOTIFY = ("notifications:\n"
          "  retry: {base_delay: 200ms, max_delay: 1s, max_attempts: 1000}\n"
          "  delivery: {poll_interval: 100ms}\n")


class RestartTest(unittest.TestCase):
    def setUp(self):
        self.h = harness.Harness(extra_config=NOTIFY).start()
        for i in range(SLEEPERS):
            self.h.session(f"e2e-sleep-{i}", "select pg_sleep(600);\n")
        # Sampling has seen both sleepers for a few seconds before the test starts.
        harness.poll_until(lambda: len(self.load_points(time.time() - 10, time.time() + 1, at=SLEEPERS)) >= 3, 30,
                           what=f"{SLEEPERS} sleepers in db.load")

    def tearDown(self):
        self.h.stop()

    def points(self, start, end):
        """Per-second db.load.avg points as {period start second: value}."""
        r = self.h.client("pi").get_resource_metrics(
            ServiceType="RDS", Identifier=self.h.resource_id, StartTime=int(start), EndTime=int(end) + 1,
            PeriodInSeconds=1, MetricQueries=[{"Metric": "db.load.avg"}])
        # END_TIME alignment: a point is stamped with the end of its second.
        return {int(p["Timestamp"].timestamp()) - 1: p["Value"] for p in r["MetricList"][0]["DataPoints"]}

    def load_points(self, start, end, at):
        return [v for v in self.points(start, end).values() if v == at]

    def restart_dbinsight(self):
        binary = os.environ.get("DBINSIGHT_BIN") or os.path.join(harness.REPO, "build", "src", "app", "dbinsight")
        self.assertTrue(self.h._start_dbinsight(binary), self.h.log_tail())
        harness.poll_until(self.h._live_health, 30, what="sampling live after restart")

    def test_kill9_keeps_acknowledged_data_and_shows_the_gap(self):
        before = self.points(time.time() - 60, time.time())
        self.assertTrue(before)
        self.h.proc.send_signal(signal.SIGKILL)
        self.h.proc.wait()
        killed_at = time.time()
        time.sleep(3)  # the outage being tested, not a wait for a condition
        self.restart_dbinsight()
        back_at = time.time()
        harness.poll_until(lambda: any(s > back_at for s in self.points(back_at - 1, time.time() + 1)), 15,
                           what="samples after the restart")
        after = self.points(killed_at - 60, time.time())
        # Everything stored before the kill is still there, up to the last second.
        for second, value in before.items():
            self.assertIn(second, after)
            self.assertEqual(after[second], value)
        self.assertGreaterEqual(max(s for s in after if s < killed_at), int(killed_at) - 2)
        # The outage is missing points, never zeros.
        missing = [s for s in range(int(killed_at) + 1, int(back_at) - 1) if s not in after]
        self.assertGreaterEqual(len(missing), 2, sorted(after))
        # Once both sleepers were seen, every stored second says so (before and after).
        first = min(s for s, v in after.items() if v == SLEEPERS)
        self.assertTrue(all(v == SLEEPERS for s, v in after.items() if s >= first), after)

    def test_kill9_with_messages_in_the_outbox_delivers_them_after_restart(self):
        receiver = harness.JsonReceiver()
        receiver.status = 503  # down until after the kill
        try:
            sns = self.h.client("sns")
            topic = sns.create_topic(Name="outbox-crash")["TopicArn"]
            sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=f"{receiver.url}/hook")
            ids = [sns.publish(TopicArn=topic, Message=f"message {i}")["MessageId"] for i in range(5)]
            # Acknowledged, attempted, refused: the messages are in the outbox.
            harness.poll_until(lambda: receiver.refused >= 2, 30, what="refused delivery attempts")
            self.h.proc.send_signal(signal.SIGKILL)
            self.h.proc.wait()
            receiver.status = 200
            self.restart_dbinsight()
            harness.poll_until(lambda: len(receiver.bodies()) >= len(ids), 30,
                               what="every message after the restart", detail=receiver.bodies)
            # Each exactly once: none was delivered before the kill.
            got = [m["MessageId"] for m in receiver.bodies()]
            self.assertEqual(sorted(got), sorted(ids))
            # In publish order, as a receiver sees a topic's messages.
            self.assertEqual([m["Message"] for m in receiver.bodies()], [f"message {i}" for i in range(5)])
        finally:
            receiver.close()

    def test_postgres_restart_resumes_sampling_within_5_seconds(self):
        script = harness.PG_SCRIPT
        subprocess.run([script, "stop-server", self.h.pg_dir], check=True, capture_output=True, timeout=60)
        harness.poll_until(lambda: not self.h.healthz()[1]["instances"][0]["sampling_live"], 15,
                           what="healthz to report the instance down")
        time.sleep(2)  # keep it down for a visible outage
        subprocess.run([script, "start-server", self.h.pg_dir], check=True, capture_output=True, timeout=60)
        up_at = time.time()
        harness.poll_until(lambda: self.h.healthz()[1]["instances"][0]["sampling_live"], 5,
                           what="sampling to resume within 5 s")
        resumed = time.time() - up_at
        self.assertLess(resumed, 5.0)
        status, body = self.h.healthz()
        self.assertEqual(status, 200)
        self.assertNotEqual(body["instances"][0]["last_error"], "")
        # The outage is recorded with its cause, beside the missing points.
        self.assertEqual(body["instances"][0]["gaps"], 1)
        url = (f"{self.h.endpoint}/gaps?Identifier={self.h.resource_id}"
               f"&StartTime={int(up_at) - 120}&EndTime={int(time.time()) + 1}")
        with urllib.request.urlopen(url, timeout=10) as r:
            gaps = json.loads(r.read())["Gaps"]
        self.assertEqual(len(gaps), 1, gaps)
        self.assertGreaterEqual(gaps[0]["EndTime"] - gaps[0]["StartTime"], 2.0)
        self.assertLessEqual(gaps[0]["EndTime"], time.time())
        self.assertNotEqual(gaps[0]["Reason"], "")
        print(f"sampling resumed {resumed:.2f} s after PostgreSQL was back", file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
