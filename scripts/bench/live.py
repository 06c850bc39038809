#!/usr/bin/env python3
"""Live-update benchmark (issue 5): memory per idle WebSocket, and time from a write's commit to
its arrival at many connected clients, on one process (SQLite) and across two replicas
(PostgreSQL). Release build; the clients run in this second process on loopback.

    scripts/bench/live.py [--idle 10000] [--clients 1000] [--writes 30]

Needs: the release binary (.build-release/release/punchlist, or PUNCHLIST_BIN), Python with
`websockets` (requirements-ci.txt), and for the replica part a PostgreSQL admin URL in
TEST_DATABASE_URL (or scripts/pg-test-cluster). Prints one table; writes nothing.
"""
import argparse, asyncio, json, os, resource, socket, statistics, subprocess, sys, tempfile, time, urllib.request, uuid

import websockets

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("PUNCHLIST_BIN", os.path.join(ROOT, ".build-release/release/punchlist"))
SECRET = "benchmark-secret-benchmark-secret-0123456789"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def start(env_extra):
    port = free_port()
    env = {"PATH": os.environ["PATH"], "PORT": str(port), "HOST": "127.0.0.1", "AUTH_SECRET": SECRET, "AUTH_RATE_LIMIT": "off",
           "LOG_LEVEL": "error", "LOG_FORMAT": "json", "DATA_DIR": tempfile.mkdtemp(prefix="pl-live-bench-"), **env_extra}
    proc = subprocess.Popen([BIN], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2))
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=1).status == 200:
                return proc, port
        except Exception:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("server did not become ready")


def post(port, path, body, token=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def signup(port):
    return post(port, "/api/auth/signup", {"email": f"bench-{uuid.uuid4().hex[:8]}@example.com", "password": "benchmark password"})["access_token"]


async def open_many(port, token, count):
    sockets = []
    for start_index in range(0, count, 500):
        batch = [websockets.connect(f"ws://127.0.0.1:{port}/api/live?access_token={token}", max_size=2**20, ping_interval=None,
                                    open_timeout=60) for _ in range(min(500, count - start_index))]
        sockets += await asyncio.gather(*batch)
    return sockets


async def idle_memory(count):
    proc, port = start({})
    try:
        token = signup(port)
        await asyncio.sleep(1)
        before = rss_kib(proc.pid)
        sockets = await open_many(port, token, count)
        await asyncio.sleep(3)
        after = rss_kib(proc.pid)
        for ws in sockets:
            await ws.close()
        return before, after, (after - before) * 1024 / count
    finally:
        proc.terminate()
        proc.wait(timeout=15)


async def latency(write_port, read_port, clients, writes):
    token = signup(write_port)
    sockets = await open_many(read_port, token, clients)
    await asyncio.sleep(1)
    samples = []

    async def reader(ws):
        for _ in range(writes):
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout=30))
            sent = float(message["task"]["description"])
            samples.append((time.time() - sent) * 1000)

    readers = [asyncio.create_task(reader(ws)) for ws in sockets]
    loop = asyncio.get_running_loop()
    for index in range(writes):
        # The write's own send time travels in the task, so each arrival measures commit + fan-out + delivery.
        await loop.run_in_executor(None, post, write_port, "/api/tasks", {"title": f"w{index}", "description": repr(time.time())}, token)
        await asyncio.sleep(0.2)
    await asyncio.gather(*readers)
    for ws in sockets:
        await ws.close()
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1], len(samples)


def postgres_url():
    url = os.environ.get("TEST_DATABASE_URL") or subprocess.run([os.path.join(ROOT, "scripts/pg-test-cluster"), "start"],
                                                                 capture_output=True, text=True, check=True).stdout.strip()
    name = f"punchlist_livebench_{uuid.uuid4().hex[:8]}"
    subprocess.run(["psql", url, "-qc", f"CREATE DATABASE {name}"], check=True)
    return url, name, url.rsplit("/", 1)[0] + f"/{name}?sslmode=disable"


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--idle", type=int, default=10000)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--writes", type=int, default=30)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    rows = []
    before, after, per = await idle_memory(args.idle)
    rows.append(("idle WebSockets (SQLite)", f"{args.idle} connections: RSS {before // 1024} MiB -> {after // 1024} MiB, {per / 1024:.1f} KiB each"))

    proc, port = start({})
    try:
        p50, p99, n = await latency(port, port, args.clients, args.writes)
        rows.append(("commit -> arrival, one process (SQLite)", f"{args.clients} clients x {args.writes} writes ({n} deliveries): p50 {p50:.1f} ms, p99 {p99:.1f} ms"))
    finally:
        proc.terminate(); proc.wait(timeout=15)

    admin, name, url = postgres_url()
    a, port_a = start({"DATABASE_URL": url})
    b, port_b = start({"DATABASE_URL": url})
    try:
        p50, p99, n = await latency(port_a, port_b, args.clients, args.writes)
        rows.append(("commit -> arrival, two replicas (PostgreSQL)", f"writes on A, {args.clients} clients on B x {args.writes} writes ({n}): p50 {p50:.1f} ms, p99 {p99:.1f} ms"))
    finally:
        for proc in (a, b):
            proc.terminate(); proc.wait(timeout=15)
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE {name} WITH (FORCE)"])
    width = max(len(r[0]) for r in rows)
    for label, value in rows:
        print(f"{label.ljust(width)}  {value}")


if __name__ == "__main__":
    asyncio.run(main())
