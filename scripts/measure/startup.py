#!/usr/bin/env python3
"""Start-up time and idle memory of the Punchlist server.

    scripts/measure/startup.py [--runs 10] [--bin PATH] [--pg ADMIN_URL] [--arg serve]

Each run: a fresh DATA_DIR (SQLite) or a freshly created database (--pg), exec the binary,
poll GET /health with raw sockets every 1 ms until the first 200 (time from exec), then poll
GET /ready the same way (and the CPU time its threads have run so far), then read VmRSS from /proc/PID/status 2.0 s after exec, then SIGTERM.
Prints one line per run and the medians. Loopback only.
"""
import argparse, os, shutil, signal, socket, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def status(port, path):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            data = s.recv(64)
            return int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else None
    except (OSError, ValueError, IndexError):
        return None


def wait_200(port, path, t0, proc, limit=30.0):
    while time.monotonic() - t0 < limit:
        if status(port, path) == 200:
            return time.monotonic() - t0
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        time.sleep(0.001)
    raise RuntimeError(f"{path} not 200 within {limit} s")


def vm(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def cpu_ms(pid):
    """CPU time the process has used so far, in ms (contention-robust, unlike wall time): the sum of its
    threads' run time in nanoseconds (/proc/PID/task/*/schedstat), since /proc/PID/stat counts in 10 ms
    clock ticks, too coarse for a start-up of a few tens of ms. Threads that already ended are not counted."""
    total, read = 0, 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
                read += 1
        except (OSError, ValueError, IndexError):
            pass
    if read:
        return total / 1e6
    with open(f"/proc/{pid}/stat") as f:  # a kernel without schedstat: clock ticks, coarse but not zero
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def busy():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v), v[3] + v[4]


def psql(admin, sql):
    subprocess.run(["psql", "-q", "-X", admin, "-c", "SET client_min_messages = warning", "-c", sql], check=True, stdout=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--bin", default=os.path.join(REPO, ".build-release/release/punchlist"))
    ap.add_argument("--pg", help="PostgreSQL admin URL; a new database per run instead of SQLite")
    ap.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="extra server setting, e.g. AUTH_BCRYPT_COST=4")
    ap.add_argument("--arg", action="append", default=[], metavar="ARG", help="argument for the binary, e.g. --arg serve (the image's command)")
    ap.add_argument("--rss-at", type=float, default=2.0, help="seconds after exec to read VmRSS")
    args = ap.parse_args()
    rows = []
    for i in range(args.runs):
        port = free_port()
        data = tempfile.mkdtemp(prefix="pl-startup-")
        env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root"), "PORT": str(port),
               "HOST": "127.0.0.1", "DATA_DIR": data, "AUTH_SECRET": "measure-secret-0123456789-abcdefghijklmnop",
               "AUTH_RATE_LIMIT": "off", "LOG_LEVEL": "info", "LOG_FORMAT": "json"}
        env.update(kv.split("=", 1) for kv in args.env)
        db = None
        if args.pg:
            db = f"punchlist_bench_startup_{i}"
            psql(args.pg, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
            psql(args.pg, f"CREATE DATABASE {db}")
            env["DATABASE_URL"] = args.pg.replace("/postgres?", f"/{db}?")
        log = open(os.path.join(data, "server.log"), "wb")
        b0 = busy()
        time.sleep(0.5)
        b1 = busy()
        others = 100 * (1 - (b1[1] - b0[1]) / max(1, b1[0] - b0[0]))
        t0 = time.monotonic()
        proc = subprocess.Popen([args.bin, *args.arg], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=data)
        try:
            health = wait_200(port, "/health", t0, proc)
            ready = wait_200(port, "/ready", t0, proc)
            cpu = cpu_ms(proc.pid)
            time.sleep(max(0.0, args.rss_at - (time.monotonic() - t0)))
            rss, hwm = vm(proc.pid, "VmRSS"), vm(proc.pid, "VmHWM")
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill(); proc.wait()
            log.close()
            shutil.rmtree(data, ignore_errors=True)
            if db:
                psql(args.pg, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        rows.append((health * 1000, ready * 1000, rss / 1024, hwm / 1024, cpu))
        print(f"run {i + 1:2d}: /health {health * 1000:7.1f} ms   /ready {ready * 1000:7.1f} ms   "
              f"VmRSS@{args.rss_at:g}s {rss / 1024:6.1f} MiB   VmHWM {hwm / 1024:6.1f} MiB   "
              f"server CPU to /ready {cpu:5.1f} ms   machine busy before {others:3.0f}%", flush=True)
    med = [statistics.median(c) for c in zip(*rows)]
    mn = [min(c) for c in zip(*rows)]
    mx = [max(c) for c in zip(*rows)]
    print(f"MEDIAN backend={'postgres' if args.pg else 'sqlite'}{' ' + ' '.join(args.env) if args.env else ''} runs={args.runs} health_ms={med[0]:.1f} "
          f"ready_ms={med[1]:.1f} rss_mib={med[2]:.1f} hwm_mib={med[3]:.1f} cpu_to_ready_ms={med[4]:.1f} "
          f"(health min/max {mn[0]:.1f}/{mx[0]:.1f}, ready min/max {mn[1]:.1f}/{mx[1]:.1f}, rss min/max {mn[2]:.1f}/{mx[2]:.1f})")


if __name__ == "__main__":
    try:
        main()
    except (RuntimeError, subprocess.CalledProcessError) as e:
        print(f"startup.py: {e}", file=sys.stderr); sys.exit(1)
