#!/usr/bin/env bash
# scripts/bench/list.sh: GET /api/tasks?limit=50 against pgbench running the same SQL (the ceiling).
#
# On a fresh PostgreSQL database (PG_ADMIN, else scripts/pg-test-cluster): one user with
# LIST_TASKS (10,000) tasks imported, then ANALYZE. The SQL is the one the server really sends:
# a first server runs with log_min_duration_statement = 0 on that database and answers one list
# request; list_sql.py reads the statement and its parameters from the cluster's log (PG_LOG,
# default BENCH_PG_DIR/server.log) and writes a pgbench script. A second server, without
# statement logging, is then measured. For each connection count in CONNS ("32"): a warm-up of
# each, then ROUNDS (2) alternating rounds of DURATION (10) seconds: wrk (2 threads, bearer.lua)
# on the route, pgbench (2 threads) with the protocol the server used for that statement: -M
# prepared when it was a named (prepared) statement, -M extended (parsed and planned each time)
# when it was unnamed.
# Prints a line per round and "LIST ..." lines with the medians.
source "$(dirname "$0")/../measure/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
export MEASURE_DIR
rounds="${ROUNDS:-2}"; dur="${DURATION:-10}"; ntasks="${LIST_TASKS:-10000}"
pg_log="${PG_LOG:-${BENCH_PG_DIR:-/tmp/punchlist-bench-pg}/server.log}"
[ -r "$pg_log" ] || { echo "list.sh: cannot read the PostgreSQL log $pg_log (set PG_LOG)" >&2; exit 1; }
work="$(mktemp -d /tmp/pl-list.XXXXXX)"; db="punchlist_bench_list"
cleanup() { stop_server; pg_drop "$db"; rm -rf "$work"; }
trap cleanup EXIT

db_url="$(pg_create "$db")"
psql -X -q "$(pg_admin)" -c "ALTER DATABASE $db SET log_min_duration_statement = 0"
port="$(free_port)"; url="http://127.0.0.1:$port"
start_server "$port" "$work/data" "$db_url"
token="$(signup "$port" list-bench@example.com)"
python3 "$MEASURE_DIR/gen_tasks.py" "$ntasks" >"$work/tasks.ndjson"
curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/x-ndjson' \
  --data-binary @"$work/tasks.ndjson" "$url/api/tasks/import"
psql -X -q "$db_url" -c "ANALYZE"
log_from="$(stat -c %s "$pg_log")"
curl -fsS -o /dev/null -H "Authorization: Bearer $token" "$url/api/tasks?limit=50"
sleep 0.2
stop_server
psql -X -q "$(pg_admin)" -c "ALTER DATABASE $db RESET log_min_duration_statement"
protocol="$(tail -c +"$((log_from + 1))" "$pg_log" | python3 "$here/list_sql.py" "$work/list.pgbench" "$work/list.vars")"
echo "SQL (pgbench -M $protocol) $(head -1 "$work/list.pgbench")"

start_server "$port" "$work/data" "$db_url"
export BENCH_TOKEN="$token" BENCH_METHOD=GET BENCH_PATH="/api/tasks?limit=50"
run_wrk() {  # run_wrk CONNS SECONDS OUT
  timeout $(( $2 + 60 )) wrk -t2 -c"$1" -d"${2}s" --timeout 10s --latency -s "$MEASURE_DIR/bearer.lua" "$url" >"$3" 2>&1
}
run_pgbench() {  # run_pgbench CONNS SECONDS OUT
  # shellcheck disable=SC2046 # one -D per variable
  timeout $(( $2 + 60 )) pgbench -n -M "$protocol" -c "$1" -j 2 -T "$2" -f "$work/list.pgbench" \
    $(sed 's/^/-D /' "$work/list.vars") "$db_url" >"$3" 2>&1
}
tps() { awk '/^tps = / { print $3; exit }' "$1"; }
lat() { awk '/^latency average = / { print $4; exit }' "$1"; }
for conns in ${CONNS:-32}; do
  run_wrk "$conns" 3 "$work/warm" || true
  run_pgbench "$conns" 3 "$work/warm" || true
  for r in $(seq 1 "$rounds"); do
    f="$work/api.$conns.$r"; run_wrk "$conns" "$dur" "$f" || { cat "$f" >&2; exit 1; }
    echo "ROUND conns=$conns round=$r side=punchlist rps=$(bench_get "$f" rps) p50_ms=$(bench_get "$f" p50_ms) p99_ms=$(bench_get "$f" p99_ms) non2xx=$(bench_get "$f" non2xx)" | tee -a "$work/raw"
    f="$work/pgbench.$conns.$r"; run_pgbench "$conns" "$dur" "$f" || { cat "$f" >&2; exit 1; }
    echo "ROUND conns=$conns round=$r side=pgbench tps=$(tps "$f") latency_avg_ms=$(lat "$f") failed=$(awk '/^number of failed transactions/ { print $5; exit }' "$f")" | tee -a "$work/raw"
  done
  med() { grep "^ROUND conns=$conns .*side=$1 " "$work/raw" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }' | median; }
  echo "LIST conns=$conns punchlist_rps=$(med punchlist rps) punchlist_p99_ms=$(med punchlist p99_ms) pgbench_tps=$(med pgbench tps) protocol=$protocol rounds=$rounds duration_s=$dur tasks=$ntasks"
done
