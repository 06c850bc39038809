#!/usr/bin/env bash
# spot.sh: the per-request latency of single list URLs, one connection at a time (no queueing), with
# 10,000 tasks for one user: shows which list shapes are expensive through the whole HTTP stack.
#
#   scripts/measure/spot.sh sqlite|postgres
#
# Fresh server and database, import gen_tasks.py's 10,000 tasks (then ANALYZE on PostgreSQL), follow
# next_cursor to the page after row DEEP (9000) of the default order, then for each URL run
# wrk -t1 -c1 -d SECONDS (default 5) and print requests/s and p50/p99 latency.
source "$(dirname "$0")/lib.sh"
export MEASURE_DIR
backend="${1:-sqlite}"; secs="${DURATION:-5}"; deep="${DEEP:-9000}"
work="$(mktemp -d /tmp/pl-spot.XXXXXX)"; db_name=""; db_url=""
cleanup() { stop_server; [ -n "$db_name" ] && pg_drop "$db_name"; rm -rf "$work"; }
trap cleanup EXIT
if [ "$backend" = postgres ]; then db_name=punchlist_bench_spot; db_url="$(pg_create "$db_name")"; fi
port="$(free_port)"; url="http://127.0.0.1:$port"
start_server "$port" "$work/data" "$db_url"
token="$(signup "$port" spot@example.com)"; export BENCH_TOKEN="$token"
python3 "$MEASURE_DIR/gen_tasks.py" 10000 >"$work/tasks.ndjson"
curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/x-ndjson' \
  --data-binary @"$work/tasks.ndjson" "$url/api/tasks/import"
[ "$backend" = postgres ] && psql -X -q "$db_url" -c ANALYZE
# the cursor after row $deep: pages of 200, then one of the rest
cursor=""; seen=0
while [ "$seen" -lt "$deep" ]; do
  step=$(( deep - seen < 200 ? deep - seen : 200 ))
  cursor="$(curl -fsS -H "Authorization: Bearer $token" "$url/api/tasks?limit=$step${cursor:+&cursor=$cursor}" |
            python3 -c 'import json,sys; print(json.load(sys.stdin)["next_cursor"])')"
  seen=$(( seen + step ))
done
urls=("/api/tasks?limit=50"
      "/api/tasks?limit=50&cursor=$cursor"
      "/api/tasks?limit=50&sort=due_at"
      "/api/tasks?limit=50&sort=title"
      "/api/tasks?limit=50&tag=work&status=open"
      "/api/tasks?limit=50&overdue=true"
      "/api/tasks?limit=50&q=invoice"
      "/api/tasks?limit=50&q=invoice&sort=created_at"
      "/api/tasks?limit=50&q=zebra"
      "/api/tasks?limit=50&q=zebra&sort=created_at")
printf '%-62s %9s %9s %9s %7s\n' "URL ($backend, 1 connection, ${secs}s)" req/s p50_ms p99_ms non2xx
for u in "${urls[@]}"; do
  BENCH_PATH="$u" timeout $(( secs + 30 )) wrk -t1 -c1 -d"${secs}s" --timeout 10s --latency -s "$MEASURE_DIR/bearer.lua" "$url" >"$work/out" 2>&1
  shown="${u/cursor=$cursor/cursor=<after row $deep>}"
  printf '%-62s %9s %9s %9s %7s\n' "$shown" "$(bench_get "$work/out" rps)" "$(bench_get "$work/out" p50_ms)" \
    "$(bench_get "$work/out" p99_ms)" "$(bench_get "$work/out" non2xx)"
done
