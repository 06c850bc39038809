#!/usr/bin/env python3
"""Print the benchmark table (Markdown) from the raw outputs scripts/bench/run wrote into OUT.

    scripts/bench/table.py OUT

Reads OUT/machine.txt, startup.txt (startup.py), mixed-sqlite.txt and mixed-postgres.txt
(compare-peer.sh: compare.sh's round lines after each "CONNS n" line, then a PEAK line) and
list.txt (list.sh's LIST lines). Medians over rounds; ratios are Punchlist / peer and
Punchlist / pgbench, measured in the same run. Each target of issue 8 gets a yes or no.
"""
import os
import re
import statistics
import sys

out = sys.argv[1]


def read(name):
    path = os.path.join(out, name)
    return open(path).read() if os.path.exists(path) else ""


def fields(line):
    return dict(kv.split("=", 1) for kv in line.split() if "=" in kv)


def num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def fmt(x, digits=0):
    return "–" if x is None else f"{x:,.{digits}f}"


targets = []  # (what, value text, target text, met)


def target(what, value, text, met):
    targets.append((what, value, text, "yes" if met else "**no**"))


print("# Punchlist benchmarks\n")
for line in read("machine.txt").splitlines():
    print(f"- {line}")
print()

# --- mixed workload
mixed_rows, peaks = [], {}
for backend in ("sqlite", "postgres"):
    text = read(f"mixed-{backend}.txt")
    conns = None
    rounds = {}
    duration = None
    for line in text.splitlines():
        m = re.search(r"duration=(\d+)s", line)
        if m:
            duration = float(m.group(1))
        if line.startswith("CONNS "):
            conns = int(line.split()[1])
            rounds[conns] = {"A": [], "B": []}
        elif line.startswith("PEAK "):
            peaks[backend] = fields(line)
        elif conns is not None and re.match(r"^\d+\s+[AB]\s", line):
            p = line.split()
            rounds[conns][p[1]].append({"rps": num(p[2]), "p99": num(p[4]), "non2xx": num(p[5]) or 0, "sock": num(p[6]) or 0})
    for c, sides in rounds.items():
        if not sides["A"] or not sides["B"]:
            continue
        med = {s: {k: statistics.median(r[k] for r in sides[s]) for k in ("rps", "p99")} for s in "AB"}
        bad = {s: int(sum(r["non2xx"] + r["sock"] for r in sides[s])) for s in "AB"}
        # A peer that completed no request in its rounds has no ratio to show; its p99 was then
        # longer than the round itself, so Punchlist meets the p99 target if its p99 is a tenth of that.
        silent = not med["B"]["rps"]
        ratio = med["A"]["rps"] / med["B"]["rps"] if not silent else None
        p99 = med["A"]["p99"] / med["B"]["p99"] if not silent else None
        p99_bound = (duration or 0) * 1000 / 10
        mixed_rows.append((backend, c, med, bad, ratio, p99, len(sides["A"]), silent))
        label = f"mixed, {'SQLite' if backend == 'sqlite' else 'PostgreSQL'}, {c} connections"
        if silent:
            target(f"{label}: req/s, Punchlist / peer", "∞ (peer: 0 req/s)", "≥ 20×", med["A"]["rps"] > 0)
            target(f"{label}: p99, Punchlist / peer", f"{med['A']['p99']:.0f} ms vs > {duration:.0f} s", "≤ 0.10",
                   med["A"]["p99"] <= p99_bound)
        else:
            target(f"{label}: req/s, Punchlist / peer", fmt(ratio, 1) + "×", "≥ 20×", ratio >= 20)
            target(f"{label}: p99, Punchlist / peer", fmt(p99, 3), "≤ 0.10", p99 <= 0.10)
        target(f"{label}: non-2xx + socket errors, Punchlist", str(bad["A"]), "0", bad["A"] == 0)

if mixed_rows:
    print("## Mixed workload: Punchlist vs FastAPI + SQLModel (one uvicorn worker), same database\n")
    print("50% list of 50, 25% get, 15% create, 10% toggle (`bench/workload.lua`); medians of the A B A B rounds.\n")
    print("| database | conns | Punchlist req/s | peer req/s | **req/s ratio** | Punchlist p99 ms | peer p99 ms | **p99 ratio** | errors Punchlist / peer | rounds |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for backend, c, med, bad, ratio, p99, n, silent in mixed_rows:
        peer_p99 = "none in the round" if silent else fmt(med['B']['p99'], 1)
        shown_ratio = "∞" if silent else fmt(ratio, 1) + "×"
        shown_p99 = "–" if silent else fmt(p99, 3)
        print(f"| {backend} | {c} | {fmt(med['A']['rps'])} | {fmt(med['B']['rps'])} | **{shown_ratio}** | "
              f"{fmt(med['A']['p99'], 1)} | {peer_p99} | **{shown_p99}** | {bad['A']} / {bad['B']} | {n} |")
    if any(row[-1] for row in mixed_rows):
        print("\nA peer with 0 req/s completed no request within a round: its p99 was longer than the round.")
    print()

# --- list vs pgbench
lists = [fields(l) for l in read("list.txt").splitlines() if l.startswith("LIST ")]
if lists:
    print("## List route vs pgbench running the same SQL (PostgreSQL)\n")
    print(f"`GET /api/tasks?limit=50`, one user with {lists[0].get('tasks', '?')} tasks; pgbench `-M {lists[0].get('protocol', 'extended')}` with the statement the server sent, as the server sent it.\n")
    print("| conns | Punchlist req/s | Punchlist p99 ms | pgbench tps | **ratio** |")
    print("|---:|---:|---:|---:|---:|")
    for l in lists:
        a, b = num(l.get("punchlist_rps")), num(l.get("pgbench_tps"))
        ratio = a / b if a and b else None
        print(f"| {l['conns']} | {fmt(a)} | {fmt(num(l.get('punchlist_p99_ms')), 1)} | {fmt(b)} | **{fmt(ratio, 2)}** |")
        target(f"list, {l['conns']} connections: req/s, Punchlist / pgbench", fmt(ratio, 2), "≥ 0.5", ratio is not None and ratio >= 0.5)
    print()

# --- memory and start-up
start = next((fields(l) for l in read("startup.txt").splitlines() if l.startswith("MEDIAN ")), {})
print("## Memory and start-up\n")
print("| measure | Punchlist | peer |")
print("|---|---:|---:|")
idle, ready = num(start.get("rss_mib")), num(start.get("ready_ms"))
print(f"| idle RSS, MiB (VmRSS 2 s after exec, SQLite; median) | {fmt(idle, 1)} | |")
for backend, p in peaks.items():
    a, b = num(p.get("punchlist_hwm_mib")), num(p.get("peer_hwm_mib"))
    print(f"| peak RSS, MiB (VmHWM over the mixed runs, {backend}) | {fmt(a, 1)} | {fmt(b, 1)} |")
    target(f"peak RSS under the mixed runs, {backend}", f"{fmt(a, 1)} MiB", "≤ 100 MB", a is not None and a * 1.048576 <= 100)
print(f"| exec → ready `/ready`, ms (SQLite; median) | {fmt(ready, 1)} | |")
print()
if idle is not None:
    target("idle RSS", f"{idle:.1f} MiB", "≤ 30 MB", idle * 1.048576 <= 30)
if ready is not None:
    target("start to ready, SQLite", f"{ready:.1f} ms", "≤ 100 ms", ready <= 100)

print("## Targets (issue 8)\n")
print("| target | measured | goal | met |")
print("|---|---:|---:|---|")
for what, value, goal, met in targets:
    print(f"| {what} | {value} | {goal} | {met} |")
print(f"\n{sum(1 for t in targets if t[3] == 'yes')} of {len(targets)} targets met.")
