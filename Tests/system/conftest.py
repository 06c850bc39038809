"""Fixtures for Punchlist's process-level system tests.

These tests run the real `punchlist` executable as an operator would: as a child process
configured only through its environment, talked to over TCP, stopped with signals. They
complement `swift test` (which drives the application in-process) with what only a real
process shows: exit codes, stderr, start-up against real databases, signal handling.

Inputs (all optional):
  PUNCHLIST_BIN      the executable (default: .build/debug/punchlist in the repository)
  TEST_DATABASE_URL  an admin URL of a PostgreSQL server the tests may create databases on
                     (default: `scripts/pg-test-cluster start`)
  CI=true            a PostgreSQL that cannot be had is then a failure, not a skip

Every wait here is bounded; every process started here is killed at teardown.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
PG_CLUSTER = REPO / "scripts" / "pg-test-cluster"
IN_CI = os.environ.get("CI", "").lower() in ("true", "1", "yes")

# Only these variables of the test runner's own environment reach the server: a developer's
# DATABASE_URL or AUTH_SECRET must not leak into a test that means to run without them.
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")


# --- small helpers ---------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(**settings: str) -> dict[str, str]:
    env = {k: os.environ[k] for k in PASSED_THROUGH if k in os.environ}
    env.update({k: str(v) for k, v in settings.items()})
    return env


def wait_until(predicate: Callable[[], object], timeout: float, interval: float = 0.05) -> object:
    """Calls predicate until it returns something truthy; returns that, or None at timeout.
    (Beware: a requests.Response with a 4xx/5xx status is falsy; wrap it in a tuple.)"""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


def json_lines(text: str) -> list[dict]:
    """Every non-empty line of text parsed as a JSON object; fails the test on any other."""
    objects = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            pytest.fail(f"stderr line {number} is not JSON: {line!r}\n--- stderr ---\n{text}")
        assert isinstance(value, dict), f"stderr line {number} is JSON but not an object: {line!r}"
        objects.append(value)
    return objects


NO_CRASH_MARKERS = ("Fatal error", "Stack dump", "Backtrace", "Current stack trace", "Illegal instruction")


def assert_no_crash(*texts: str) -> None:
    for text in texts:
        for marker in NO_CRASH_MARKERS:
            assert marker not in text, f"{marker!r} in output:\n{text}"


# --- raw HTTP, for requests kept in flight on purpose -------------------------------


def read_http_response(sock: socket.socket, already: bytes, deadline: float) -> tuple[bytes, bytes, bool]:
    """Reads one HTTP/1.1 response; returns (head, body, complete). complete is False when the
    connection ended (or the deadline passed) before the response did."""
    data = already
    while True:
        if b"\r\n\r\n" in data:
            head, _, body = data.partition(b"\r\n\r\n")
            length = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
            if length and len(body) >= int(length.group(1)):
                return head, body[: int(length.group(1))], True
            if re.search(rb"(?im)^transfer-encoding:.*chunked", head) and body.endswith(b"0\r\n\r\n"):
                return head, body, True
            if re.match(rb"HTTP/1\.[01] (1\d\d|204|304) ", head):
                return head, b"", True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return data, b"", False
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            return data, b"", False
        except (ConnectionResetError, BrokenPipeError):
            return data, b"", False
        if not chunk:
            head, _, body = data.partition(b"\r\n\r\n")
            # A response without length ends at close; any framed one is incomplete here.
            framed = re.search(rb"(?im)^(content-length|transfer-encoding):", head)
            return head, body, bool(head.startswith(b"HTTP/1.") and b"\r\n\r\n" in data and not framed)
        data += chunk


def received_so_far(sock: socket.socket) -> bytes:
    """Whatever the server has sent already, without waiting."""
    sock.setblocking(False)
    try:
        return sock.recv(65536)
    except (BlockingIOError, InterruptedError):
        return b""
    finally:
        sock.setblocking(True)


# --- the executable ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def punchlist_bin() -> str:
    # Absolute: servers run with their own working directory.
    path = Path(os.environ.get("PUNCHLIST_BIN") or REPO / ".build" / "debug" / "punchlist").resolve()
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"no punchlist executable at {path}: run `swift build --product punchlist` or set PUNCHLIST_BIN")
    return str(path)


@dataclass
class Server:
    """One `punchlist` child process. stdout/stderr go to files (a full pipe would block it)."""

    proc: subprocess.Popen
    port: int
    host: str
    env: dict[str, str]
    workdir: Path
    stdout_path: Path
    stderr_path: Path
    _stdout_file: object = field(repr=False, default=None)
    _stderr_file: object = field(repr=False, default=None)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def logs(self) -> str:
        return f"--- exit code: {self.proc.poll()}\n--- stdout ---\n{self.stdout()}\n--- stderr ---\n{self.stderr()}"

    def get(self, path: str, timeout: float = 3.0, **kwargs) -> requests.Response:
        return requests.get(self.url + path, timeout=timeout, **kwargs)

    def wait_for(self, path: str, status: int = 200, timeout: float = 10.0) -> requests.Response:
        """Polls path until it answers status; fails (with the server's logs) at timeout."""
        last: list[object] = [None]

        def attempt():
            if self.proc.poll() is not None:
                pytest.fail(f"punchlist exited while waiting for {path}\n{self.logs()}")
            try:
                response = self.get(path, timeout=2.0)
            except requests.RequestException as error:
                last[0] = error
                return None
            last[0] = f"{response.status_code} {response.text[:300]}"
            return (response,) if response.status_code == status else None

        answered = wait_until(attempt, timeout, interval=0.1)
        if answered is None:
            pytest.fail(f"{path} did not answer {status} within {timeout} s (last: {last[0]})\n{self.logs()}")
        return answered[0]

    def signal(self, sig: int) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)

    def wait_exit(self, timeout: float) -> int | None:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        for f in (self._stdout_file, self._stderr_file):
            if f is not None and not f.closed:
                f.close()


@pytest.fixture
def start_server(punchlist_bin: str, tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """start_server(**env) runs `punchlist [args]` with a free PORT, a fresh DATA_DIR and
    LOG_FORMAT=json unless env overrides them (pass NAME=None to leave NAME unset)."""
    servers: list[Server] = []

    def start(*args: str, **settings: str | None) -> Server:
        n = len(servers)
        workdir = tmp_path / f"server{n}"
        workdir.mkdir()  # also the working directory: no stray .env is read
        defaults = {"PORT": str(free_port()), "HOST": "127.0.0.1", "DATA_DIR": str(workdir / "data"), "LOG_FORMAT": "json"}
        defaults.update(settings)
        env = base_env(**{k: v for k, v in defaults.items() if v is not None})
        stdout_path, stderr_path = workdir / "stdout.log", workdir / "stderr.log"
        out, err = open(stdout_path, "wb"), open(stderr_path, "wb")
        proc = subprocess.Popen([punchlist_bin, *args], env=env, cwd=workdir, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        port = env.get("PORT", "7860")
        server = Server(proc, int(port) if port.isdigit() else 0, env.get("HOST", "127.0.0.1"), env, workdir,
                        stdout_path, stderr_path, out, err)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.kill()


def run_punchlist(punchlist_bin: str, cwd: Path, *args: str, timeout: float = 20.0, **settings: str) -> subprocess.CompletedProcess:
    """Runs `punchlist args` to completion (bounded) with only settings in its environment."""
    return subprocess.run([punchlist_bin, *args], env=base_env(**settings), cwd=cwd, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, errors="replace", timeout=timeout)


# --- PostgreSQL --------------------------------------------------------------------------


def psql(url: str, sql: str, timeout: float = 15.0) -> str:
    """Runs sql through psql against url; returns its unaligned, tuples-only output."""
    env = dict(os.environ, PGCONNECT_TIMEOUT="5")
    done = subprocess.run(["psql", url, "-X", "-v", "ON_ERROR_STOP=1", "-A", "-t", "-F", "|", "-c", sql],
                          env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"psql failed ({done.returncode}) on {sql!r}: {done.stderr.strip()}")
    return done.stdout.strip()


def with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    """An admin URL of a running PostgreSQL; skip (fail under CI=true) when there is none."""
    url = os.environ.get("TEST_DATABASE_URL")
    problem = None
    if not url:
        try:
            done = subprocess.run([str(PG_CLUSTER), "start"], capture_output=True, text=True, timeout=120)
            if done.returncode == 0 and done.stdout.strip():
                url = done.stdout.strip().splitlines()[-1]
            else:
                problem = f"scripts/pg-test-cluster start failed ({done.returncode}): {done.stderr.strip()[-2000:]}"
        except (OSError, subprocess.TimeoutExpired) as error:
            problem = f"scripts/pg-test-cluster start: {error}"
    if url and problem is None:
        try:
            psql(url, "SELECT 1")
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
            problem = f"PostgreSQL at {url} does not answer: {error}"
    if problem:
        if IN_CI:
            pytest.fail(f"CI=true and no PostgreSQL: {problem}")
        pytest.skip(f"no PostgreSQL: {problem}")
    return url


@pytest.fixture
def fresh_database(pg_admin_url: str) -> Iterator[str]:
    """The URL of a new, empty database, dropped again after the test."""
    name = f"punchlist_sys_{secrets.token_hex(6)}"
    psql(pg_admin_url, f"CREATE DATABASE {name}")
    try:
        yield with_database(pg_admin_url, name)
    finally:
        # WITH (FORCE) (PostgreSQL 13+) ends connections a killed server may have left.
        try:
            psql(pg_admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            print(f"warning: could not drop {name}: {error}")


@dataclass
class PrivateCluster:
    """A PostgreSQL cluster of this test's own, run by scripts/pg-test-cluster."""

    base: Path
    port: int

    def _run(self, command: str, timeout: float = 90.0) -> subprocess.CompletedProcess:
        env = dict(os.environ, PUNCHLIST_PG_DIR=str(self.base), PUNCHLIST_PG_PORT=str(self.port))
        return subprocess.run([str(PG_CLUSTER), command], env=env, capture_output=True, text=True, timeout=timeout)

    def start(self) -> str:
        done = self._run("start")
        assert done.returncode == 0, f"private cluster did not start: {done.stderr[-3000:]}"
        return done.stdout.strip().splitlines()[-1]

    def stop(self) -> None:
        done = self._run("stop", timeout=60)
        assert done.returncode == 0, f"private cluster did not stop: {done.stderr[-3000:]}"

    def is_running(self) -> bool:
        return self._run("status", timeout=30).returncode == 0

    def refuse(self) -> None:
        """Restarts it refusing every connection with SQLSTATE 57P03, as while starting up."""
        done = self._run("refuse")
        assert done.returncode == 0, f"private cluster did not start refusing: {done.stderr[-3000:]}"

    def promote(self) -> None:
        """Ends refuse(): it takes connections again."""
        done = self._run("promote")
        assert done.returncode == 0, f"private cluster did not take connections: {done.stderr[-3000:]}"


@pytest.fixture
def private_cluster(pg_admin_url: str) -> Iterator[PrivateCluster]:
    """A second, private cluster (the shared one must not be disturbed), removed afterwards.
    Depends on pg_admin_url only so that it skips/fails the same way when PostgreSQL is missing."""
    # Directly under /tmp: as root the script runs the server as an unprivileged user, which
    # must be able to reach this directory (pytest's tmp_path is inside a 0700 directory).
    base = Path(tempfile.mkdtemp(prefix="punchlist-sys-pg-", dir="/tmp"))
    cluster = PrivateCluster(base, free_port())
    try:
        yield cluster
    finally:
        try:
            cluster._run("stop", timeout=60)
        finally:
            shutil.rmtree(base, ignore_errors=True)

