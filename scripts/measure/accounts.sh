#!/usr/bin/env bash
# accounts.sh: /health latency while logins run (issue 3).
#
#   scripts/measure/accounts.sh [sqlite|postgres]
#
# Per round (ROUNDS, default 3): (a) baseline: probe.lua on GET /health alone (2 connections,
# ~200 req/s) for DURATION s; (b) loaded: login.lua (POST /api/auth/login, one existing user,
# LOGIN_CONNS=20 connections, 2 wrk threads) for DURATION s with the same probe running at the
# same time. Reports /health p50/p99 for both, login req/s, server CPU (from /proc/PID/stat)
# and whole-machine CPU (from /proc/stat). AUTH_BCRYPT_COST is the server default (10) unless set.
source "$(dirname "$0")/lib.sh"
export MEASURE_DIR

backend="${1:-sqlite}"; rounds="${ROUNDS:-3}"; dur="${DURATION:-20}"; conns="${LOGIN_CONNS:-20}"
work="$(mktemp -d /tmp/pl-accounts.XXXXXX)"
port="$(free_port)"; db_url=""; db_name=""
cleanup() { stop_server; [ -n "$db_name" ] && pg_drop "$db_name"; rm -rf "$work"; }
trap cleanup EXIT
if [ "$backend" = postgres ]; then db_name=punchlist_bench_accounts; db_url="$(pg_create "$db_name")"; fi
start_server "$port" "$work/data" "$db_url"
url="http://127.0.0.1:$port"
email="login-bench@example.com"
signup "$port" "$email" >/dev/null
export BENCH_EMAIL="$email" BENCH_PASSWORD="$PASSWORD_BENCH"

probe() { timeout $(( dur + 30 )) wrk -t1 -c2 -d"${dur}s" --timeout 5s --latency -s "$MEASURE_DIR/probe.lua" "$url" >"$1" 2>&1; }
logins() { timeout $(( $2 + 30 )) wrk -t2 -c"$conns" -d"${2}s" --timeout 10s --latency -s "$MEASURE_DIR/login.lua" "$url" >"$1" 2>&1; }
machine_busy() { awk '/^cpu / { idle = $5 + $6; total = 0; for (i = 2; i <= NF; i++) total += $i; print total, idle }' /proc/stat; }

say "accounts on $backend: warm-up 3 s of logins"
logins "$work/warm" 3 || true

printf '%-5s %-9s %10s %10s %10s %10s %9s %9s %9s %9s\n' round phase health_p50 health_p99 health_max login_rps login_p50 login_p99 srv_cpu% mach_cpu%
for r in $(seq 1 "$rounds"); do
  # baseline
  t0="$(cpu_ticks "$SERVER_PID")"; read -r mt0 mi0 < <(machine_busy); s0="$(date +%s.%N)"
  probe "$work/base.$r"
  t1="$(cpu_ticks "$SERVER_PID")"; read -r mt1 mi1 < <(machine_busy); s1="$(date +%s.%N)"
  srv="$(awk -v a="$t0" -v b="$t1" -v s="$s0" -v e="$s1" -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", 100 * (b - a) / hz / (e - s) }')"
  mach="$(awk -v a="$mt0" -v b="$mt1" -v ia="$mi0" -v ib="$mi1" 'BEGIN { printf "%.0f", 100 * (1 - (ib - ia) / (b - a)) }')"
  printf '%-5s %-9s %10s %10s %10s %10s %9s %9s %9s %9s\n' "$r" baseline "$(bench_get "$work/base.$r" p50_ms)" \
    "$(bench_get "$work/base.$r" p99_ms)" "$(bench_get "$work/base.$r" max_ms)" - - - "$srv" "$mach"
  echo "BASE round=$r $(grep '^BENCH' "$work/base.$r")" >>"$work/raw"
  # loaded
  t0="$(cpu_ticks "$SERVER_PID")"; read -r mt0 mi0 < <(machine_busy); s0="$(date +%s.%N)"
  logins "$work/login.$r" "$dur" & lp=$!
  probe "$work/loaded.$r"
  wait "$lp"
  t1="$(cpu_ticks "$SERVER_PID")"; read -r mt1 mi1 < <(machine_busy); s1="$(date +%s.%N)"
  srv="$(awk -v a="$t0" -v b="$t1" -v s="$s0" -v e="$s1" -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", 100 * (b - a) / hz / (e - s) }')"
  mach="$(awk -v a="$mt0" -v b="$mt1" -v ia="$mi0" -v ib="$mi1" 'BEGIN { printf "%.0f", 100 * (1 - (ib - ia) / (b - a)) }')"
  printf '%-5s %-9s %10s %10s %10s %10s %9s %9s %9s %9s\n' "$r" "+logins" "$(bench_get "$work/loaded.$r" p50_ms)" \
    "$(bench_get "$work/loaded.$r" p99_ms)" "$(bench_get "$work/loaded.$r" max_ms)" "$(bench_get "$work/login.$r" rps)" \
    "$(bench_get "$work/login.$r" p50_ms)" "$(bench_get "$work/login.$r" p99_ms)" "$srv" "$mach"
  echo "LOADED round=$r $(grep '^BENCH' "$work/loaded.$r")" >>"$work/raw"
  echo "LOGIN round=$r $(grep '^BENCH' "$work/login.$r") $(grep '^status counts' "$work/login.$r")" >>"$work/raw"
  echo "SERVER_CPU round=$r loaded_pct=$srv machine_pct=$mach" >>"$work/raw"
done
echo; cat "$work/raw"
med() { grep "^$1 " "$work/raw" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }' | median; }
echo "MEDIAN backend=$backend health_baseline_p50=$(med BASE p50_ms) health_baseline_p99=$(med BASE p99_ms)" \
     "health_loaded_p50=$(med LOADED p50_ms) health_loaded_p99=$(med LOADED p99_ms)" \
     "login_rps=$(med LOGIN rps) login_p50=$(med LOGIN p50_ms) login_p99=$(med LOGIN p99_ms)" \
     "server_cpu_pct=$(med SERVER_CPU loaded_pct) login_non2xx=$(grep '^LOGIN ' "$work/raw" | tr ' ' '\n' | awk -F= '$1=="non2xx"{s+=$2} END {print s+0}')"
echo "server log lines with \"error\": $(grep -ci error "$work/data/server.log" || true)"
