"""Live updates (API.md section 5) with real processes and real sockets: events crossing
replicas through PostgreSQL, failover without loss, shutdown and revocation close codes, and
Server-Sent Events resuming on another replica, and /metrics counting open connections.

WebSockets use the `websockets` library's sync client; every receive has a timeout, so a
server that stays silent fails the test instead of hanging it.
"""

from __future__ import annotations

import http.client
import json
import re
import secrets
import signal
import socket
import threading
import time
from typing import Callable

import pytest
import requests
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from conftest import Server, assert_no_crash, read_http_response, received_so_far, wait_until

# The same secret on every replica, so a token minted by one is honoured by the others.
SECRET = "live-system-tests-" + "s" * 40
PASSWORD = "correct horse battery staple"
# Many sign-ups from 127.0.0.1 in a few seconds: not what this file tests.
SETTINGS = {"AUTH_SECRET": SECRET, "AUTH_RATE_LIMIT": "off", "AUTH_BCRYPT_COST": "4"}
# How fast an event must reach a connection on another replica (from the start of the write).
MAX_LATENCY = 2.0
# After a socket opens, before the first write: the server authenticates and subscribes it.
SETTLE = 0.2


# --- helpers -----------------------------------------------------------------------------


def start_replicas(start_server, count: int, **settings: str) -> list[Server]:
    servers = [start_server(**SETTINGS, **settings) for _ in range(count)]
    for server in servers:
        server.wait_for("/ready", 200, timeout=20)
    return servers


def signup(server: Server, label: str = "live") -> tuple[str, str]:
    """A new user on server; returns (token, email)."""
    email = f"{label}-{secrets.token_hex(4)}@example.com"
    response = requests.post(server.url + "/api/auth/signup", json={"email": email, "password": PASSWORD}, timeout=10)
    assert response.status_code == 201, f"signup: {response.status_code} {response.text}\n{server.logs()}"
    body = response.json()
    return body["access_token"], body["user"]["email"]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def ws_url(server: Server, token: str, since: int | None = None) -> str:
    url = f"ws://{server.host}:{server.port}/api/live?access_token={token}"
    return url if since is None else f"{url}&since={since}"


def open_socket(server: Server, token: str, since: int | None = None) -> ClientConnection:
    """A WebSocket client on /api/live; use it as a context manager (`with open_socket(...) as ws`)."""
    # proxy=None: a developer's HTTP(S)_PROXY must not sit between the test and 127.0.0.1.
    return connect(ws_url(server, token, since), open_timeout=5, close_timeout=3, ping_interval=None,
                   compression=None, proxy=None)


def receive(ws: ClientConnection, timeout: float, what: str = "an event") -> dict:
    """The next message as JSON; fails the test when none comes within timeout."""
    try:
        raw = ws.recv(timeout=timeout)
    except TimeoutError:
        pytest.fail(f"no message within {timeout} s while waiting for {what}")
    except ConnectionClosed as closed:
        pytest.fail(f"the socket closed while waiting for {what}: {closed}")
    assert isinstance(raw, str), f"expected a text frame, got {raw!r}"
    return json.loads(raw)


def close_code(ws: ClientConnection, timeout: float) -> tuple[int | None, str, list]:
    """Reads until the server closes the socket; returns (close code or None, reason, messages
    read meanwhile). Fails the test when the socket is still open after timeout."""
    messages = []
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            pytest.fail(f"the socket was still open {timeout} s later (messages meanwhile: {messages})")
        try:
            messages.append(ws.recv(timeout=remaining))
        except TimeoutError:
            continue
        except ConnectionClosed as closed:
            if closed.rcvd is None:
                return None, "", messages
            return closed.rcvd.code, closed.rcvd.reason, messages


def live_connections(server: Server) -> float | None:
    """The `punchlist_live_connections` gauge of /metrics, or None when it is not there."""
    text = server.get("/metrics", timeout=3).text
    match = re.search(r"(?m)^punchlist_live_connections(?:\{[^}]*\})?\s+(\S+)\s*$", text)
    return float(match.group(1)) if match else None


def create_task(server: Server, token: str, title: str, session: requests.Session | None = None) -> dict:
    response = (session or requests).post(server.url + "/api/tasks", json={"title": title}, headers=auth(token), timeout=5)
    assert response.status_code == 201, f"create: {response.status_code} {response.text}"
    return response.json()


def timed(write: Callable[[], requests.Response]) -> tuple[requests.Response, float, float]:
    """Runs write; returns (response, when it started, when it answered)."""
    started = time.monotonic()
    response = write()
    return response, started, time.monotonic()


# --- 1. every replica delivers every event -------------------------------------------


def test_events_written_on_one_replica_reach_a_socket_on_another(start_server, fresh_database):
    a, b = start_replicas(start_server, 2, DATABASE_URL=fresh_database)
    token, _ = signup(a, "cross")
    headers = auth(token)
    task_id = None

    def create():
        return requests.post(a.url + "/api/tasks", json={"title": "Buy milk"}, headers=headers, timeout=5)

    def update():
        return requests.patch(a.url + f"/api/tasks/{task_id}", json={"title": "Buy oat milk", "completed": True},
                              headers=headers, timeout=5)

    def delete():
        return requests.delete(a.url + f"/api/tasks/{task_id}", headers=headers, timeout=5)

    latencies = []
    # since=0: should the server subscribe this socket only after the first write, the replay
    # still delivers it; the settle time makes the live path the one normally measured.
    with open_socket(b, token, since=0) as ws:
        time.sleep(SETTLE)
        for expected_id, (kind, write) in enumerate([("task.created", create), ("task.updated", update),
                                                     ("task.deleted", delete)], 1):
            response, started, answered = timed(write)
            assert response.status_code in (200, 201, 204), f"{kind}: {response.status_code} {response.text}"
            if kind == "task.created":
                task_id = response.json()["id"]
            event = receive(ws, timeout=MAX_LATENCY + 3, what=f"{kind} (id {expected_id}) on replica B")
            arrived = time.monotonic()
            latency = arrived - started
            latencies.append((kind, latency, arrived - answered))
            assert event["id"] == expected_id, f"expected event id {expected_id}, got {event}"
            assert event["type"] == kind, event
            assert event["task_id"] == task_id, event
            assert isinstance(event.get("at"), str) and event["at"].endswith("Z"), event
            if kind == "task.deleted":
                assert "task" not in event, event
            else:
                assert event["task"]["id"] == task_id, event
            if kind == "task.updated":
                assert event["task"]["title"] == "Buy oat milk" and event["task"]["completed"] is True, event
                assert event["task"]["version"] == 2, event
            assert latency < MAX_LATENCY, f"{kind} took {latency:.3f} s to reach replica B\n{b.logs()}"
        # Exactly three events: nothing repeated, nothing extra.
        with pytest.raises(TimeoutError):
            ws.recv(timeout=0.3)
    for kind, latency, after_answer in latencies:
        print(f"{kind}: on replica B {latency * 1000:.1f} ms after the write began on A "
              f"({after_answer * 1000:.1f} ms after A answered)")
    for server in (a, b):
        assert_no_crash(server.stdout(), server.stderr())


# --- 2. failover without loss ------------------------------------------------------------


def test_client_resumes_on_another_replica_after_sigkill_without_gap_or_repeat(start_server, fresh_database):
    a, b = start_replicas(start_server, 2, DATABASE_URL=fresh_database)
    token, _ = signup(b, "failover")
    total = 30
    written: list[int] = []
    writer_error: list[BaseException] = []

    def writer():
        """30 creates through replica B, ~50 ms apart: some before the kill, some after."""
        try:
            with requests.Session() as session:
                for n in range(1, total + 1):
                    create_task(b, token, f"task {n}", session)
                    written.append(n)
                    time.sleep(0.05)
        except BaseException as error:  # reported by the main thread
            writer_error.append(error)

    received: list[int] = []
    thread = threading.Thread(target=writer, daemon=True)
    with open_socket(a, token, since=0) as ws:
        time.sleep(SETTLE)
        thread.start()
        # Some events through replica A, then A dies mid-stream.
        while len(received) < 8:
            received.append(receive(ws, timeout=5, what=f"event {len(received) + 1} on replica A")["id"])
        written_before_kill = len(written)
        a.proc.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        assert a.wait_exit(timeout=5) is not None, "replica A survived SIGKILL"
        # Whatever A had sent before it died is still the client's; then the socket fails.
        code, _, late = close_code(ws, timeout=5)
        received.extend(json.loads(message)["id"] for message in late)
        assert code in (None, 1006), f"a SIGKILLed server cannot send a close frame, yet got {code}"
    last_on_a = received[-1]
    print(f"replica A killed after {written_before_kill} of {total} writes; the client had ids up to {last_on_a}")
    assert written_before_kill < total - 5, "the writer finished before the kill: failover under writes was not exercised"

    # Reconnect after a short back-off, as a client does after an abnormal close, to the surviving
    # replica: the writes made meanwhile come as replay, the later ones live, across one seam.
    time.sleep(0.3)
    written_at_reconnect = len(written)
    with open_socket(b, token, since=received[-1]) as ws:
        resumed_at = time.monotonic()
        deadline = resumed_at + 10
        while not (len(written) == total and received[-1] >= total):
            if writer_error:
                pytest.fail(f"the writer failed: {writer_error[0]!r}\n{b.logs()}")
            if time.monotonic() > deadline:
                pytest.fail(f"10 s after reconnecting: {len(written)} written, ids received {received}\n{b.logs()}")
            try:
                raw = ws.recv(timeout=0.5)
            except TimeoutError:
                continue
            received.append(json.loads(raw)["id"])
        # Nothing after the last write, and no late repeat.
        with pytest.raises(TimeoutError):
            ws.recv(timeout=0.3)
    thread.join(timeout=10)
    assert not thread.is_alive() and not writer_error, f"writer: {writer_error}"
    assert received == list(range(1, total + 1)), f"ids received across the failover: {received}"
    print(f"all {total} ids once and in order; resumed on B {(resumed_at - killed_at) * 1000:.0f} ms after the kill, "
          f"with since={last_on_a} and {written_at_reconnect} of {total} written by then")
    assert_no_crash(b.stdout(), b.stderr())


# --- 3. SIGTERM: 1001 to sockets, in-flight requests finish -------------------------------


def test_sigterm_closes_sockets_with_1001_and_finishes_inflight_request(start_server):
    server = start_server(**SETTINGS)
    server.wait_for("/ready", 200, timeout=10)
    token, email = signup(server, "sigterm")
    body = json.dumps({"email": email, "password": PASSWORD}).encode()

    with open_socket(server, token, since=0) as ws, socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        # An event on the socket proves its subscription is in place before the signal.
        create_task(server, token, "before the shutdown")
        assert receive(ws, timeout=5, what="the first event")["id"] == 1

        half = len(body) // 2
        sock.sendall(b"POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                     + f"Content-Length: {len(body)}\r\n\r\n".encode() + body[:half])
        time.sleep(0.3)  # the server has the head and waits for the rest of the body
        early = received_so_far(sock)
        assert not early, f"the login answered before its body was complete: {early!r}"

        terminated_at = time.monotonic()
        server.signal(signal.SIGTERM)
        code, reason, messages = close_code(ws, timeout=5)
        closed_after = time.monotonic() - terminated_at
        assert code == 1001, f"the socket closed with {code} {reason!r} after SIGTERM, not 1001\n{server.logs()}"
        assert messages == [], f"unexpected messages before the close: {messages}"
        print(f"socket closed 1001 ({reason!r}) {closed_after * 1000:.0f} ms after SIGTERM")

        time.sleep(0.3)
        try:
            sock.sendall(body[half:])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the response check below says what happened
        head, answer, complete = read_http_response(sock, b"", deadline=time.monotonic() + 5)
    assert complete, f"no complete response to the in-flight login (got {head + answer!r})\n{server.logs()}"
    status = int(head.split(b" ", 2)[1])
    assert status == 200, f"the in-flight login got {status}: {head + answer!r}"
    assert json.loads(answer)["access_token"], answer

    code = server.wait_exit(timeout=10)
    assert code is not None, f"still running 10 s after SIGTERM\n{server.logs()}"
    assert code == 0, f"exit code {code} after SIGTERM\n{server.logs()}"
    print(f"exited 0 {time.monotonic() - terminated_at:.2f} s after SIGTERM")
    assert_no_crash(server.stdout(), server.stderr())


# --- 4. logout on one replica ends the session's sockets on every replica ------------------


def test_logout_on_one_replica_closes_that_sessions_socket_on_another(start_server, fresh_database):
    a, b = start_replicas(start_server, 2, DATABASE_URL=fresh_database)
    token, email = signup(a, "logout")
    # A second session of the same user, which the logout must leave alone.
    login = requests.post(a.url + "/api/auth/login", json={"email": email, "password": PASSWORD}, timeout=10)
    assert login.status_code == 200, login.text
    other_token = login.json()["access_token"]

    with open_socket(b, token, since=0) as ws, open_socket(b, other_token, since=0) as other:
        # An event on both sockets proves both are subscribed on B.
        create_task(a, token, "before the logout")
        assert receive(ws, timeout=5, what="event 1 on the first session")["id"] == 1
        assert receive(other, timeout=5, what="event 1 on the second session")["id"] == 1

        response, started, _ = timed(lambda: requests.post(a.url + "/api/auth/logout", headers=auth(token), timeout=5))
        assert response.status_code == 204, f"logout: {response.status_code} {response.text}"
        code, reason, messages = close_code(ws, timeout=5)
        took = time.monotonic() - started
        assert code == 4401, f"the logged-out session's socket on replica B closed with {code} {reason!r}, not 4401\n{b.logs()}"
        assert reason, "a 4401 close should say why"
        assert messages == [], messages
        assert took < MAX_LATENCY, f"the socket on B closed {took:.3f} s after the logout on A"
        print(f"socket on B closed 4401 ({reason!r}) {took * 1000:.0f} ms after the logout began on A")

        # The other session's socket stays open and live.
        create_task(a, other_token, "after the logout")
        assert receive(other, timeout=MAX_LATENCY + 3, what="the other session's event")["id"] == 2

    # The revoked token is refused by replica B too, on a new socket and on REST.
    with open_socket(b, token) as ws:
        code, _, _ = close_code(ws, timeout=5)
    assert code == 4401, f"a new socket on B with the revoked token closed with {code}"
    assert requests.get(b.url + "/api/auth/me", headers=auth(token), timeout=5).status_code == 401
    for server in (a, b):
        assert_no_crash(server.stdout(), server.stderr())


# --- 5. a bad token ----------------------------------------------------------------------


@pytest.mark.parametrize("token", ["not-a-token", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"], ids=["garbage", "bad-signature"])
def test_bad_token_closes_socket_with_4401(start_server, token):
    server = start_server(**SETTINGS)
    server.wait_for("/ready", 200, timeout=10)
    started = time.monotonic()
    with open_socket(server, token) as ws:
        code, reason, messages = close_code(ws, timeout=5)
    assert code == 4401, f"bad token: closed with {code} {reason!r}"
    assert reason, "a 4401 close should say why"
    assert messages == [], messages
    assert time.monotonic() - started < 2
    assert_no_crash(server.stdout(), server.stderr())


# --- 6. Server-Sent Events resume on another replica -------------------------------------


class EventStream:
    """GET /api/events read incrementally (http.client de-chunks it); every read is bounded."""

    def __init__(self, server: Server, token: str, last_event_id: int | None):
        self.connection = http.client.HTTPConnection(server.host, server.port, timeout=5)
        headers = {**auth(token), "Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.connection.request("GET", "/api/events", headers=headers)
        self.response = self.connection.getresponse()
        self.buffer = b""

    def next_event(self, timeout: float) -> dict:
        """The next SSE message with data (comments and `retry:` skipped), as its fields."""
        deadline = time.monotonic() + timeout
        while True:
            while b"\n\n" in self.buffer:
                block, _, self.buffer = self.buffer.partition(b"\n\n")
                fields: dict[str, str] = {}
                for line in block.decode().splitlines():
                    if line.startswith(":") or ":" not in line:
                        continue
                    name, _, value = line.partition(":")
                    fields[name] = value[1:] if value.startswith(" ") else value
                if "data" in fields:
                    return fields
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                pytest.fail(f"no SSE event within {timeout} s (pending: {self.buffer!r})")
            self.connection.sock.settimeout(remaining)
            try:
                chunk = self.response.read1(65536)
            except (socket.timeout, TimeoutError):
                continue
            if not chunk:
                pytest.fail(f"the event stream ended (pending: {self.buffer!r})")
            self.buffer += chunk

    def close(self):
        self.connection.close()


def test_sse_resumes_with_last_event_id_on_another_replica(start_server, fresh_database):
    a, b = start_replicas(start_server, 2, DATABASE_URL=fresh_database)
    token, _ = signup(a, "sse")
    ids = [create_task(a, token, f"task {n}")["id"] for n in range(1, 6)]

    stream = EventStream(b, token, last_event_id=2)
    try:
        assert stream.response.status == 200, stream.response.read(2000)
        assert stream.response.getheader("Content-Type", "").startswith("text/event-stream")
        for expected in (3, 4, 5):
            event = stream.next_event(timeout=5)
            data = json.loads(event["data"])
            assert event.get("id") == str(expected) and data["id"] == expected, event
            assert event.get("event") == "task.created" == data["type"], event
            assert data["task_id"] == ids[expected - 1] == data["task"]["id"], event

        # Then live (the replay proves the subscription is in place): a write on A reaches B.
        started = time.monotonic()
        task = create_task(a, token, "task 6")
        event = stream.next_event(timeout=MAX_LATENCY + 3)
        latency = time.monotonic() - started
        data = json.loads(event["data"])
        assert event.get("id") == "6" and data["id"] == 6 and data["task_id"] == task["id"], event
        assert latency < MAX_LATENCY, f"the live SSE event took {latency:.3f} s to reach replica B"
        print(f"SSE on B: 3..5 replayed after Last-Event-ID 2, then event 6 live {latency * 1000:.1f} ms after the write began on A")
    finally:
        stream.close()
    for server in (a, b):
        assert_no_crash(server.stdout(), server.stderr())


# --- /metrics counts open live connections (API.md section 2) ------------------------------


def test_metrics_count_open_live_connections(start_server):
    server = start_server(**SETTINGS)
    server.wait_for("/ready", 200, timeout=10)
    token, _ = signup(server, "metrics")
    with open_socket(server, token, since=0) as first, open_socket(server, token, since=0) as second:
        create_task(server, token, "counted")
        for ws in (first, second):
            assert receive(ws, timeout=5, what="the event")["id"] == 1
        gauge = wait_until(lambda: live_connections(server) == 2, timeout=3)
        assert gauge, (f"/metrics does not show punchlist_live_connections 2 with two sockets open "
                       f"(it shows {live_connections(server)}):\n{server.get('/metrics').text[:3000]}")
    assert wait_until(lambda: live_connections(server) == 0, timeout=3), "the gauge did not go back to 0"
