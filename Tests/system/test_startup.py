"""Start-up as an operator sees it: defaults, databases, the health check, bad settings."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import pytest

from conftest import assert_no_crash, free_port, json_lines, run_punchlist


def test_sqlite_start_with_only_port_and_data_dir(start_server, tmp_path: Path):
    data_dir = tmp_path / "not" / "yet" / "there"
    assert not data_dir.exists()
    started = time.monotonic()
    # Nothing but PORT and DATA_DIR: every other setting must have a working default.
    server = start_server(PORT=str(free_port()), DATA_DIR=str(data_dir), HOST=None, LOG_FORMAT=None)

    health = server.wait_for("/health", 200, timeout=5)
    assert health.json()["status"] == "healthy", health.text
    ready = server.wait_for("/ready", 200, timeout=5)
    elapsed = time.monotonic() - started
    assert ready.json() == {"status": "ready", "database": "sqlite"}, ready.text
    assert elapsed < 5, f"took {elapsed:.1f} s to become ready"

    assert data_dir.is_dir(), "DATA_DIR (nested, missing) was not created"
    assert (data_dir / "punchlist.sqlite").is_file(), f"no punchlist.sqlite in DATA_DIR: {list(data_dir.iterdir())}"


def test_postgres_start(start_server, fresh_database: str):
    server = start_server(DATABASE_URL=fresh_database)
    ready = server.wait_for("/ready", 200, timeout=15)
    assert ready.json() == {"status": "ready", "database": "postgres"}, ready.text
    # With DATABASE_URL set, no SQLite file is made on the side.
    assert not (Path(server.env["DATA_DIR"]) / "punchlist.sqlite").exists()


def test_healthcheck_command(start_server, punchlist_bin: str, tmp_path: Path):
    server = start_server()
    server.wait_for("/health", 200, timeout=10)
    hostport = {"PORT": str(server.port), "HOST": server.host}

    started = time.monotonic()
    up = run_punchlist(punchlist_bin, tmp_path, "healthcheck", timeout=10, **hostport)
    assert up.returncode == 0, f"healthcheck against a running server: exit {up.returncode}\n{up.stdout}\n{up.stderr}"
    assert time.monotonic() - started < 5

    server.kill()  # now nothing listens on that port
    started = time.monotonic()
    down = run_punchlist(punchlist_bin, tmp_path, "healthcheck", timeout=10, **hostport)
    assert down.returncode == 1, f"healthcheck with nothing listening: exit {down.returncode}\n{down.stdout}\n{down.stderr}"
    assert time.monotonic() - started < 5
    assert_no_crash(down.stdout, down.stderr)


@pytest.mark.parametrize(
    "variable, value",
    [("PORT", "abc"), ("DATABASE_URL", "mysql://x/y"), ("AUTH_SECRET", "short")],
)
def test_bad_setting_stops_start_with_one_line(punchlist_bin: str, tmp_path: Path, variable: str, value: str):
    settings = {"PORT": str(free_port()), "DATA_DIR": str(tmp_path / "data"), "LOG_FORMAT": "json", variable: value}
    started = time.monotonic()
    done = run_punchlist(punchlist_bin, tmp_path, timeout=10, **settings)
    elapsed = time.monotonic() - started

    assert done.returncode != 0, f"{variable}={value!r} was accepted\n{done.stdout}\n{done.stderr}"
    assert elapsed < 3, f"took {elapsed:.1f} s to refuse {variable}={value!r}"
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected exactly one line on stderr, got {len(lines)}:\n{done.stderr}"
    assert variable in lines[0], f"the line does not name {variable}: {lines[0]!r}"
    assert_no_crash(done.stdout, done.stderr)


def test_unreachable_database_gives_up_in_time_without_leaking_password(punchlist_bin: str, tmp_path: Path):
    password = "pw" + secrets.token_hex(8)
    closed_port = free_port()  # nothing listens there
    url = f"postgres://punchlist:{password}@127.0.0.1:{closed_port}/punchlist?sslmode=disable"
    settings = {"PORT": str(free_port()), "DATA_DIR": str(tmp_path / "data"), "LOG_FORMAT": "json",
                "DATABASE_URL": url, "DATABASE_CONNECT_TIMEOUT": "2"}
    started = time.monotonic()
    done = run_punchlist(punchlist_bin, tmp_path, timeout=15, **settings)
    elapsed = time.monotonic() - started

    assert done.returncode != 0, f"started without its database\n{done.stdout}\n{done.stderr}"
    assert elapsed < 10, f"took {elapsed:.1f} s to give up with DATABASE_CONNECT_TIMEOUT=2"
    assert elapsed > 1, f"gave up after {elapsed:.2f} s: it did not retry for DATABASE_CONNECT_TIMEOUT"
    assert password not in done.stdout + done.stderr, f"the password leaked:\n{done.stdout}\n{done.stderr}"
    assert_no_crash(done.stdout, done.stderr)

    # Retry warnings are JSON log lines; the reason for stopping is one plain line, last.
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    plain = [line for line in lines if not line.lstrip().startswith("{")]
    assert len(plain) == 1, f"expected one line saying why it stopped, got {len(plain)}:\n{done.stderr}"
    assert "DATABASE_URL" in plain[0], f"the line does not name DATABASE_URL: {plain[0]!r}"
    assert lines[-1] == plain[0], f"the reason is not the last line:\n{done.stderr}"
    json_lines("\n".join(line for line in lines if line is not plain[0]))
