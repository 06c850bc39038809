#!/usr/bin/env bash
# tasks.sh: task list / search / filter / create throughput with 10,000 tasks for one user (issue 4).
#
#   scripts/measure/tasks.sh sqlite|postgres
#
# Per round (ROUNDS, default 3), on a fresh server and a fresh database: sign up one user,
# import TASKS (10,000) tasks from gen_tasks.py through POST /api/tasks/import, warm up
# (WARMUP 3 s of the list), then wrk (CONNS 32 connections, 2 threads, DURATION 15 s each):
#   list    GET  /api/tasks?limit=50
#   search  GET  /api/tasks?limit=50&q=invoice
#   tagopen GET  /api/tasks?limit=50&tag=work&status=open
#   create  POST /api/tasks   {"title":"Load N","priority":"low","tags":["load"]}
# (create last, since it adds tasks). SCENARIOS="list search" picks some. On PostgreSQL the
# import is followed by ANALYZE (PG_ANALYZE=1, the default; autovacuum would do the same within
# about a minute); PG_ANALYZE=0 measures the plans a freshly imported, never-analyzed table gets.
# With PG_ANALYZE=0, autovacuum is also switched off for the tasks table of the bench database.
# PLANS=1 also writes the query plans (plans.sh) in round 1, before any create, to
# $OUT_DIR/plans-<backend>.md. QUIET=1 waits (bounded) for the shared machine to be idle before
# each round. Prints a table and the medians.
source "$(dirname "$0")/lib.sh"
export MEASURE_DIR

backend="${1:-sqlite}"; rounds="${ROUNDS:-3}"; dur="${DURATION:-15}"; conns="${CONNS:-32}"
ntasks="${TASKS:-10000}"; warmup="${WARMUP:-3}"; out_dir="${OUT_DIR:-/tmp}"
work="$(mktemp -d /tmp/pl-tasks.XXXXXX)"; db_name=""
cleanup() { stop_server; [ -n "$db_name" ] && pg_drop "$db_name"; rm -rf "$work"; }
trap cleanup EXIT
python3 "$MEASURE_DIR/gen_tasks.py" "$ntasks" >"$work/tasks.ndjson"

declare -A path=([list]="/api/tasks?limit=50" [search]="/api/tasks?limit=50&q=invoice"
                 [tagopen]="/api/tasks?limit=50&tag=work&status=open" [create]="/api/tasks")
read -r -a scenarios <<<"${SCENARIOS:-list search tagopen create}"

pg_ticks() {  # pg_ticks PID... -> summed utime+stime of those (PostgreSQL backend) processes
  local t=0 p
  for p in "$@"; do [ -r "/proc/$p/stat" ] && t=$(( t + $(cpu_ticks "$p") )); done
  echo "$t"
}

run_wrk() {  # run_wrk SCENARIO SECONDS OUT
  local s="$1"
  if [ "$s" = create ]; then
    BENCH_METHOD=POST BENCH_PATH="${path[$s]}" BENCH_BODY='{"title":"Load %s-%d","priority":"low","tags":["load"]}' \
      timeout $(( $2 + 30 )) wrk -t2 -c"$conns" -d"${2}s" --timeout 10s --latency -s "$MEASURE_DIR/bearer.lua" "$url" >"$3" 2>&1
  else
    BENCH_METHOD=GET BENCH_PATH="${path[$s]}" \
      timeout $(( $2 + 30 )) wrk -t2 -c"$conns" -d"${2}s" --timeout 10s --latency -s "$MEASURE_DIR/bearer.lua" "$url" >"$3" 2>&1
  fi
}

printf '%-5s %-8s %10s %9s %9s %9s %8s %8s %8s %9s %7s %9s\n' round scenario req/s p50_ms p99_ms max_ms non2xx sockerr srv_cpu% rss_MiB before% req/cpu_s
for r in $(seq 1 "$rounds"); do
  [ "${QUIET:-0}" = 1 ] && wait_quiet 240
  port="$(free_port)"; url="http://127.0.0.1:$port"; db_url=""
  if [ "$backend" = postgres ]; then db_name="punchlist_bench_tasks"; db_url="$(pg_create "$db_name")"; fi
  rm -rf "$work/data"
  start_server "$port" "$work/data" "$db_url"
  if [ "$backend" = postgres ] && [ "${PG_ANALYZE:-1}" = 0 ]; then
    # keep the table un-analyzed for the whole round (autovacuum would ANALYZE it within about a minute)
    psql -X -q "$db_url" -c "ALTER TABLE tasks SET (autovacuum_enabled = false)"
  fi
  token="$(signup "$port" "tasks-bench-$r@example.com")"
  export BENCH_TOKEN="$token"
  t0="$(date +%s.%N)"
  code="$(curl -sS -o "$work/import.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
          -H 'Content-Type: application/x-ndjson' --data-binary @"$work/tasks.ndjson" "$url/api/tasks/import")"
  t1="$(date +%s.%N)"
  imp="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
  echo "IMPORT round=$r http=$code seconds=$imp body=$(head -c 120 "$work/import.json")" >>"$work/raw"
  [ "$code" = 200 ] || [ "$code" = 201 ] || { echo "import failed: $code $(cat "$work/import.json")" >&2; exit 1; }
  if [ "$backend" = postgres ] && [ "${PG_ANALYZE:-1}" = 1 ] && [ "${PLANS:-0}" != 1 -o "$r" != 1 ]; then
    psql -X -q "$db_url" -c "ANALYZE"
  fi
  if [ "${PLANS:-0}" = 1 ] && [ "$r" = 1 ]; then
    uid="$(curl -fsS -H "Authorization: Bearer $token" "$url/api/auth/me" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
    if [ "$backend" = postgres ]; then
      { echo "## PostgreSQL, right after the import (before autovacuum's ANALYZE)"; "$MEASURE_DIR/plans.sh" postgres "$db_url" "$uid"
        if [ "${PG_ANALYZE:-1}" = 1 ]; then
          psql -X -q "$db_url" -c "ANALYZE"; echo; echo "## PostgreSQL after ANALYZE"; "$MEASURE_DIR/plans.sh" postgres "$db_url" "$uid"
        fi; } >"$out_dir/plans-postgres.md"
    else
      { echo "## SQLite"; "$MEASURE_DIR/plans.sh" sqlite "$work/data/punchlist.sqlite" "$uid"; } >"$out_dir/plans-sqlite.md"
    fi
  fi
  run_wrk list "$warmup" "$work/warm" || true
  for s in "${scenarios[@]}"; do
    idle_busy="$(busy_pct 1)"   # the machine's load from other processes just before this run
    pg_pids=""
    [ "$backend" = postgres ] && pg_pids="$(psql -X -A -t "$db_url" -c "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")"
    c0="$(cpu_ticks "$SERVER_PID")"; s0="$(date +%s.%N)"; p0="$(pg_ticks $pg_pids)"
    run_wrk "$s" "$dur" "$work/$s.$r" || { cat "$work/$s.$r" >&2; exit 1; }
    c1="$(cpu_ticks "$SERVER_PID")"; s1="$(date +%s.%N)"; p1="$(pg_ticks $pg_pids)"
    pgcpu="$(awk -v a="$p0" -v b="$p1" -v s="$s0" -v e="$s1" -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", 100 * (b - a) / hz / (e - s) }')"
    cpu="$(awk -v a="$c0" -v b="$c1" -v s="$s0" -v e="$s1" -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", 100 * (b - a) / hz / (e - s) }')"
    rss="$(awk -v k="$(rss_kb "$SERVER_PID" VmRSS)" 'BEGIN { printf "%.1f", k / 1024 }')"
    f="$work/$s.$r"
    per_cpu="$(awk -v r="$(bench_get "$f" rps)" -v c="$cpu" 'BEGIN { if (c > 0) printf "%.0f", 100 * r / c; else printf "0" }')"
    printf '%-5s %-8s %10s %9s %9s %9s %8s %8s %8s %9s %7s %9s\n' "$r" "$s" "$(bench_get "$f" rps)" "$(bench_get "$f" p50_ms)" \
      "$(bench_get "$f" p99_ms)" "$(bench_get "$f" max_ms)" "$(bench_get "$f" non2xx)" "$(bench_get "$f" socket_errors)" "$cpu" "$rss" "$idle_busy" "$per_cpu"
    echo "$s round=$r $(grep '^BENCH' "$f") cpu_pct=$cpu pg_backends_cpu_pct=$pgcpu req_per_cpu_s=$per_cpu rss_mib=$rss busy_before_pct=$idle_busy $(grep '^status counts' "$f" | tr -d ':' | sed 's/ /_/; s/ /_/')" >>"$work/raw"
    grep -m3 '^non-2xx' "$f" >>"$work/raw" || true
  done
  if [ "$backend" = postgres ]; then
    echo "PGSTAT round=$r $(psql -X -A -t "$db_url" -c "SELECT 'last_analyze=' || coalesce(last_analyze::text, 'never') || ' last_autoanalyze=' || coalesce(last_autoanalyze::text, 'never') FROM pg_stat_user_tables WHERE relname = 'tasks'" | tr ' ' '_')" >>"$work/raw"
  fi
  echo "HWM round=$r vmhwm_mib=$(awk -v k="$(rss_kb "$SERVER_PID" VmHWM)" 'BEGIN { printf "%.1f", k / 1024 }')" >>"$work/raw"
  errs="$(grep -ci '"level":"error"\|error' "$work/data/server.log" || true)"
  echo "LOG round=$r error_lines=$errs" >>"$work/raw"
  [ "$errs" -gt 0 ] && grep -i -m5 error "$work/data/server.log" | cut -c1-400 >>"$work/raw"
  stop_server
  [ -n "$db_name" ] && pg_drop "$db_name"
done
echo; cat "$work/raw"
med() { grep "^$1 " "$work/raw" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }' | median; }
sum() { grep "^$1 " "$work/raw" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { s += $2 } END { print s + 0 }'; }
echo
for s in "${scenarios[@]}"; do
  echo "MEDIAN backend=$backend scenario=$s rps=$(med "$s" rps) p50_ms=$(med "$s" p50_ms) p99_ms=$(med "$s" p99_ms) non2xx_total=$(sum "$s" non2xx) socket_errors_total=$(sum "$s" socket_errors) cpu_pct=$(med "$s" cpu_pct) pg_backends_cpu_pct=$(med "$s" pg_backends_cpu_pct) req_per_cpu_s=$(med "$s" req_per_cpu_s)"
done
echo "MEDIAN backend=$backend import_s=$(med IMPORT seconds)"
