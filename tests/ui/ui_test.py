"""The web UI in headless Chromium against a running dbinsight sampling a real PostgreSQL.

A known workload (3 sessions in `select pg_sleep(600)` and one running `select pg_sleep(0.1)
as loop_sleep` in a loop, a statement with calls, latency and rows) is held until dbinsight has recorded
it for a while and the analyzer has stored one scheduled report; then tests/ui/check.mjs
drives the browser (playwright-core, /usr/bin/chromium) through every page and compares what
it shows with the API it reads (see check.mjs). Screenshots go to $DBI_UI_ARTIFACTS.

Run: DBINSIGHT_BIN=build/src/app/dbinsight DBI_NODE_MODULES=build/src/web/npm/node_modules \
     python3 tests/ui/ui_test.py
"""

import json
import os
import subprocess
import sys
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "api"))
import harness  # noqa: E402

SLEEPERS = 3
CHROMIUM = "/usr/bin/chromium"
CALLS_PER_SEC = "db.sql_tokenized.stats.calls_per_sec.avg"
UNDELIVERABLE = "UI test: undeliverable"
LOOP = "loop_sleep"  # names the looping statement apart from the sleepers' (same function, other text)


# A second configured instance nobody listens for (port 9): /healthz answers 503 and the fleet
# page must still list it, as down. The harness's config ends inside the instance list, so
# the extra YAML continues that list before its own top-level keys.
DOWN_INSTANCE = "ui-down-pg"
EXTRA_CONFIG = (f"  - id: {DOWN_INSTANCE}\n"
                "    engine: postgres\n"
                "    dsn: host=127.0.0.1 port=9 user=monitor dbname=postgres\n"
                "    vcpus: 1\n"
                # Statement statistics every 2 s, so the looping statement has them within the test.
                "statements_interval: 2s\n")


class FleetHarness(harness.Harness):
    """The API harness with the down instance: ready once the test instance samples, although
    /healthz stays 503 for the other."""

    def __init__(self):
        super().__init__(extra_config=EXTRA_CONFIG)

    def _live_health(self):
        if self.proc.poll() is not None:
            raise RuntimeError("dbinsight exited:\n" + self.log_tail())
        _, body = self.healthz()
        live = [i for i in body.get("instances", []) if i["id"] == harness.INSTANCE_ID and i["sampling_live"]]
        return body if live else None


def pi(endpoint, operation, body):
    request = urllib.request.Request(
        endpoint + "/", data=json.dumps({"ServiceType": "RDS", **body}).encode(), method="POST",
        headers={"X-Amz-Target": "PerformanceInsightsv20180227." + operation,
                 "Content-Type": "application/x-amz-json-1.1"})
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.loads(r.read())


class BrowserTest(unittest.TestCase):
    def setUp(self):
        self.node_modules = os.path.abspath(os.environ.get("DBI_NODE_MODULES") or os.path.join(
            harness.REPO, "build", "src", "web", "npm", "node_modules"))
        if not os.path.isdir(os.path.join(self.node_modules, "playwright-core")):
            self.fail(f"playwright-core not found under {self.node_modules} (build dbi_web first)")
        if not os.access(CHROMIUM, os.X_OK):
            self.fail(f"{CHROMIUM} not found (scripts/setup.sh installs it)")
        self.artifacts = os.environ.get("DBI_UI_ARTIFACTS") or os.path.join(harness.REPO, "build", "ui-artifacts")
        os.makedirs(self.artifacts, exist_ok=True)
        self.h = FleetHarness().start()
        self.addCleanup(self.h.stop)

    def test_page_and_query_protocol_share_get_root(self):
        with urllib.request.urlopen(self.h.endpoint + "/", timeout=10) as r:
            self.assertTrue(r.headers["Content-Type"].startswith("text/html"))
            self.assertIn(b"/ui/app.js", r.read())
        query = "/?Action=DescribeDBInstances&Version=2014-10-31"
        with urllib.request.urlopen(self.h.endpoint + query, timeout=10) as r:
            self.assertIn(b"<DescribeDBInstancesResponse", r.read())
        # /ui/fetch answers 200 and hands on the real status (the pages read 503 healthz, 404 buckets).
        with urllib.request.urlopen(self.h.endpoint + "/ui/fetch?path=/dbinsight-reports-none", timeout=10) as r:
            self.assertEqual(r.headers["X-Dbi-Status"], "404")
            self.assertIn(b"NoSuchBucket", r.read())

    def test_pages_show_what_the_api_serves(self):
        h = self.h
        started = int(time.time())
        for _ in range(SLEEPERS):
            h.session("dbi-ui-sleeper", "select pg_sleep(600);\n")
        h.session("dbi-ui-looper", f"select pg_sleep(0.1) as {LOOP} \\watch 0.1\n")

        # The workload must be on record for a while (a stable, already-written window).
        def recorded():
            end = int(time.time()) - 10
            if end - started < 25:
                return None
            out = pi(h.endpoint, "GetResourceMetrics", {
                "Identifier": h.resource_id, "StartTime": started, "EndTime": end, "PeriodInSeconds": 1,
                "MetricQueries": [{"Metric": "db.load.avg"}]})
            points = [p for p in out["MetricList"][0]["DataPoints"] if p.get("Value", 0) >= SLEEPERS - 0.5]
            if len(points) < 15:
                return None
            keys = pi(h.endpoint, "DescribeDimensionKeys", {
                "Identifier": h.resource_id, "StartTime": started, "EndTime": end, "Metric": "db.load.avg",
                "GroupBy": {"Group": "db.sql_tokenized", "Limit": 5}, "AdditionalMetrics": [CALLS_PER_SEC]})["Keys"]
            return any(LOOP in k["Dimensions"]["db.sql_tokenized.statement"]
                       and k.get("AdditionalMetrics", {}).get(CALLS_PER_SEC, 0) > 0 for k in keys)
        harness.poll_until(recorded, 120, every=1, what="the sleepers and the loop's statistics to be recorded")
        # One scheduled report in the instance's bucket, as the hourly schedule would store it.
        invoked = h.client("lambda").invoke(FunctionName="dbinsight-analyzer-" + harness.INSTANCE_ID, Payload=b"{}")
        self.assertEqual(invoked["StatusCode"], 200)
        # A message the outbox cannot deliver (nothing listens on port 9): it waits, retrying.
        sns = h.client("sns")
        topic = next(t["TopicArn"] for t in sns.list_topics()["Topics"]
                     if t["TopicArn"].endswith(":db-performance-alerts"))
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint="http://127.0.0.1:9/unreachable")
        sns.publish(TopicArn=topic, Subject=UNDELIVERABLE, Message="for the notifications page")

        env = dict(os.environ, DBI_ENDPOINT=h.endpoint, DBI_INSTANCE=harness.INSTANCE_ID,
                   DBI_RESOURCE_ID=h.resource_id, DBI_NODE_MODULES=self.node_modules,
                   DBI_UI_ARTIFACTS=self.artifacts, DBI_WINDOW_START=str(started), DBI_UNDELIVERABLE=UNDELIVERABLE,
                   DBI_DOWN_INSTANCE=DOWN_INSTANCE,
                   DBI_WINDOW_END=str(int(time.time()) - 10), DBI_CHROMIUM=CHROMIUM)
        out = subprocess.run(["node", os.path.join(HERE, "check.mjs")], env=env, capture_output=True, text=True,
                             timeout=180)
        sys.stderr.write(out.stdout + out.stderr)
        self.assertEqual(out.returncode, 0, "check.mjs failed:\n" + out.stdout + out.stderr
                         + "\ndbinsight log:\n" + h.log_tail())
        for page in ("fleet", "instance", "alarms", "alarm", "reports", "report", "incidents", "notifications",
                     "dashboards", "dashboard"):
            for size in ("1280x800", "390x844"):
                name = f"{page}-{size}.png"
                self.assertTrue(os.path.getsize(os.path.join(self.artifacts, name)) > 0, name)


if __name__ == "__main__":
    unittest.main()
