#!/usr/bin/env bash
# instructions.sh BIN...: the server's instructions per request, by route of the shared mixed
# workload, counted by valgrind's callgrind on PostgreSQL. Instruction counts repeat to a tenth of
# a percent from run to run whatever else the machine does, so a change of 1% shows, where
# wall-clock rounds on this shared machine move by ±15% (BENCHMARKS.md, thirteenth round).
#
#   scripts/measure/instructions.sh .build-release/release/punchlist /tmp/other-build/punchlist
#
# For each binary: a fresh database (PG_ADMIN, else scripts/pg-test-cluster), 8 users with 100
# tasks made through a native server (prepare.py), then the binary under callgrind; for each route
# in ROUTES ("L G P U M": list of 50, get one, create, toggle, the mix) a warm-up of 60 requests,
# then N (300) counted ones, one connection (drive.py). Kernel time (system calls, the network)
# is not counted: this measures the server's own code. Debug info is stripped from a copy first
# (valgrind 3.19 cannot read the toolchain's). Each route's profile is kept in OUT
# (/tmp/punchlist-instructions): callgrind_annotate OUT/BIN-ROUTE.out. Needs valgrind (Debian).
source "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || { echo "instructions.sh: valgrind not found (apt-get install valgrind)" >&2; exit 1; }
[ $# -ge 1 ] || { echo "usage: instructions.sh BIN..." >&2; exit 2; }
out="${OUT:-/tmp/punchlist-instructions}"; mkdir -p "$out"
count="${N:-300}"
work="$(mktemp -d /tmp/pl-instructions.XXXXXX)"; vpid=""
cleanup() { stop_server; [ -n "$vpid" ] && kill "$vpid" 2>/dev/null; pg_drop punchlist_instructions; rm -rf "$work"; }
trap cleanup EXIT
port="$(free_port)"; url="http://127.0.0.1:$port"
for bin in "$@"; do
  # A fresh database for each binary: one binary's toggles would change what the next one writes.
  db="$(pg_create punchlist_instructions)"
  rm -rf "$work/native" "$work/vg"; mkdir -p "$work/vg"
  start_server "$port" "$work/native" "$db"
  python3 "${BENCH_KIT:-$REPO_DIR/../shared}/bench/prepare.py" "$url" --users 8 --tasks 100 --out "$work/tokens" >/dev/null 2>&1
  stop_server
  strip -g -o "$work/bin" "$bin"
  # USER and HOST name callgrind_control's pipe to the server; the server reads HOST too.
  env -i PATH="$PATH" HOME="${HOME:-/root}" USER=root HOST=127.0.0.1 PORT="$port" DATA_DIR="$work/vg" DATABASE_URL="$db" \
    AUTH_SECRET="$AUTH_SECRET_BENCH" AUTH_RATE_LIMIT=off LOG_LEVEL=info LOG_FORMAT=json \
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.%p" "$work/bin" >"$work/vg/log" 2>&1 &
  vpid=$!
  for _ in $(seq 1 120); do curl -fs -o /dev/null "$url/ready" 2>/dev/null && break; sleep 1; done
  name="$(basename "$bin")"
  for route in ${ROUTES:-L G P U M}; do
    python3 "$MEASURE_DIR/drive.py" "$url" "$work/tokens" "$route" 60 >/dev/null
    USER=root HOST=127.0.0.1 callgrind_control -z "$vpid" >/dev/null 2>&1
    bad="$(python3 "$MEASURE_DIR/drive.py" "$url" "$work/tokens" "$route" "$count")"
    USER=root HOST=127.0.0.1 callgrind_control -d "$route" "$vpid" >/dev/null 2>&1
    dump="$(ls -t "$work"/cg."$vpid".* | head -1)"
    cp "$dump" "$out/$name-$route.out"
    total="$(awk '/^totals:/ { print $2 }' "$dump")"
    printf '%-24s %-2s instructions/request=%9d   %s\n' "$name" "$route" "$((total / count))" "$bad"
  done
  kill "$vpid"; wait "$vpid" 2>/dev/null || true; vpid=""
  rm -f "$work"/cg.*
  pg_drop punchlist_instructions
done
