"""Test harness for the API client tests: a throwaway PostgreSQL (scripts/pg-throwaway.sh),
a `dbinsight serve` sampling it, and helpers to drive psql sessions, the aws CLI and boto3.

Runs under both interpreters the tests use (pyenv python3 + boto3 1.43 + aws-cli 1.x, and
Debian /usr/bin/python3 + boto3 1.26 + aws-cli 2.x). Standard library and boto3 only.
Waits are polls with deadlines, never fixed sleeps. Everything started is torn down in
stop(), which start() also calls when it fails halfway.
"""

import http.server
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PG_SCRIPT = os.path.join(REPO, "scripts", "pg-throwaway.sh")
PGBIN = os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin")
INSTANCE_ID = "api-test-pg"


def poll_until(done, timeout, every=0.2, what="condition", detail=None):
    """Calls done() until it returns a truthy value (returned) or timeout seconds pass;
    detail() (optional) describes the last state in the timeout error."""
    deadline = time.monotonic() + timeout
    while True:
        value = done()
        if value:
            return value
        if time.monotonic() >= deadline:
            last = f" (last state: {detail()})" if detail else ""
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}{last}")
        time.sleep(every)


def aws_cli():
    """The aws CLI of this interpreter's client generation: DBI_AWS_CLI if set, else
    /usr/bin/aws (v2) under Debian's python and `aws` from PATH (v1) under pyenv."""
    if os.environ.get("DBI_AWS_CLI"):
        return os.environ["DBI_AWS_CLI"]
    return "/usr/bin/aws" if sys.executable.startswith("/usr/bin/") else "aws"


def cli_major_version(cli):
    out = subprocess.run([cli, "--version"], capture_output=True, text=True, timeout=60)
    text = out.stdout + out.stderr
    return int(text.split("aws-cli/")[1].split(".")[0])


def terminate(proc):
    """Stops a dbinsight process (SIGTERM, then SIGKILL after 20 s); None or exited is fine."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JsonReceiver:
    """A local HTTP endpoint (webhooks, SNS http subscriptions) that records every POSTed
    JSON body with its path. It answers `status`: set it to 503 to play a receiver that is
    down (refused posts are counted, not recorded). close() stops it."""

    def __init__(self):
        self.received = []  # (path, body), in arrival order
        self.refused = 0
        self.status = 200
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    status = receiver.status
                    if status == 200:
                        receiver.received.append((self.path, json.loads(body)))
                    else:
                        receiver.refused += 1
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def bodies(self, path=None):
        """The bodies received (at `path` only, when given)."""
        with self.lock:
            return [body for p, body in self.received if path is None or p == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Harness:
    def __init__(self, sample_interval="1s", extra_config=""):
        self.sample_interval = sample_interval  # the ground truths assume 1-s sampling unless told
        self.extra_config = extra_config  # top-level YAML appended to the config
        self.tmp = None
        self.pg_dir = None
        self.pg_env = {}
        self.proc = None
        self.log_path = None
        self.port = None
        self.endpoint = None
        self.resource_id = None
        self.cli = aws_cli()
        self.cli_version = None
        self._sessions = []
        self._clients = {}

    # --- lifecycle -------------------------------------------------------------------------
    def start(self):
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self):
        binary = os.environ.get("DBINSIGHT_BIN") or os.path.join(REPO, "build", "src", "app", "dbinsight")
        if not os.access(binary, os.X_OK):
            raise RuntimeError(f"dbinsight binary not found: set DBINSIGHT_BIN (tried {binary})")
        self.tmp = tempfile.mkdtemp(prefix="dbi-api-")
        os.chmod(self.tmp, 0o755)  # the postgres user must traverse it
        self._client_environment()
        self.cli_version = cli_major_version(self.cli)

        self.pg_dir = os.path.join(self.tmp, "pg")
        env = dict(os.environ, PG_THROWAWAY_OWNER_PID=str(os.getpid()))
        out = subprocess.run([PG_SCRIPT, "start", self.pg_dir], env=env, capture_output=True, text=True,
                             timeout=180)
        if out.returncode != 0:
            self.pg_dir = None if not os.path.isdir(self.pg_dir) else self.pg_dir
            raise RuntimeError(f"pg-throwaway start failed ({out.returncode}):\n{out.stderr}")
        for line in out.stdout.splitlines():
            if "=" in line:
                key, value = line.split("=", 1)
                self.pg_env[key] = value

        for attempt in range(5):
            self.port = free_port()
            if self._start_dbinsight(binary):
                break
        else:
            raise RuntimeError("dbinsight could not bind a port after 5 attempts:\n" + self.log_tail())
        self.endpoint = f"http://127.0.0.1:{self.port}"
        health = poll_until(self._live_health, 60, what="GET /healthz to report sampling live")
        self.resource_id = health["instances"][0]["resource_id"]

    def _client_environment(self):
        # Fake credentials and no user config: both CLIs and boto3 read these.
        os.environ.update({
            "AWS_ACCESS_KEY_ID": "x",
            "AWS_SECRET_ACCESS_KEY": "y",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": os.path.join(self.tmp, "aws-config-absent"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(self.tmp, "aws-credentials-absent"),
            "AWS_PAGER": "",
            "AWS_CLI_AUTO_PROMPT": "off",
        })
        for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
            os.environ.pop(key, None)

    def _start_dbinsight(self, binary):
        """Starts dbinsight on self.port; False if that port turned out to be taken."""
        config = os.path.join(self.tmp, "dbinsight.yaml")
        with open(config, "w") as f:
            f.write(
                f"listen: 127.0.0.1:{self.port}\n"
                f"store: {os.path.join(self.tmp, 'store')}\n"
                "instances:\n"
                f"  - id: {INSTANCE_ID}\n"
                "    engine: postgres\n"
                f"    dsn: host=127.0.0.1 port={self.pg_env['PGPORT']} user=monitor dbname=postgres\n"
                "    password_env: DBI_TEST_MONITOR_PASSWORD\n"
                "    vcpus: 2\n"
                f"    sample_interval: {self.sample_interval}\n"
                + self.extra_config)
        self.log_path = os.path.join(self.tmp, f"dbinsight-{self.port}.log")
        env = dict(os.environ, DBI_TEST_MONITOR_PASSWORD=self.pg_env.get("PG_MONITOR_PASSWORD", "monitor-secret"))
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen([binary, "serve", "--config", config], stdout=log,
                                         stderr=subprocess.STDOUT, env=env)
        url = f"http://127.0.0.1:{self.port}/healthz"

        def answered_or_exited():
            if self.proc.poll() is not None:
                return "exited"
            try:
                urllib.request.urlopen(url, timeout=2).close()
                return "up"
            except urllib.error.HTTPError:
                return "up"  # 503 while sampling is not live yet is an answer
            except (urllib.error.URLError, ConnectionError, socket.timeout):
                return None

        if poll_until(answered_or_exited, 30, every=0.1, what="dbinsight to listen") == "up":
            return True
        self.proc = None
        if "cannot listen" in self.log_tail():
            return False
        raise RuntimeError("dbinsight exited during startup:\n" + self.log_tail())

    def _live_health(self):
        if self.proc.poll() is not None:
            raise RuntimeError("dbinsight exited:\n" + self.log_tail())
        status, body = self.healthz()
        if status == 200 and body.get("status") == "ok" and body["instances"][0]["sampling_live"]:
            return body
        return None

    def _reap_sessions(self):
        for p in self._sessions:
            if p.poll() is None:
                p.kill()
            p.wait()
            try:
                p.stdin.close()
            except BrokenPipeError:
                pass
        self._sessions = []

    def stop(self):
        for c in self._clients.values():
            getattr(c, "close", lambda: None)()
        self._clients = {}
        self._reap_sessions()
        terminate(self.proc)
        self.proc = None
        if self.pg_dir and os.path.isdir(self.pg_dir):
            subprocess.run([PG_SCRIPT, "stop", self.pg_dir], capture_output=True, timeout=120)
        self.pg_dir = None
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp = None

    def log_tail(self, lines=40):
        try:
            with open(self.log_path) as f:
                return "".join(f.readlines()[-lines:])
        except (OSError, TypeError):  # TypeError: no log yet
            return "(no log)"

    # --- HTTP, CLI, boto3 ------------------------------------------------------------------
    def healthz(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def aws(self, *args):
        """Runs the CLI against dbinsight. Returns (exit code, stdout, stderr)."""
        cmd = [self.cli, *args, "--endpoint-url", self.endpoint]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        return out.returncode, out.stdout, out.stderr

    def aws_json(self, *args):
        rc, out, err = self.aws(*args, "--output", "json")
        if rc != 0:
            raise AssertionError(f"aws {' '.join(args)} failed with {rc}:\n{err}")
        return json.loads(out)

    def client(self, service):
        """A boto3 client for dbinsight, one per service, closed by stop()."""
        if service not in self._clients:
            import boto3
            from botocore.config import Config
            session = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="y",
                                            region_name="us-east-1")
            self._clients[service] = session.client(service, endpoint_url=self.endpoint,
                                                    config=Config(retries={"max_attempts": 1}))
        return self._clients[service]

    # --- PostgreSQL sessions ---------------------------------------------------------------
    def _pg_env(self, application):
        return dict(os.environ, PGHOST=self.pg_env["PGHOST"], PGPORT=self.pg_env["PGPORT"], PGUSER="postgres",
                    PGDATABASE="postgres", PGAPPNAME=application)

    def psql(self, sql, application="dbi-api-test"):
        """Runs SQL to completion as the superuser over the socket; returns unaligned rows."""
        out = subprocess.run([os.path.join(PGBIN, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                              "-c", sql], env=self._pg_env(application), capture_output=True, text=True,
                             timeout=60)
        if out.returncode != 0:
            raise RuntimeError(f"psql failed: {out.stderr}")
        return out.stdout

    def session(self, application, statements=None):
        """A psql process fed through a stdin pipe: it stays connected (and, inside a
        transaction, keeps its locks) until close() or stop(). `statements` are sent at once."""
        with open(os.path.join(self.tmp, "psql-sessions.log"), "a") as log:
            p = subprocess.Popen([os.path.join(PGBIN, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1"],
                                 stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log,
                                 env=self._pg_env(application), text=True)
        self._sessions.append(p)
        if statements:
            p.stdin.write(statements)
            p.stdin.flush()
        return p

    def end_sessions(self, application_prefix):
        """Terminates every backend whose application_name starts with the prefix and
        reaps the psql processes."""
        self.psql("select pg_terminate_backend(pid) from pg_stat_activity "
                  f"where application_name like '{application_prefix}%'")
        for p in self._sessions:
            try:
                p.stdin.close()  # psql ends at EOF
            except BrokenPipeError:
                pass
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        self._reap_sessions()


def mean(values):
    values = list(values)
    return sum(values) / len(values) if values else math.nan
