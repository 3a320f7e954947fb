"""A fleet for end-to-end tests: a throwaway PostgreSQL primary (optionally with a streaming
replica), a throwaway MariaDB, optionally broken instances (a port that accepts TCP but never
answers; a wrong password), and one `dbinsight serve` watching them all.

Shares the client plumbing of tests/api/harness.py (poll_until, CLI choice, credentials).
Waits are polls with deadlines. Everything started is torn down in stop().
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "api"))
import harness  # noqa: E402
from harness import poll_until  # noqa: E402,F401  (re-exported for the tests)

REPO = harness.REPO
PG_SCRIPT = os.path.join(REPO, "scripts", "pg-throwaway.sh")
MARIADB_SCRIPT = os.path.join(REPO, "scripts", "mariadb-throwaway.sh")
PGBIN = harness.PGBIN


def _env_lines(text):
    env = {}
    for line in text.splitlines():
        if "=" in line:
            key, value = line.split("=", 1)
            env[key] = value
    return env


class Fleet:
    """Instance ids: pg (primary), pg-replica, maria, silent, badpw (as enabled)."""

    def __init__(self, replica=False, mariadb=True, broken=False, statements_interval="2s",
                 mariadb_pfs="on", extra_config="", vcpus=None):
        self.replica = replica
        self.mariadb = mariadb
        self.broken = broken
        self.statements_interval = statements_interval
        self.mariadb_pfs = mariadb_pfs
        self.extra_config = extra_config  # top-level YAML appended to the config (e.g. notifications:)
        self.vcpus = vcpus  # every instance's `vcpus:` when given
        self.tmp = None
        self.dirs = {}  # instance id -> throwaway dir
        self.env = {}   # instance id -> env lines of its throwaway script
        self.proc = None
        self.port = None
        self.endpoint = None
        self.log_path = None
        self.silent = None
        self.cli = harness.aws_cli()
        self._clients = {}
        self._sessions = []

    # --- lifecycle -------------------------------------------------------------------------
    def start(self):
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _script(self, script, *args, extra_env=None):
        env = dict(os.environ, PG_THROWAWAY_OWNER_PID=str(os.getpid()),
                   MARIADB_THROWAWAY_OWNER_PID=str(os.getpid()), **(extra_env or {}))
        out = subprocess.run([script, *args], env=env, capture_output=True, text=True, timeout=300)
        if out.returncode != 0:
            raise RuntimeError(f"{os.path.basename(script)} {' '.join(args)} failed ({out.returncode}):\n"
                               f"{out.stderr}")
        return out.stdout

    def _start(self):
        binary = os.environ.get("DBINSIGHT_BIN") or os.path.join(REPO, "build", "src", "app", "dbinsight")
        if not os.access(binary, os.X_OK):
            raise RuntimeError(f"dbinsight binary not found: set DBINSIGHT_BIN (tried {binary})")
        self.tmp = tempfile.mkdtemp(prefix="dbi-fleet-")
        os.chmod(self.tmp, 0o755)  # the postgres user must traverse it
        harness.Harness._client_environment(self)

        self.dirs["pg"] = os.path.join(self.tmp, "pg")
        self.env["pg"] = _env_lines(self._script(PG_SCRIPT, "start", self.dirs["pg"]))
        if self.replica:
            self.dirs["pg-replica"] = os.path.join(self.tmp, "pgr")
            self.env["pg-replica"] = _env_lines(
                self._script(PG_SCRIPT, "start-replica", self.dirs["pg-replica"], self.dirs["pg"]))
        if self.mariadb:
            self.dirs["maria"] = os.path.join(self.tmp, "maria")
            self.env["maria"] = _env_lines(self._script(MARIADB_SCRIPT, "start", self.dirs["maria"],
                                                        extra_env={"MARIADB_PFS": self.mariadb_pfs}))
        if self.broken:
            # Accepts TCP (the kernel completes handshakes into the backlog) and never answers.
            self.silent = socket.socket()
            self.silent.bind(("127.0.0.1", 0))
            self.silent.listen(64)

        for _ in range(5):
            self.port = harness.free_port()
            if self._start_dbinsight(binary):
                break
        else:
            raise RuntimeError("dbinsight could not bind a port after 5 attempts:\n" + self.log_tail())
        self.endpoint = f"http://127.0.0.1:{self.port}"
        poll_until(lambda: all(self.instance(i)["sampling_live"] for i in self.healthy_ids()), 90,
                   what="sampling live on every healthy instance", detail=lambda: self.healthz()[1])

    def healthy_ids(self):
        return [i for i in ("pg", "pg-replica", "maria") if i in self.dirs]

    def config_text(self):
        vcpus = f"    vcpus: {self.vcpus}\n" if self.vcpus else ""

        def pg(instance_id, env, password_env="DBI_FLEET_PG_PASSWORD", extra=""):
            return (f"  - id: {instance_id}\n"
                    "    engine: postgres\n"
                    f"    dsn: host=127.0.0.1 port={env['PGPORT']} user=monitor dbname=postgres\n"
                    f"    password_env: {password_env}\n"
                    "    host_metrics: true\n" + vcpus + extra)
        text = (f"listen: 127.0.0.1:{self.port}\n"
                f"store: {os.path.join(self.tmp, 'store')}\n"
                "sample_interval: 1s\n"
                "counters_interval: 1s\n"
                f"statements_interval: {self.statements_interval}\n"
                "connect_timeout: 2s\n"
                "query_timeout: 2s\n"
                + self.extra_config +
                "instances:\n")
        text += pg("pg", self.env["pg"])
        if self.replica:
            text += pg("pg-replica", self.env["pg-replica"], extra="    replica_of: pg\n")
        if self.mariadb:
            e = self.env["maria"]
            text += ("  - id: maria\n"
                     "    engine: mariadb\n"
                     f"    dsn: mysql://monitor@127.0.0.1:{e['MYSQL_PORT']}/\n"
                     "    password_env: DBI_FLEET_MARIA_PASSWORD\n"
                     "    host_metrics: true\n" + vcpus)
        if self.broken:
            text += ("  - id: silent\n"
                     "    engine: postgres\n"
                     f"    dsn: host=127.0.0.1 port={self.silent.getsockname()[1]} user=monitor dbname=postgres\n")
            text += pg("badpw", self.env["pg"], password_env="DBI_FLEET_BAD_PASSWORD")
        return text

    def _start_dbinsight(self, binary):
        """Starts dbinsight on self.port; False if that port turned out to be taken."""
        config = os.path.join(self.tmp, "dbinsight.yaml")
        with open(config, "w") as f:
            f.write(self.config_text())
        self.log_path = os.path.join(self.tmp, f"dbinsight-{self.port}.log")
        env = dict(os.environ,
                   DBI_FLEET_PG_PASSWORD=self.env["pg"]["PG_MONITOR_PASSWORD"],
                   DBI_FLEET_MARIA_PASSWORD=self.env.get("maria", {}).get("MYSQL_MONITOR_PASSWORD", ""),
                   DBI_FLEET_BAD_PASSWORD="not-the-password-7f3a")
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen([binary, "serve", "--config", config], stdout=log,
                                         stderr=subprocess.STDOUT, env=env)

        def answered_or_exited():
            if self.proc.poll() is not None:
                return "exited"
            return "up" if self.healthz()[0] else None

        if poll_until(answered_or_exited, 30, every=0.1, what="dbinsight to listen") == "up":
            return True
        self.proc = None
        if "cannot listen" in self.log_tail():
            return False
        raise RuntimeError("dbinsight exited during startup:\n" + self.log_tail())

    def stop(self):
        for c in self._clients.values():
            getattr(c, "close", lambda: None)()
        self._clients = {}
        for p in self._sessions:
            if p.poll() is None:
                p.kill()
            p.wait()
        self._sessions = []
        harness.terminate(self.proc)
        self.proc = None
        for instance_id in ("pg-replica", "pg", "maria"):
            d = self.dirs.pop(instance_id, None)
            if d and os.path.isdir(d):
                script = MARIADB_SCRIPT if instance_id == "maria" else PG_SCRIPT
                subprocess.run([script, "stop", d], capture_output=True, timeout=120)
        if self.silent:
            self.silent.close()
            self.silent = None
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp = None

    # The same plumbing as the single-instance harness.
    log_tail = harness.Harness.log_tail
    aws = harness.Harness.aws
    aws_json = harness.Harness.aws_json
    client = harness.Harness.client

    # --- dbinsight ---------------------------------------------------------------------------
    def healthz(self):
        """(status, body); status 0 when dbinsight does not answer."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")
        except (urllib.error.URLError, ConnectionError, socket.timeout):
            return 0, {}

    def instance(self, instance_id):
        status, body = self.healthz()
        if not status:
            raise RuntimeError("dbinsight does not answer:\n" + self.log_tail())
        for i in body["instances"]:
            if i["id"] == instance_id:
                return i
        raise KeyError(instance_id)

    def resource_id(self, instance_id):
        return self.instance(instance_id)["resource_id"]

    def load_seconds(self, instance_id, start, end):
        """Epoch seconds in [start, end) that hold a stored DB-load sample of the instance."""
        r = self.client("pi").get_resource_metrics(
            ServiceType="RDS", Identifier=self.resource_id(instance_id), StartTime=int(start), EndTime=int(end),
            PeriodInSeconds=1, MetricQueries=[{"Metric": "db.load.avg"}])
        # END_TIME alignment: a point is stamped with the end of its second.
        return sorted(int(p["Timestamp"].timestamp()) - 1 for p in r["MetricList"][0]["DataPoints"])

    def incidents(self, instance_id):
        """GET /incidents of one instance, newest first."""
        with urllib.request.urlopen(f"{self.endpoint}/incidents?Instance={instance_id}", timeout=10) as r:
            return json.loads(r.read())["Incidents"]

    def analysis_report(self, instance_id, start, end):
        """A root-cause report of [start, end) through PI (boto3); raises unless it SUCCEEDED with insights."""
        pi = self.client("pi")
        resource = self.resource_id(instance_id)
        report_id = pi.create_performance_analysis_report(ServiceType="RDS", Identifier=resource, StartTime=start,
                                                          EndTime=end)["AnalysisReportId"]
        report = pi.get_performance_analysis_report(ServiceType="RDS", Identifier=resource,
                                                    AnalysisReportId=report_id)["AnalysisReport"]
        if report["Status"] != "SUCCEEDED" or not report["Insights"]:
            raise AssertionError(f"report {report_id}: {report}")
        return report

    # --- the monitored servers -----------------------------------------------------------
    def loadgen_target(self, engine):
        """A superuser DSN of the fleet's PostgreSQL primary or MariaDB: loadgen creates its schema."""
        if engine == "postgres":
            e = self.env["pg"]
            return f"host={e['PGHOST']} port={e['PGPORT']} user=postgres dbname=postgres"
        return f"mysql://root@localhost/?socket={self.env['maria']['MYSQL_SOCKET']}"

    def psql(self, sql, instance_id="pg", database="postgres"):
        e = self.env[instance_id]
        out = subprocess.run([os.path.join(PGBIN, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                              "-h", e["PGHOST"], "-p", e["PGPORT"], "-U", "postgres", "-d", database, "-c", sql],
                             capture_output=True, text=True, timeout=300)
        if out.returncode != 0:
            raise RuntimeError(f"psql failed: {out.stderr}")
        return out.stdout

    def mariadb_sql(self, sql, database="app"):
        e = self.env["maria"]
        out = subprocess.run(["mariadb", "--no-defaults", "-uroot", f"--socket={e['MYSQL_SOCKET']}", "-N", "-B",
                              database, "-e", sql], capture_output=True, text=True, timeout=300)
        if out.returncode != 0:
            raise RuntimeError(f"mariadb failed: {out.stderr}")
        return out.stdout

    def background(self, argv):
        """A client process left running (a load generator); killed by stop()."""
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._sessions.append(p)
        return p

    def kill9(self, instance_id):
        """SIGKILL the monitored server (its postmaster / mariadbd), keeping its data."""
        if instance_id == "maria":
            self._script(MARIADB_SCRIPT, "crash", self.dirs["maria"])
            return
        with open(os.path.join(self.dirs[instance_id], "data", "postmaster.pid")) as f:
            pid = int(f.readline())
        os.kill(pid, signal.SIGKILL)
        poll_until(lambda: not _alive(pid), 30, every=0.05, what=f"postmaster {pid} to die")

    def stop_server(self, instance_id):
        script = MARIADB_SCRIPT if instance_id == "maria" else PG_SCRIPT
        self._script(script, "stop-server", self.dirs[instance_id])

    def start_server(self, instance_id):
        script = MARIADB_SCRIPT if instance_id == "maria" else PG_SCRIPT
        if instance_id != "maria":
            # After a kill -9 the children linger a moment and hold the shared memory.
            pidfile = os.path.join(self.dirs[instance_id], "data", "postmaster.pid")
            if os.path.exists(pidfile):
                with open(pidfile) as f:
                    pid = int(f.readline())
                if not _alive(pid):
                    os.unlink(pidfile)
        if instance_id == "maria":
            self._script(script, "start-server", self.dirs[instance_id])
            return
        # Backends of a killed postmaster exit on their own within moments; until they
        # have, the old shared memory is in use and the start fails: retry.
        def started():
            try:
                self._script(script, "start-server", self.dirs[instance_id])
                return True
            except RuntimeError:
                return False
        poll_until(started, 60, every=0.5, what=f"{instance_id} to start again")


def _alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
