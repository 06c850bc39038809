#!/usr/bin/env bash
# creates.sh: POST /api/tasks throughput for one user vs. many users (is it the per-user lock?).
#
#   scripts/measure/creates.sh sqlite|postgres [USERS...]       (default USERS: 1 32)
#
# Per round (ROUNDS, default 3) and user count: fresh server and database, sign up N users, then
# wrk (CONNS 32, 2 threads, DURATION 15 s) POSTs small tasks, spreading requests over the users in
# turn. On PostgreSQL it samples pg_stat_activity every 0.5 s during the run and prints which wait
# events the bench database's backends were in (Lock:transactionid = waiting for another
# transaction's row lock). QUIET=1 waits (bounded) for an idle machine before each run.
source "$(dirname "$0")/lib.sh"
export MEASURE_DIR
backend="${1:-postgres}"; shift || true
counts=("$@"); [ ${#counts[@]} -gt 0 ] || counts=(1 32)
rounds="${ROUNDS:-3}"; dur="${DURATION:-15}"; conns="${CONNS:-32}"
work="$(mktemp -d /tmp/pl-creates.XXXXXX)"; db_name=""
cleanup() { stop_server; [ -n "$db_name" ] && pg_drop "$db_name"; rm -rf "$work"; }
trap cleanup EXIT
printf '%-5s %-6s %10s %9s %9s %8s %9s  %s\n' round users req/s p50_ms p99_ms non2xx srv_cpu% "backend wait events (samples)"
for r in $(seq 1 "$rounds"); do
  for n in "${counts[@]}"; do
    [ "${QUIET:-0}" = 1 ] && wait_quiet 240
    port="$(free_port)"; url="http://127.0.0.1:$port"; db_url=""
    if [ "$backend" = postgres ]; then db_name=punchlist_bench_creates; db_url="$(pg_create "$db_name")"; fi
    rm -rf "$work/data"; start_server "$port" "$work/data" "$db_url"
    : >"$work/tokens"
    for i in $(seq 1 "$n"); do signup "$port" "creates-$i@example.com" >>"$work/tokens"; done
    BENCH_TOKENS_FILE="$work/tokens" BENCH_METHOD=POST BENCH_PATH=/api/tasks \
      BENCH_BODY='{"title":"Load %s-%d","priority":"low","tags":["load"]}' \
      timeout $(( dur + 30 )) wrk -t2 -c"$conns" -d"${dur}s" --timeout 10s --latency -s "$MEASURE_DIR/bearer.lua" "$url" >"$work/out" 2>&1 &
    wp=$!
    c0="$(cpu_ticks "$SERVER_PID")"; s0="$(date +%s.%N)"
    : >"$work/waits"
    if [ "$backend" = postgres ]; then
      end=$(( $(date +%s) + dur - 1 )); sleep 1
      while [ "$(date +%s)" -lt "$end" ]; do
        psql -X -A -t -F' ' "$db_url" -c "SELECT coalesce(wait_event_type || ':' || wait_event, state) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" >>"$work/waits"
        sleep 0.5
      done
    fi
    wait "$wp"
    c1="$(cpu_ticks "$SERVER_PID")"; s1="$(date +%s.%N)"
    cpu="$(awk -v a="$c0" -v b="$c1" -v s="$s0" -v e="$s1" -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", 100 * (b - a) / hz / (e - s) }')"
    waits="$(sort "$work/waits" | uniq -c | sort -rn | head -5 | awk '{ printf "%s=%s ", $2, $1 }')"
    printf '%-5s %-6s %10s %9s %9s %8s %9s  %s\n' "$r" "$n" "$(bench_get "$work/out" rps)" "$(bench_get "$work/out" p50_ms)" \
      "$(bench_get "$work/out" p99_ms)" "$(bench_get "$work/out" non2xx)" "$cpu" "${waits:--}"
    echo "CREATES users=$n round=$r $(grep '^BENCH' "$work/out") cpu_pct=$cpu" >>"$work/raw"
    stop_server; [ -n "$db_name" ] && pg_drop "$db_name"
  done
done
echo
for n in "${counts[@]}"; do
  grep "^CREATES users=$n " "$work/raw" | tr ' ' '\n' | awk -F= '$1 == "rps" { print $2 }' | median | sed "s/^/MEDIAN backend=$backend users=$n create_rps=/"
done
