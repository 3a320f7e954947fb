"""Fleet faults end to end: one dbinsight watching a PostgreSQL primary, its streaming replica,
a MariaDB, a port that accepts TCP but never answers, and an instance with a wrong password.
Kills (-9) and restarts the monitored servers and takes the replica away, and checks from the
stored timestamps that every other instance kept a sample every second, that each recovers
within 5 s of its server being back, and that roles and failures are visible.

  DBINSIGHT_BIN=build/src/app/dbinsight python3 tests/e2e/fleet_test.py -v
"""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fleet as fleet_mod  # noqa: E402
from fleet import poll_until  # noqa: E402

RECOVERY_LIMIT_S = 5
OUTAGE_S = 3


class FleetTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.f = fleet_mod.Fleet(replica=True, mariadb=True, broken=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.f.stop()

    def assert_every_second(self, instance_id, start, end):
        """Every second in [start, end) has a stored sample of the instance."""
        want = set(range(int(start), int(end)))
        if not want:
            return  # no whole second to check (a kill began in the second the test started)
        have = set(self.f.load_seconds(instance_id, start, end))
        missing = sorted(want - have)
        self.assertFalse(missing, f"{instance_id}: no sample in seconds {missing} of [{int(start)}, {int(end)})")

    def first_sample_after(self, instance_id, t):
        """The first stored second at or after t: ticks fall on whole seconds, so its sample was taken then."""
        seconds = poll_until(lambda: [s for s in self.f.load_seconds(instance_id, t - 1, time.time() + 1) if s >= t],
                             60, what=f"{instance_id} samples after {t:.1f}",
                             detail=lambda: self.f.instance(instance_id))
        print(f"{instance_id}: first sample {seconds[0] - t:.1f} s after its server was back", file=sys.stderr)
        return seconds[0]

    def test_roles_are_visible_in_both_apis(self):
        def roles():
            out = self.f.aws_json("rds", "describe-db-instances")["DBInstances"]
            return {i["DBInstanceIdentifier"]: i for i in out}
        by_id = poll_until(lambda: (lambda r: r if r["pg-replica"].get("TagList") and
                                    r["pg-replica"]["TagList"][0]["Value"] != "unknown" else None)(roles()),
                           30, what="the replica's role")
        tag = {k: {t["Key"]: t["Value"] for t in v.get("TagList", [])}.get("dbinsight:role") for k, v in by_id.items()}
        self.assertEqual(tag["pg"], "primary")
        self.assertEqual(tag["pg-replica"], "replica")
        self.assertEqual(tag["maria"], "primary")
        self.assertEqual(by_id["pg-replica"].get("ReadReplicaSourceDBInstanceIdentifier"), "pg")
        self.assertEqual(by_id["pg"].get("ReadReplicaDBInstanceIdentifiers"), ["pg-replica"])
        self.assertEqual(by_id["maria"]["Engine"], "mariadb")
        self.assertIn("MariaDB", by_id["maria"].get("EngineVersion", ""))
        for instance_id, role in (("pg", "ROLE_PRIMARY"), ("pg-replica", "ROLE_REPLICA"), ("maria", "ROLE_PRIMARY")):
            md = self.f.aws_json("pi", "get-resource-metadata", "--service-type", "RDS", "--identifier",
                                 self.f.resource_id(instance_id))
            self.assertEqual(md["Features"][role]["Status"], "ENABLED", (instance_id, md))

    def test_broken_instances_report_their_errors_without_secrets(self):
        badpw = poll_until(lambda: (lambda i: i if i["last_error"] else None)(self.f.instance("badpw")), 30,
                           what="the wrong-password error")
        self.assertFalse(badpw["sampling_live"])
        self.assertIn("password authentication failed", badpw["last_error"])
        silent = poll_until(lambda: (lambda i: i if i["last_error"] else None)(self.f.instance("silent")), 30,
                            what="the silent server's error")
        self.assertFalse(silent["sampling_live"])
        self.assertTrue(silent["failures"] >= 1)
        with open(self.f.log_path) as log:
            text = log.read()
        self.assertNotIn("not-the-password-7f3a", text)
        self.assertNotIn(self.f.env["pg"]["PG_MONITOR_PASSWORD"], text)
        self.assertNotIn("not-the-password-7f3a", str(self.f.healthz()[1]))

    def test_outages_never_delay_the_other_instances(self):
        start = time.time()
        # 1. The primary and the MariaDB die together; the replica must not notice in its sampling.
        # Each server's samples are checked up to the second its kill began: a tick during the
        # kill may lose its sample, as it should.
        maria_killed = time.time()
        self.f.kill9("maria")
        pg_killed = time.time()
        self.f.kill9("pg")
        time.sleep(OUTAGE_S)  # the outage being tested, not a wait for a condition
        self.f.start_server("maria")
        maria_back = time.time()
        self.f.start_server("pg")
        pg_back = time.time()
        self.assertLessEqual(self.first_sample_after("maria", maria_back) - maria_back, RECOVERY_LIMIT_S)
        self.assertLessEqual(self.first_sample_after("pg", pg_back) - pg_back, RECOVERY_LIMIT_S)

        # 2. The replica goes away while the others run.
        self.f.stop_server("pg-replica")
        replica_gone = time.time()
        time.sleep(OUTAGE_S)
        self.f.start_server("pg-replica")
        replica_back = time.time()
        self.assertLessEqual(self.first_sample_after("pg-replica", replica_back) - replica_back, RECOVERY_LIMIT_S)
        # At least 5 s of steady sampling after every recovery, to check below.
        settled = max(pg_back, maria_back, replica_back) + RECOVERY_LIMIT_S + 5
        poll_until(lambda: time.time() >= settled + 1, 30, what="5 s of sampling after the recoveries")
        end = time.time()

        # Stored timestamps: a sample every second for whoever was up. The broken instances
        # (silent, wrong password) failed all along without delaying anyone.
        self.assert_every_second("pg-replica", start, replica_gone)
        self.assert_every_second("pg", start, pg_killed)
        self.assert_every_second("maria", start, maria_killed)
        self.assert_every_second("pg", pg_back + RECOVERY_LIMIT_S, end - 1)
        self.assert_every_second("maria", maria_back + RECOVERY_LIMIT_S, end - 1)
        self.assert_every_second("pg-replica", replica_back + RECOVERY_LIMIT_S, end - 1)
        self.assertIsNone(self.f.proc.poll(), "dbinsight exited:\n" + self.f.log_tail())
        # Each outage is recorded as a gap with its cause.
        for instance_id in ("pg", "maria", "pg-replica"):
            gaps = poll_until(lambda: self.gaps(instance_id, start, time.time() + 1), 20,
                              what=f"a recorded gap of {instance_id}")
            self.assertTrue(any(g["Reason"] for g in gaps), gaps)

    def gaps(self, instance_id, start, end):
        import json
        import urllib.request
        url = (f"{self.f.endpoint}/gaps?Identifier={self.f.resource_id(instance_id)}"
               f"&StartTime={int(start)}&EndTime={int(end)}")
        with urllib.request.urlopen(url, timeout=5) as r:
            return json.loads(r.read())["Gaps"]


if __name__ == "__main__":
    unittest.main()
