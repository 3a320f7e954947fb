"""Sub-second sampling keeps DB load in average-active-session units: with 100 ms
sampling, 3 sessions held in pg_sleep read back as 3 per second, not 30.

  DBINSIGHT_BIN=build/src/app/dbinsight python3 tests/e2e/subsecond_test.py
"""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "api"))
import harness  # noqa: E402

SLEEPERS = 3


class SubSecondSamplingTest(unittest.TestCase):
    def setUp(self):
        self.h = harness.Harness(sample_interval="100ms").start()

    def tearDown(self):
        self.h.stop()

    def per_second(self, metric, start, end):
        r = self.h.client("pi").get_resource_metrics(
            ServiceType="RDS", Identifier=self.h.resource_id, StartTime=int(start), EndTime=int(end),
            PeriodInSeconds=1, MetricQueries=[{"Metric": metric}])
        return [p["Value"] for p in r["MetricList"][0]["DataPoints"]]

    def test_load_stays_in_sessions_at_100ms(self):
        for i in range(SLEEPERS):
            self.h.session(f"subsec-sleep-{i}", "select pg_sleep(600);\n")
        # Five whole seconds in which all sleepers ran from start to end.
        values = harness.poll_until(
            lambda: (lambda v: v if len(v) >= 5 and all(x == SLEEPERS for x in v[-5:]) else None)(
                self.per_second("db.load.avg", time.time() - 30, time.time() - 1)),
            30, what="5 seconds of 3 sleepers")
        self.assertEqual(values[-5:], [SLEEPERS] * 5)
        # max and min within a second agree: every one of the ~10 samples saw all three.
        self.assertEqual(self.per_second("db.load.max", time.time() - 4, time.time() - 1)[-2:], [SLEEPERS] * 2)

        # A session busy half of each second: 1-s sampling could only say 0 or 1 for
        # it; 100 ms sampling sees the fraction.
        self.h.session("subsec-half", "".join("select pg_sleep(0.5);\n\\! sleep 0.5\n" for _ in range(40)))
        started = time.time()
        def fractions_so_far():
            if time.time() - started < 10:
                return None
            return [x - SLEEPERS for x in self.per_second("db.load.avg", started + 1, time.time() - 1)]

        fractions = harness.poll_until(fractions_so_far, 30, what="8 seconds with the half-busy session")
        self.assertTrue(any(0.1 < f < 0.9 for f in fractions), fractions)
        self.assertAlmostEqual(sum(fractions) / len(fractions), 0.5, delta=0.15)


if __name__ == "__main__":
    unittest.main()
