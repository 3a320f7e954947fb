"""`dbinsight top` end to end: a throwaway PostgreSQL (and MariaDB) under the loadgen
lock-chain scenario, `dbinsight top --target DSN` in a detached tmux session of fixed size.
The screen must show the scenario's statement and wait, switch to the SQL slice, pause,
survive a resize to 50x15, and quit with status 0 on `q`. The DSN's password never shows.
The plain snapshot (`--once`) is checked too.

  DBINSIGHT_BIN=build/src/app/dbinsight python3 tests/e2e/top_test.py -v
"""

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "api"))
import harness  # noqa: E402
from harness import poll_until  # noqa: E402

REPO = harness.REPO
PG_SCRIPT = os.path.join(REPO, "scripts", "pg-throwaway.sh")
MARIADB_SCRIPT = os.path.join(REPO, "scripts", "mariadb-throwaway.sh")
PASSWORD = "monitor-secret"  # the throwaway scripts' monitor password


def read(path):
    with open(path) as f:
        return f.read()


def env_lines(text):
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


class TopTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.binary = os.environ.get("DBINSIGHT_BIN") or os.path.join(REPO, "build", "src", "app", "dbinsight")
        if not os.access(cls.binary, os.X_OK):
            raise RuntimeError(f"dbinsight binary not found: set DBINSIGHT_BIN (tried {cls.binary})")
        if not shutil.which("tmux"):
            raise RuntimeError("tmux is not installed (scripts/setup.sh installs it)")
        cls.tmp = tempfile.mkdtemp(prefix="dbi-top-")
        os.chmod(cls.tmp, 0o755)  # the postgres user must traverse it
        cls.dirs = {}
        cls.env = {}
        try:
            cls.start_server("pg", PG_SCRIPT)
            cls.start_server("maria", MARIADB_SCRIPT)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def start_server(cls, name, script):
        cls.dirs[name] = os.path.join(cls.tmp, name)
        env = dict(os.environ, PG_THROWAWAY_OWNER_PID=str(os.getpid()), MARIADB_THROWAWAY_OWNER_PID=str(os.getpid()))
        out = subprocess.run([script, "start", cls.dirs[name]], env=env, capture_output=True, text=True,
                             timeout=300)
        if out.returncode != 0:
            raise RuntimeError(f"{os.path.basename(script)} start failed:\n{out.stderr}")
        cls.env[name] = env_lines(out.stdout)

    @classmethod
    def tearDownClass(cls):
        for name, script in (("pg", PG_SCRIPT), ("maria", MARIADB_SCRIPT)):
            d = cls.dirs.pop(name, None)
            if d:
                subprocess.run([script, "stop", d], capture_output=True, timeout=120)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # --- targets ----------------------------------------------------------------------------
    def loadgen_target(self, engine):
        if engine == "postgres":
            e = self.env["pg"]
            return f"host={e['PGHOST']} port={e['PGPORT']} user=postgres dbname=postgres"
        return f"mysql://root@localhost/?socket={self.env['maria']['MYSQL_SOCKET']}"

    def top_target(self, engine):
        """The least-privileged monitor role over TCP, password in the DSN (it must never show)."""
        if engine == "postgres":
            return (f"host=127.0.0.1 port={self.env['pg']['PGPORT']} user=monitor password={PASSWORD} "
                    "dbname=postgres")
        return f"mysql://monitor:{PASSWORD}@127.0.0.1:{self.env['maria']['MYSQL_PORT']}/"

    def start_lock_chain(self, engine):
        gen = subprocess.Popen([self.binary, "loadgen", "--target", self.loadgen_target(engine), "--scenario",
                                "lock-chain", "--duration", "300s"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.addCleanup(self.stop_loadgen, gen)
        for line in gen.stdout:  # log lines may come before the JSON one
            if line.startswith("{") and json.loads(line).get("event") == "started":
                return json.loads(line)
        self.fail(f"lock-chain did not start on {engine}")

    @staticmethod
    def stop_loadgen(gen):
        if gen.poll() is None:
            gen.send_signal(signal.SIGINT)
            gen.wait(timeout=60)
        gen.stdout.close()

    # --- tmux -------------------------------------------------------------------------------
    def tmux(self, *args):
        out = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, f"tmux {args}: {out.stderr}")
        return out.stdout

    def pane(self):
        """The visible screen, without the empty rows below the last drawn line."""
        return self.tmux("capture-pane", "-p", "-t", "top").rstrip("\n")

    def wait_for(self, what, check, timeout=30):
        """Polls the pane until check(text) holds; returns the text."""
        last = {}

        def ok():
            last["text"] = self.pane()
            return check(last["text"])
        poll_until(ok, timeout, every=0.2, what=what, detail=lambda: "\n" + last.get("text", ""))
        return last["text"]

    def run_top(self, engine, wait_token, blocker_state):
        truth = self.start_lock_chain(engine)
        self.assertEqual(truth["top_statement"], "waiter_hits")
        self.socket = f"dbi-top-{os.getpid()}-{engine}"
        status = os.path.join(self.tmp, f"{engine}.status")
        script = os.path.join(self.tmp, f"{engine}.sh")
        with open(script, "w") as f:
            f.write(f"{shlex.quote(self.binary)} top --target {shlex.quote(self.top_target(engine))} "
                    f"2>{shlex.quote(status)}.err; echo $? > {shlex.quote(status)}\n")
        self.tmux("new-session", "-d", "-s", "top", "-x", "120", "-y", "40", f"sh {shlex.quote(script)}")
        self.addCleanup(lambda: subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True))

        text = self.wait_for("the lock chain on the waits screen",
                             lambda t: "waiter_hits" in t and wait_token in t)
        print(f"\n--- {engine} 120x40, waits ---\n{text}", file=sys.stderr)
        lines = text.splitlines()
        self.assertIn(engine, lines[0])
        self.assertTrue(lines[1].startswith("AAS "), lines[1])
        self.assertIn(blocker_state, text)  # the blocker, though it adds no load
        self.assertNotIn(PASSWORD, text)

        self.tmux("send-keys", "-t", "top", "s")
        text = self.wait_for("the SQL slice", lambda t: "slice sql" in t and "SQL STATEMENT" in t)
        sql_rows = text.split("SQL STATEMENT", 1)[1].split("PID", 1)[0]
        self.assertIn("waiter_hits", sql_rows, text)

        self.tmux("send-keys", "-t", "top", "p")
        self.wait_for("the paused flag", lambda t: t.startswith("[PAUSED]"))

        self.tmux("resize-window", "-t", "top", "-x", "50", "-y", "15")
        # tmux cuts the old frame at once; top's own 50-column frame has dropped the APP column.
        text = self.wait_for("the 50x15 screen", lambda t: "PID" in t and "APP" not in t)
        print(f"--- {engine} 50x15, sql, paused ---\n{text}", file=sys.stderr)
        lines = text.splitlines()
        self.assertLessEqual(len(lines), 15)
        self.assertTrue(all(len(line) <= 50 for line in lines), text)
        self.assertTrue(lines[0].startswith("[PAUSED]"), text)
        self.assertTrue(lines[1].startswith("AAS "), text)
        self.assertNotIn("sampling failed", text)
        self.assertNotIn("\x1b", text)
        self.assertIn("SQL STATEMENT", text)
        self.assertIn("PID", text)
        self.assertIn("q quit", lines[-1])

        self.tmux("send-keys", "-t", "top", "q")
        poll_until(lambda: os.path.exists(status) and read(status).strip(), 30, what="top to exit")
        self.assertEqual(read(status).strip(), "0", read(status + ".err"))
        self.assertEqual(read(status + ".err"), "")  # nothing on stderr (nor a sanitizer report)

    def test_postgres_live(self):
        self.run_top("postgres", "Lock:", "idle in")

    def test_postgres_snapshot(self):
        self.start_lock_chain("postgres")
        out = subprocess.run([self.binary, "top", "--target", self.top_target("postgres"), "--once", "--samples",
                              "3"], capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        print(f"\n--- postgres snapshot ---\n{out.stdout}", file=sys.stderr)
        self.assertIn("waiter_hits", out.stdout)
        self.assertIn("Lock:transactionid", out.stdout)
        self.assertIn("window 10s, 3 samples", out.stdout)
        self.assertNotIn(PASSWORD, out.stdout + out.stderr)
        self.assertNotIn("\x1b", out.stdout)

    def test_unreachable_snapshot_fails_cleanly(self):
        out = subprocess.run([self.binary, "top", "--target", f"host=127.0.0.1 port=1 user=x password={PASSWORD}",
                              "--once", "--samples", "1"], capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 1, out.stdout)
        self.assertIn("top: ", out.stderr)
        self.assertNotIn(PASSWORD, out.stdout + out.stderr)

    def test_config_instance(self):
        """--config takes the instance's DSN and password_env; --instance picks one by id."""
        e = self.env["pg"]
        config = os.path.join(self.tmp, "top.yaml")
        with open(config, "w") as f:
            f.write(f"store: {os.path.join(self.tmp, 'store')}\n"
                    "instances:\n"
                    "  - id: first-pg\n"
                    "    engine: postgres\n"
                    "    dsn: host=127.0.0.1 port=1 user=monitor dbname=postgres\n"
                    "  - id: shop-pg\n"
                    "    engine: postgres\n"
                    f"    dsn: host=127.0.0.1 port={e['PGPORT']} user=monitor dbname=postgres\n"
                    "    password_env: DBI_TOP_PASSWORD\n"
                    "    vcpus: 2\n")
        env = dict(os.environ, DBI_TOP_PASSWORD=PASSWORD)
        top = [self.binary, "top", "--config", config, "--once", "--samples", "1"]
        out = subprocess.run(top + ["--instance", "shop-pg"], env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        first, second = out.stdout.splitlines()[:2]
        self.assertIn("shop-pg  postgres 15.", first)
        self.assertIn(" / 2 vCPUs", second)
        # The first instance is the default; it is down, so no snapshot.
        out = subprocess.run(top, env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 1, out.stdout)
        out = subprocess.run(top + ["--instance", "nope"], env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 2)
        self.assertIn("first-pg, shop-pg", out.stderr)

    def test_mariadb_live(self):
        self.run_top("mariadb", "row_lock", "Sleep")


if __name__ == "__main__":
    unittest.main()
