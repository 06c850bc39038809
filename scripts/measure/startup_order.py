#!/usr/bin/env python3
"""startup_order.py BINARY CALLGRIND_OUT... > linker/startup-order.txt
   startup_order.py --check BINARY [ORDER_FILE]

Every function of BINARY that ran in the callgrind traces (recorded with --dump-instr=yes
--compress-pos=no --compress-strings=no, so that each cost line starts with the instruction's
address in the binary), as raw symbol names for lld's --symbol-ordering-file: the first trace's
functions, then those each further trace adds, each group sorted by name. Addresses, not
callgrind's function names, decide: callgrind names some functions after a neighbour, and names
none for the compiler's private helpers (linker/text.ld places those).
BINARY must keep its symbol table (strip -g, not strip).

--check: how much of the list a build still has (CI, scripts/ci.d/40-container-contract). Renamed
or removed functions fall out of it silently, and idle memory grows again; below 80% it fails and
asks for scripts/measure/startup-order."""
import bisect
import os
import subprocess
import sys


def functions(binary):
    """(start, end, name) of every function symbol, sorted; one without a size runs to the next."""
    rows = []
    nm = subprocess.run(["nm", "-S", "--defined-only", binary], capture_output=True, text=True, check=True)
    for line in nm.stdout.splitlines():
        p = line.split(maxsplit=3)
        if len(p) == 4 and p[2] in "tTwW":
            rows.append((int(p[0], 16), int(p[1], 16), p[3]))
        elif len(p) == 3 and p[1] in "tTwW":
            rows.append((int(p[0], 16), None, p[2]))
    rows.sort(key=lambda r: r[0])
    out = []
    for k, (start, size, name) in enumerate(rows):
        if size is None:
            size = next((r[0] for r in rows[k + 1:] if r[0] > start), start + 1) - start
        out.append((start, start + max(size, 1), name))
    return out


def addresses(trace, binary_name):
    """The instruction addresses the trace counted in the binary (relative to it, as callgrind
    writes them for a position-independent executable)."""
    inside = False
    with open(trace, errors="replace") as f:
        for line in f:
            if line.startswith("ob="):
                inside = line.rstrip().endswith("/" + binary_name)
            elif inside and line.startswith("0x"):
                yield int(line.split(maxsplit=1)[0], 16)


def check(binary, order_file):
    listed = open(order_file).read().split()
    nm = subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True, check=True)
    present = {line.rsplit(" ", 1)[-1] for line in nm.stdout.splitlines()}
    found = sum(1 for name in listed if name in present)
    share = found / max(len(listed), 1)
    print(f"{'ok  ' if share >= 0.8 else 'FAIL'}  {order_file}: {found} of {len(listed)} listed start-up "
          f"functions are in the binary ({share:.0%})")
    if share < 0.8:
        sys.exit("the list is stale: run scripts/measure/startup-order (it needs valgrind) and commit it")


def main():
    if sys.argv[1] == "--check":
        default = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "linker", "startup-order.txt")
        return check(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else os.path.normpath(default))
    binary, traces = sys.argv[1], sys.argv[2:]
    syms = functions(binary)
    starts = [s[0] for s in syms]
    ran, unnamed = [], 0
    for trace in traces:
        found = set()
        for a in addresses(trace, binary.rsplit("/", 1)[-1]):
            i = bisect.bisect_right(starts, a) - 1
            # Several symbols can start at one address (aliases): any that covers it names it.
            while i > 0 and a >= syms[i][1] and syms[i - 1][0] == syms[i][0]:
                i -= 1
            if i >= 0 and a < syms[i][1]:
                found.add(syms[i][2])
            else:
                unnamed += 1
        # Each trace's new functions together, sorted so that a regenerated list diffs by what changed.
        ran += sorted(found - set(ran))
    if not ran:
        sys.exit("startup_order.py: no function of the binary in the traces (recorded with --dump-instr=yes?)")
    print("\n".join(ran))
    size = sum(e - s for s, e, n in syms if n in ran)
    print(f"startup_order.py: {len(ran)} functions, {size / 2**20:.2f} MiB; {unnamed} instructions in no "
          "named function (the compiler's private helpers, which linker/text.ld places, and the runtime's unnamed code)", file=sys.stderr)


if __name__ == "__main__":
    main()
