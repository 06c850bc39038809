"""PostgreSQL under operation: concurrent start-ups, a database still starting, and the database
going away and back."""

from __future__ import annotations

import threading
import time

import requests

from conftest import assert_no_crash, json_lines, psql, wait_until


def test_two_replicas_starting_together_migrate_once(start_server, fresh_database: str):
    # Started back to back (microseconds apart, well inside the binary's own start-up time):
    # both race for the same empty database.
    first = start_server(DATABASE_URL=fresh_database)
    second = start_server(DATABASE_URL=fresh_database)
    for server in (first, second):
        ready = server.wait_for("/ready", 200, timeout=20)
        assert ready.json()["database"] == "postgres"

    per_version = psql(fresh_database, "SELECT version, count(*) FROM schema_migrations GROUP BY version ORDER BY version")
    rows = [line.split("|") for line in per_version.splitlines() if line]
    assert rows, "schema_migrations is empty"
    twice = [(version, count) for version, count in rows if count != "1"]
    assert not twice, f"migrations recorded more than once: {twice}"
    total = int(psql(fresh_database, "SELECT count(*) FROM schema_migrations"))
    distinct = int(psql(fresh_database, "SELECT count(DISTINCT version) FROM schema_migrations"))
    assert total == distinct == len(rows)

    for name, server in (("first", first), ("second", second)):
        stderr = server.stderr()
        assert_no_crash(server.stdout(), stderr)
        errors = [line for line in json_lines(stderr) if str(line.get("level", "")).lower() in ("error", "critical")]
        assert not errors, f"{name} server logged errors: {errors}\n{server.logs()}"


def test_start_waits_for_a_database_still_starting_up(start_server, private_cluster):
    # A Compose database started at the same moment, or a server recovering after a crash,
    # takes the connection and answers "the database system is not accepting connections"
    # (SQLSTATE 57P03). That is "not up yet", like a refused connection: start-up must retry
    # within DATABASE_CONNECT_TIMEOUT, not exit at once naming DATABASE_URL.
    url = private_cluster.start()
    private_cluster.refuse()
    server = start_server(DATABASE_URL=url, DATABASE_CONNECT_TIMEOUT="60")
    retried = wait_until(lambda: server.stderr().count("database not reachable yet") >= 2 or None, timeout=15, interval=0.2)
    assert retried, f"start-up did not retry while the database refused connections\n{server.logs()}"
    assert server.proc.poll() is None, f"punchlist gave up on a database that was starting\n{server.logs()}"

    private_cluster.promote()
    ready = server.wait_for("/ready", 200, timeout=20)
    assert ready.json() == {"status": "ready", "database": "postgres"}
    assert_no_crash(server.stdout(), server.stderr())


def test_requests_answer_503_not_500_when_the_database_ends_their_connections(start_server, pg_admin_url, fresh_database):
    # A restart, a failover, Neon suspending its compute or an administrator ends the server's
    # connections while requests run on them. PostgreSQL says so (57P01, "terminating connection
    # due to administrator command") or the connection just closes; either way the request must
    # answer 503 database_unavailable with Retry-After, as for a database that is down, never a
    # 500 "internal_error" (before, about one request in three hundred here did).
    server = start_server(DATABASE_URL=fresh_database, AUTH_RATE_LIMIT="off")
    server.wait_for("/ready", 200, timeout=20)
    signed_up = requests.post(
        server.url + "/api/auth/signup", json={"email": "cut@example.com", "password": "cut-password-1"}, timeout=10)
    assert signed_up.status_code == 201, signed_up.text
    headers = {"Authorization": f"Bearer {signed_up.json()['access_token']}"}
    first = requests.post(server.url + "/api/tasks", json={"title": "first"}, headers=headers, timeout=5).json()

    # Every kind of read and write: the prepared first page and one task, a filtered page, a create.
    shapes = [("GET", "/api/tasks?limit=50", None), ("GET", "/api/tasks?status=open", None),
              ("GET", f"/api/tasks/{first['id']}", None), ("POST", "/api/tasks", {"title": "during"})]
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()
    stop = time.monotonic() + 7

    def client(offset: int) -> None:
        with requests.Session() as session:
            n = offset
            while time.monotonic() < stop:
                method, path, body = shapes[n % len(shapes)]
                n += 1
                response = session.request(method, server.url + path, json=body, headers=headers, timeout=20)
                code = response.json().get("code", "") if response.status_code >= 400 else ""
                with lock:
                    answers.append((response.status_code, code))

    clients = [threading.Thread(target=client, args=(i,)) for i in range(8)]
    for thread in clients:
        thread.start()
    database = fresh_database.rsplit("/", 1)[1].split("?")[0]
    ended = 0
    for _ in range(3):
        time.sleep(1.5)
        ended += int(psql(pg_admin_url, f"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{database}'"))
    for thread in clients:
        thread.join()

    assert ended >= 3, "no connection was ended: the test did not test anything"
    statuses = {status for status, _ in answers}
    assert statuses <= {200, 201, 503}, f"unexpected statuses: {sorted(statuses)}"
    assert all(code == "database_unavailable" for status, code in answers if status == 503)
    assert sum(1 for status, _ in answers if status < 300) > 100, "too few requests succeeded"
    # ... and it recovers by itself.
    def api_answers():
        response = requests.get(server.url + "/api/tasks?limit=1", headers=headers, timeout=5)
        return (response,) if response.status_code == 200 else None

    back = wait_until(api_answers, timeout=15, interval=0.2)
    assert back, f"the API did not come back after the connections were ended\n{server.logs()}"
    assert "unexpected error" not in server.stderr(), server.logs()
    assert_no_crash(server.stdout(), server.stderr())


def _ready_status(server) -> requests.Response | None:
    try:
        return server.get("/ready", timeout=5)
    except requests.RequestException:
        return None


def test_ready_follows_database_outage_without_restart(start_server, private_cluster):
    url = private_cluster.start()
    server = start_server(DATABASE_URL=url, DATABASE_CONNECT_TIMEOUT="10")
    ready = server.wait_for("/ready", 200, timeout=15)
    assert ready.json() == {"status": "ready", "database": "postgres"}
    pid = server.proc.pid
    signed_up = requests.post(
        server.url + "/api/auth/signup", json={"email": "outage@example.com", "password": "outage-password-1"}, timeout=10)
    assert signed_up.status_code == 201, signed_up.text
    headers = {"Authorization": f"Bearer {signed_up.json()['access_token']}"}
    created = requests.post(server.url + "/api/tasks", json={"title": "still here"}, headers=headers, timeout=5)
    assert created.status_code == 201, created.text

    private_cluster.stop()
    assert not private_cluster.is_running()

    def is_unavailable():
        started = time.monotonic()
        response = _ready_status(server)
        took = time.monotonic() - started
        assert response is not None, "/ready did not answer within 5 s while the database was down"
        assert took < 3, f"/ready took {took:.1f} s to answer while the database was down"
        return (response,) if response.status_code == 503 else None

    answered = wait_until(is_unavailable, timeout=10, interval=0.2)
    assert answered is not None, f"/ready did not go 503 within 10 s of the database stopping\n{server.logs()}"
    down = answered[0]
    assert down.headers.get("Content-Type", "").startswith("application/problem+json"), down.headers
    problem = down.json()
    assert problem.get("status") == 503 and problem.get("code") == "database_unavailable", problem
    retry_after = down.headers.get("Retry-After")
    assert retry_after is not None and retry_after.strip().isdigit(), f"Retry-After: {retry_after!r}"
    # Liveness does not depend on the database: the orchestrator must not restart us for this.
    assert server.get("/health").status_code == 200
    # The routes that need it say so too, within the five seconds an operation gets while the
    # database is in doubt: PostgresNIO's pool would keep them waiting for a connection as long as
    # the database is away. Both ways a list reads (the default first page is a prepared
    # statement, a filtered one is read all at once), and never a 500.
    task_path = f"/api/tasks/{created.json()['id']}"
    for method, path, body in (
        ("GET", "/api/tasks", None),
        ("GET", "/api/tasks?status=open", None),
        ("GET", task_path, None),
        ("PATCH", task_path, {"completed": True}),
    ):
        started = time.monotonic()
        response = requests.request(method, server.url + path, json=body, headers=headers, timeout=20)
        took = time.monotonic() - started
        assert response.status_code == 503, f"{method} {path}: {response.status_code} {response.text}"
        assert response.json().get("code") == "database_unavailable", f"{method} {path}: {response.text}"
        assert response.headers.get("Retry-After"), f"{method} {path}: no Retry-After"
        assert took < 8, f"{method} {path} took {took:.1f} s to answer while the database was down"

    private_cluster.start()
    def is_ready():
        response = _ready_status(server)
        return (response,) if response is not None and response.status_code == 200 else None

    answered = wait_until(is_ready, timeout=15, interval=0.25)
    assert answered is not None, f"/ready did not come back to 200 within 15 s of the database restarting\n{server.logs()}"
    back = answered[0]
    assert back.json() == {"status": "ready", "database": "postgres"}
    listed = server.get("/api/tasks?status=open", timeout=5, headers=headers)
    assert listed.status_code == 200 and [task["title"] for task in listed.json()["items"]] == ["still here"], listed.text
    assert server.proc.poll() is None and server.proc.pid == pid, "punchlist was not meant to restart"
    assert_no_crash(server.stdout(), server.stderr())
