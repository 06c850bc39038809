"""Logs as a log shipper sees them: one JSON object a line, carrying the request id."""

from __future__ import annotations

import signal

from conftest import json_lines, wait_until


def test_json_logs_carry_the_request_id(start_server):
    server = start_server(LOG_FORMAT="json")
    server.wait_for("/health", 200, timeout=10)

    response = server.get("/health", headers={"X-Request-ID": "sys-test-123"})
    assert response.status_code == 200
    assert response.headers.get("X-Request-ID") == "sys-test-123", response.headers
    generated = server.get("/ready").headers.get("X-Request-ID")
    assert generated and generated != "sys-test-123", "a request without an id must get one of its own"
    assert server.get("/no-such-route").status_code == 404  # an error response is logged too

    def logged():
        return [line for line in json_lines(server.stderr()) if line.get("request_id") == "sys-test-123"]

    mine = wait_until(logged, timeout=3)
    assert mine, f"no log line carries request_id sys-test-123\n{server.logs()}"
    assert any(line.get("path") == "/health" for line in mine), mine

    # Everything it writes, start-up and shutdown included, is JSON.
    server.signal(signal.SIGTERM)
    assert server.wait_exit(timeout=10) is not None, server.logs()
    lines = json_lines(server.stderr())
    assert len(lines) >= 4, server.logs()
    for line in lines:
        assert "level" in line and "message" in line, line
    assert json_lines(server.stdout()) is not None  # stdout, if used at all, is JSON too
