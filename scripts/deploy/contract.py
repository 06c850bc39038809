#!/usr/bin/env python3
"""The container image's runtime contract, checked without a container engine.

Lays out what the Dockerfile's runtime stage holds, the same way: the release binary
(stripped, as the Dockerfile does) at <root>/usr/local/bin/punchlist and the web app at
<root>/app/Public, all owned by root and not writable, plus a data directory owned by uid
1000. Then runs the binary as uid 1000 (setpriv: no user entry is needed, as on platforms
that force a uid) from <root>/app with only the image's environment, and checks:

  1. the binary needs no Swift runtime libraries, only what the runtime stage installs;
  2. /ready answers 200 within a second of the process starting (measured, printed);
  3. it runs as uid/gid 1000 with no supplementary groups;
  4. GET / with Accept: text/html is 200 text/html (the web app), /health and /docs are 200;
  5. `punchlist healthcheck` (the image's HEALTHCHECK), run the same way, exits 0;
  6. with a WebSocket on /api/live (shown live by receiving an event) and a request in
     flight (half its body sent), SIGTERM: the WebSocket is closed with 1001, the request
     gets its complete answer once its body arrives, and the process exits 0 within 10 s;
  7. it wrote only into the data directory (SQLite there, owned by uid 1000), and every log
     line is JSON with no crash;
  8. with a data directory it cannot write (a volume mounted owned by root), it still becomes
     ready, and warns at start that the SQLite data will not survive a restart.

Needs root (to chown and switch user), as CI has. Usage: contract.py BINARY [--public DIR]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as ws_connect

UID = GID = 1000
# Shared libraries the runtime stage (debian:bookworm-slim + libsqlite3-0 + libcurl4) provides;
# libcurl4's own dependencies come with it from apt, so they are added from its ldd (see run()).
RUNTIME_LIBRARIES = {"linux-vdso.so.1", "libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "libz.so.1",
                     "libsqlite3.so.0", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "libdl.so.2",
                     "libpthread.so.0", "librt.so.1", "libutil.so.1", "libcurl.so.4"}


def library_names(ldd_output: str) -> dict[str, str]:
    """`ldd` lines as {soname: resolved path or ""}."""
    names = {}
    for line in ldd_output.splitlines():
        parts = line.split()
        if parts:
            names[Path(parts[0]).name] = parts[2] if len(parts) > 2 and parts[1] == "=>" else ""
    return names
CRASH_MARKERS = ("Fatal error", "Stack dump", "Backtrace", "Current stack trace", "Illegal instruction")

passed: list[str] = []
failed: list[str] = []


class ContractFailure(Exception):
    pass


def ok(message: str) -> None:
    passed.append(message)
    print(f"ok    {message}", flush=True)


def require(condition: object, message: str) -> None:
    """A failure that stops the run: what follows depends on it."""
    if not condition:
        raise ContractFailure(message)


def expect(condition: object, message: str) -> bool:
    """A failure that is recorded while the independent checks after it still run."""
    if not condition:
        failed.append(message)
        print(f"FAIL  {message}", flush=True)
    return bool(condition)


# --- the image's file system -------------------------------------------------------------

def lay_out_image(binary: Path, public: Path | None, base: Path) -> tuple[Path, Path, Path]:
    """Returns (root, executable, data directory)."""
    root = base / "root"
    executable = root / "usr/local/bin/punchlist"
    executable.parent.mkdir(parents=True)
    shutil.copy2(binary, executable)
    subprocess.run(["strip", str(executable)], check=True)  # as the Dockerfile does
    app_public = root / "app/Public"
    if public and public.is_dir():
        shutil.copytree(public, app_public)
    else:
        app_public.mkdir(parents=True)  # what the Dockerfile's `mkdir -p Public` gives
    for path in [root, *root.rglob("*")]:
        os.lchown(path, 0, 0)
        mode = path.lstat().st_mode
        if not stat.S_ISLNK(mode):
            os.chmod(path, stat.S_IMODE(mode) & ~0o222 | (0o555 if path.is_dir() else 0))
    data = base / "data"
    data.mkdir(mode=0o755)
    os.chown(data, UID, GID)
    return root, executable, data


def snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    return {str(p.relative_to(root)): (p.lstat().st_mode, p.lstat().st_size, p.lstat().st_mtime_ns)
            for p in [root, *root.rglob("*")]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))
        return s.getsockname()[1]


def as_uid_1000(*argv: str) -> list[str]:
    return ["setpriv", f"--reuid={UID}", f"--regid={GID}", "--clear-groups", "--", *argv]


# --- HTTP helpers ------------------------------------------------------------------------

def request(port: int, method: str, path: str, body: object = None, headers: dict | None = None,
            timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        all_headers = {"Content-Type": "application/json"} if payload is not None else {}
        all_headers.update(headers or {})
        conn.request(method, path, body=payload, headers=all_headers)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def read_response(sock: socket.socket, deadline: float) -> tuple[bytes, bytes, bool]:
    """One HTTP/1.1 response with a Content-Length: (head, body, complete)."""
    data = b""
    while True:
        if b"\r\n\r\n" in data:
            head, _, body = data.partition(b"\r\n\r\n")
            length = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
            if length and len(body) >= int(length.group(1)):
                return head, body[: int(length.group(1))], True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return data, b"", False
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(65536)
        except (socket.timeout, ConnectionResetError):
            return data, b"", False
        if not chunk:
            return data, b"", False
        data += chunk


def unwritable_data_dir(executable: Path, workdir: Path, base: Path) -> None:
    """DATA_DIR owned by root: the server must start anyway and say the data will not last."""
    data = base / "root-owned-data"
    data.mkdir(mode=0o755)  # root's, as a platform may mount a fresh volume
    tmp = base / "tmp"      # where the fallback goes (TMPDIR), so nothing is left behind in /tmp
    tmp.mkdir(mode=0o700)
    os.chown(tmp, UID, GID)
    port = free_port()
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(data), "HOST": "0.0.0.0", "PORT": str(port),
           "DATA_DIR": str(data), "PUBLIC_DIR": str(workdir / "Public"), "TMPDIR": str(tmp), "LOG_FORMAT": "json",
           "AUTH_SECRET": secrets.token_urlsafe(48)}
    err_path = base / "unwritable.stderr.log"
    with open(err_path, "wb") as err:
        server = subprocess.Popen(as_uid_1000(str(executable), "serve"), cwd=workdir, env=env,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        try:
            deadline = time.monotonic() + 10
            ready = False
            while time.monotonic() < deadline and server.poll() is None:
                try:
                    ready = request(port, "GET", "/ready", timeout=0.5)[0] == 200
                except OSError:
                    pass
                if ready:
                    break
                time.sleep(0.01)
            text = err_path.read_text(errors="replace")
            require(ready, f"with DATA_DIR not writable, /ready never answered 200 (exit {server.poll()})\n{text}")
            warnings = [line for line in map(str.strip, text.splitlines()) if line.startswith("{")
                        and json.loads(line).get("level") in ("warning", "error", "critical")
                        and "DATA_DIR" in json.loads(line).get("message", "")]
            require(warnings, f"no warning naming DATA_DIR at start with an unwritable data directory\n{text}")
            require(not any(data.iterdir()), "something was written into the unwritable data directory")
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=5)
    ok(f"DATA_DIR not writable: still ready, and warns: {json.loads(warnings[0])['message'][:90]}")


# --- the run -------------------------------------------------------------------------------

def run(binary: Path, public: Path | None) -> None:
    require(os.geteuid() == 0, "needs root, to give the files to root and uid 1000 and to switch user (CI runs as root)")
    require(shutil.which("setpriv"), "setpriv (util-linux) is missing")

    size = binary.stat().st_size
    ldd = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True).stdout
    resolved = library_names(ldd)
    libraries = set(resolved)
    require("libswiftCore.so" not in libraries and not any(n.startswith("libswift") or n.startswith("libFoundation") for n in libraries),
            f"the binary links the Swift runtime dynamically (build with --static-swift-stdlib):\n{ldd}")
    provided = set(RUNTIME_LIBRARIES)
    if resolved.get("libcurl.so.4"):
        # The static Foundation's networking (used by the MCP SDK) links libcurl; apt installs its dependencies with it.
        provided |= set(library_names(subprocess.run(["ldd", resolved["libcurl.so.4"]], capture_output=True, text=True, check=True).stdout))
    require(libraries <= provided, f"libraries the runtime image lacks: {sorted(libraries - provided)}\n{ldd}")
    ok(f"static Swift runtime; needs only {', '.join(sorted(libraries - {'linux-vdso.so.1'}))}")

    # The work directory must be reachable by uid 1000 (mkdtemp makes it 0700).
    base = Path(tempfile.mkdtemp(prefix="punchlist-contract-", dir="/tmp"))
    os.chmod(base, 0o755)
    server = None
    try:
        root, executable, data = lay_out_image(binary, public, base)
        shipped = executable.stat().st_size
        print(f"info  binary: {size / 1e6:.1f} MB as built, {shipped / 1e6:.1f} MB as shipped (stripped)")
        before = snapshot(root)

        port = free_port()
        # The image's ENV (HOST, PORT, DATA_DIR, PUBLIC_DIR), with a free port as a platform would set.
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(data), "HOST": "0.0.0.0", "PORT": str(port),
               "DATA_DIR": str(data), "PUBLIC_DIR": str(root / "app/Public"), "LOG_FORMAT": "json",
               "AUTH_SECRET": secrets.token_urlsafe(48)}
        workdir = root / "app"
        out, err = open(base / "stdout.log", "wb"), open(base / "stderr.log", "wb")

        def logs() -> str:
            out.flush(), err.flush()
            return (f"--- exit code: {server.poll() if server else None}\n--- stdout ---\n"
                    f"{(base / 'stdout.log').read_text(errors='replace')}\n--- stderr ---\n"
                    f"{(base / 'stderr.log').read_text(errors='replace')}")

        started = time.monotonic()
        server = subprocess.Popen(as_uid_1000(str(executable), "serve"), cwd=workdir, env=env,
                                  stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        ready_after = None
        while time.monotonic() - started < 10:
            if server.poll() is not None:
                raise ContractFailure(f"punchlist exited at start\n{logs()}")
            try:
                if request(port, "GET", "/ready", timeout=0.5)[0] == 200:
                    ready_after = time.monotonic() - started
                    break
            except OSError:
                pass
            time.sleep(0.005)
        require(ready_after is not None, f"/ready did not answer 200 within 10 s\n{logs()}")
        print(f"info  start to /ready 200: {ready_after * 1000:.0f} ms")
        require(ready_after <= 1.0, f"/ready took {ready_after:.2f} s, more than a second")
        ok(f"/ready 200 {ready_after * 1000:.0f} ms after start, on PORT={port} from the environment")

        status = Path(f"/proc/{server.pid}/status").read_text()
        ids = {k: v.split() for k, v in re.findall(r"(?m)^(Uid|Gid|Groups):[ \t]*(.*)$", status)}
        require(ids["Uid"] == ["1000"] * 4 and ids["Gid"] == ["1000"] * 4 and ids["Groups"] == [],
                f"not running as uid/gid 1000 without groups: {ids}")
        ok("runs as uid 1000, gid 1000, no supplementary groups")

        code, headers, body = request(port, "GET", "/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
        require(code == 200 and headers.get("content-type", "").startswith("text/html"),
                f"GET / (Accept: text/html) -> {code} {headers.get('content-type')}: {body[:200]!r}")
        for path in ("/health", "/docs"):
            code, _, body = request(port, "GET", path)
            require(code == 200, f"GET {path} -> {code}: {body[:200]!r}")
        shipped_files = sorted(p.relative_to(root / "app/Public").as_posix() for p in (root / "app/Public").rglob("*")
                               if p.is_file() and not p.name.startswith("."))
        for name in shipped_files[:20]:
            code, _, body = request(port, "GET", "/" + name)
            require(code == 200, f"GET /{name} (a file of the web app in PUBLIC_DIR) -> {code}: {body[:200]!r}")
        ok(f"GET / with Accept: text/html is 200 text/html; /health and /docs are 200; "
           f"{min(len(shipped_files), 20)} web app file(s) served from the read-only PUBLIC_DIR")

        check = subprocess.run(as_uid_1000(str(executable), "healthcheck"), cwd=workdir, env=env,
                               capture_output=True, text=True, timeout=10)
        require(check.returncode == 0, f"`punchlist healthcheck` exited {check.returncode}: {check.stderr}")
        ok("`punchlist healthcheck` (the image's HEALTHCHECK) exits 0")

        email, password = f"contract-{secrets.token_hex(4)}@example.com", "correct horse battery staple"
        code, _, body = request(port, "POST", "/api/auth/signup", {"email": email, "password": password, "name": "Contract"})
        require(code == 201, f"signup -> {code}: {body[:300]!r}")
        token = json.loads(body)["access_token"]

        # since=0: the event below is replayed even if it is written before the socket subscribes.
        # proxy=None: a proxy from the environment must not stand between this and 127.0.0.1.
        with ws_connect(f"ws://127.0.0.1:{port}/api/live?access_token={token}&since=0", open_timeout=5,
                        close_timeout=2, ping_interval=None, proxy=None) as websocket:
            code, _, body = request(port, "POST", "/api/tasks", {"title": "survive a restart"},
                                    headers={"Authorization": f"Bearer {token}"})
            require(code == 201, f"create task -> {code}: {body[:300]!r}")
            try:
                event = json.loads(websocket.recv(timeout=5))
            except TimeoutError:
                raise ContractFailure(f"no event on the WebSocket within 5 s of creating a task\n{logs()}") from None
            require(event.get("type") == "task.created", f"expected a task.created event, got {event}")

            # A request in flight: its head and half its body, the rest after SIGTERM.
            login = json.dumps({"email": email, "password": password}).encode()
            slow = socket.create_connection(("127.0.0.1", port), timeout=5)
            slow.sendall(b"POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                         + f"Content-Length: {len(login)}\r\n\r\n".encode() + login[: len(login) // 2])
            time.sleep(0.3)  # the server has the head and waits for the body
            slow.setblocking(False)
            try:
                early = slow.recv(65536)
            except BlockingIOError:
                early = b""
            slow.setblocking(True)
            require(not early, f"POST /api/auth/login answered before its body was sent: {early!r}")

            terminated = time.monotonic()
            server.send_signal(signal.SIGTERM)
            try:
                extra = websocket.recv(timeout=5)
                raise ContractFailure(f"the WebSocket got a message instead of a close: {extra!r}")
            except ConnectionClosed as closed:
                close = closed.rcvd
            except TimeoutError:
                raise ContractFailure(f"the WebSocket was still open 5 s after SIGTERM\n{logs()}") from None
            closed_after = time.monotonic() - terminated
            require(close is not None and close.code == 1001,
                    f"the WebSocket was closed with {close.code if close else 'no close frame'}, not 1001\n{logs()}")
            ok(f"SIGTERM: the WebSocket got close code 1001 after {closed_after * 1000:.0f} ms")

            time.sleep(max(0.0, 1.0 - (time.monotonic() - terminated)))
            require(server.poll() is None, f"the server exited before the request in flight had its body\n{logs()}")
            slow.sendall(login[len(login) // 2:])
            head, body, complete = read_response(slow, time.monotonic() + 5)
            slow.close()
            require(complete, f"no complete answer to the request in flight: {head + body!r}\n{logs()}")
            status_code = int(head.split(b" ", 2)[1])
            require(status_code == 200, f"the request in flight got {status_code}: {head + body!r}")
            ok("SIGTERM: the request in flight finished with 200 (body sent 1 s after the signal)")

        try:
            exit_code = server.wait(timeout=max(0.1, 10 - (time.monotonic() - terminated)))
        except subprocess.TimeoutExpired:
            raise ContractFailure(f"still running 10 s after SIGTERM\n{logs()}") from None
        exited_after = time.monotonic() - terminated
        if expect(exit_code == 0, f"exit code {exit_code} ({exited_after:.2f} s) after SIGTERM\n{logs()}"):
            ok(f"SIGTERM: exit code 0, {exited_after:.2f} s after the signal")

        require(snapshot(root) == before, "the process changed the read-only image files")
        database = data / "punchlist.sqlite"
        require(database.is_file() and database.stat().st_uid == UID, f"no SQLite database owned by uid 1000 in {data}")
        ok("wrote only to the data directory (SQLite owned by uid 1000)")
        text = (base / "stderr.log").read_text(errors="replace")
        not_json = []
        for number, line in enumerate(text.splitlines(), 1):
            try:
                if line.strip() and not isinstance(json.loads(line), dict):
                    not_json.append((number, line))
            except ValueError:
                not_json.append((number, line))
        if (expect(not not_json, f"stderr lines that are not JSON objects: {not_json}")
                & expect(not any(marker in text for marker in CRASH_MARKERS), f"crash in the logs\n{logs()}")):
            ok("every log line is JSON, no crash")

        unwritable_data_dir(executable, workdir, base)
    finally:
        if server is not None and server.poll() is None:
            server.kill()
            server.wait(timeout=5)
        shutil.rmtree(base, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary", type=Path)
    parser.add_argument("--public", type=Path, default=None, help="the web app directory (the repo's Public/)")
    args = parser.parse_args()
    try:
        run(args.binary.resolve(), args.public)
    except ContractFailure as failure:
        failed.append(str(failure))
        print(f"FAIL  {failure}", flush=True)
    print(f"container-contract: {len(passed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
