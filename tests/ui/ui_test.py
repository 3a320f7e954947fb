"""The web UI in headless Chromium against a running dbinsight sampling a real PostgreSQL.

A known workload (3 sessions in `select pg_sleep(600)`) is held until dbinsight has recorded
it for a while; then tests/ui/check.mjs drives the browser (playwright-core, /usr/bin/chromium)
through the fleet overview and the instance page and compares what the page shows with the
PI API for the same range (see check.mjs). Screenshots go to $DBI_UI_ARTIFACTS.

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
        self.h = harness.Harness().start()
        self.addCleanup(self.h.stop)

    def test_page_and_query_protocol_share_get_root(self):
        with urllib.request.urlopen(self.h.endpoint + "/", timeout=10) as r:
            self.assertTrue(r.headers["Content-Type"].startswith("text/html"))
            self.assertIn(b"/ui/app.js", r.read())
        query = "/?Action=DescribeDBInstances&Version=2014-10-31"
        with urllib.request.urlopen(self.h.endpoint + query, timeout=10) as r:
            self.assertIn(b"<DescribeDBInstancesResponse", r.read())

    def test_pages_show_what_the_api_serves(self):
        h = self.h
        started = int(time.time())
        for _ in range(SLEEPERS):
            h.session("dbi-ui-sleeper", "select pg_sleep(600);\n")

        # The workload must be on record for a while (a stable, already-written window).
        def recorded():
            end = int(time.time()) - 10
            if end - started < 25:
                return None
            out = pi(h.endpoint, "GetResourceMetrics", {
                "Identifier": h.resource_id, "StartTime": started, "EndTime": end, "PeriodInSeconds": 1,
                "MetricQueries": [{"Metric": "db.load.avg"}]})
            points = [p for p in out["MetricList"][0]["DataPoints"] if p.get("Value", 0) >= SLEEPERS - 0.5]
            return len(points) >= 15
        harness.poll_until(recorded, 120, every=1, what="the sleeping sessions to be recorded")

        env = dict(os.environ, DBI_ENDPOINT=h.endpoint, DBI_INSTANCE=harness.INSTANCE_ID,
                   DBI_RESOURCE_ID=h.resource_id, DBI_NODE_MODULES=self.node_modules,
                   DBI_UI_ARTIFACTS=self.artifacts, DBI_WINDOW_START=str(started),
                   DBI_WINDOW_END=str(int(time.time()) - 10), DBI_CHROMIUM=CHROMIUM)
        out = subprocess.run(["node", os.path.join(HERE, "check.mjs")], env=env, capture_output=True, text=True,
                             timeout=180)
        sys.stderr.write(out.stdout + out.stderr)
        self.assertEqual(out.returncode, 0, "check.mjs failed:\n" + out.stdout + out.stderr
                         + "\ndbinsight log:\n" + h.log_tail())
        for name in ("fleet-1280x800.png", "instance-1280x800.png", "instance-390x844.png", "fleet-390x844.png"):
            self.assertTrue(os.path.getsize(os.path.join(self.artifacts, name)) > 0, name)


if __name__ == "__main__":
    unittest.main()
