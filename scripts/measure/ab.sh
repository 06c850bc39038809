#!/usr/bin/env bash
# ab.sh BIN_A BIN_B: two builds of the server side by side on PostgreSQL, in alternating wrk rounds
# per route, printing each round's req/s, the server's CPU per request and PostgreSQL's backends'
# CPU per request (from /proc/PID/task/*/schedstat). CPU per request moves less than req/s when the
# machine's speed drifts, so it is the figure to compare (BENCHMARKS.md, "Latest results").
#
#   scripts/measure/ab.sh /tmp/old/punchlist .build-release/release/punchlist
#
# Each binary gets its own database of one cluster (PG_ADMIN, else the benchmark's cluster on port
# 54410) with 32 users × 200 tasks (the shared kit's prepare.py). Routes are the shared mixed
# workload's letters (ROUTES, default "M L"): M the whole mix, L list of 50, G get one, P create,
# U toggle; wrk runs the shared workload.lua restricted to one letter.
# Env: ROUTES ("M L"), ROUNDS (4), DURATION (6 s), CONNS (32), BENCH_KIT (../shared). Needs wrk and bc.
source "$(dirname "$0")/lib.sh"
[ $# -eq 2 ] || { echo "usage: ab.sh BIN_A BIN_B" >&2; exit 2; }
kit="${BENCH_KIT:-$REPO_DIR/../shared}"
export PG_ADMIN="${PG_ADMIN:-$(PUNCHLIST_PG_DIR=/tmp/punchlist-bench-pg PUNCHLIST_PG_PORT=54410 "$REPO_DIR/scripts/pg-test-cluster" start)}"
secs="${DURATION:-6}"; conns="${CONNS:-32}"; rounds="${ROUNDS:-4}"
work="$(mktemp -d /tmp/pl-ab.XXXXXX)"
declare -A pid url
cleanup() { for s in A B; do [ -n "${pid[$s]:-}" ] && kill "${pid[$s]}" 2>/dev/null; done; sleep 1; pg_drop punchlist_ab_a; pg_drop punchlist_ab_b; rm -rf "$work"; }
trap cleanup EXIT
# The shared workload, with ROUTE=<letter> restricting its pattern to that route.
sed '/^function init(args)/i local only = os.getenv("ROUTE")\nif only and only ~= "" then pattern = { only } end\n' \
  "$kit/bench/workload.lua" >"$work/route.lua"
grep -q 'os.getenv("ROUTE")' "$work/route.lua" || { echo "ab.sh: workload.lua has changed shape" >&2; exit 1; }
bins=([0]="$1" [1]="$2")
for s in A B; do
  i=0; [ $s = B ] && i=1
  db="$(pg_create "punchlist_ab_${s,,}")"
  port="$(free_port)"; url[$s]="http://127.0.0.1:$port"
  BIN="${bins[$i]}" start_server "$port" "$work/$s" "$db"; pid[$s]=$SERVER_PID; SERVER_PID=
  python3 "$kit/bench/prepare.py" "${url[$s]}" --users 32 --tasks 200 --out "$work/$s.tokens" >/dev/null
done
pgpids() { pgrep -f "postgres: postgres punchlist_ab_$1 " -d ' '; }
ns() { local t=0 p a; for p in "$@"; do for f in /proc/"$p"/task/*/schedstat; do read -r a _ <"$f" 2>/dev/null && t=$((t + a)); done; done; echo "$t"; }
run() { BENCH_TOKENS="$work/$1.tokens" ROUTE="$2" wrk -t2 -c"$conns" -d"$3s" --timeout 10s --latency -s "$work/route.lua" "${url[$1]}" >"$work/out" 2>&1; }
for r in ${ROUTES:-M L}; do
  route="$r"; [ "$r" = M ] && route=""
  for s in A B; do run $s "$route" 3; done   # warm-up
  for k in $(seq 1 "$rounds"); do
    for s in A B; do
      s0=$(ns "${pid[$s]}"); b0=$(ns $(pgpids "${s,,}"))
      run $s "$route" "$secs"
      s1=$(ns "${pid[$s]}"); b1=$(ns $(pgpids "${s,,}"))
      n=$(bench_get "$work/out" requests)
      printf '%s %s %s rps=%s server_us=%.1f backend_us=%.1f p99_ms=%s non2xx=%s\n' "$r" "$k" "$s" "$(bench_get "$work/out" rps)" \
        "$(echo "($s1-$s0)/$n/1000" | bc -l)" "$(echo "($b1-$b0)/$n/1000" | bc -l)" "$(bench_get "$work/out" p99_ms)" "$(bench_get "$work/out" non2xx)"
    done
  done
done
