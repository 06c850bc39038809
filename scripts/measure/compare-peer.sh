#!/usr/bin/env bash
# compare-peer.sh [sqlite|postgres]: the shared mixed workload (BENCH_KIT/bench/compare.sh),
# Punchlist (A) vs the FastAPI peer (B) on the same database: fresh temporary directories
# (SQLite), or two fresh databases in one PostgreSQL cluster (PG_ADMIN, else scripts/pg-test-cluster).
# One server pair serves every connection count in CONNS ("32"), in turn; DURATION (10 s) and
# ROUNDS (2) go on to compare.sh, which prepares users (prepare.py) and alternates A B A B.
# Prints compare.sh's tables, each after a "CONNS n" line, then the servers' peak RSS and log errors.
# Needs the peer's venv (BENCH_KIT/peers/fastapi-todo/setup.sh, which uses PyPI).
source "$(dirname "$0")/lib.sh"
backend="${1:-sqlite}"
KIT="${BENCH_KIT:-$REPO_DIR/../shared}"; PEER="$KIT/peers/fastapi-todo"
work="$(mktemp -d /tmp/pl-compare.XXXXXX)"; peer_pid=""; dbs=()
cleanup() {
  stop_server
  if [ -n "$peer_pid" ]; then  # uvicorn drains its backlog before it exits: give it 5 s
    kill "$peer_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$peer_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$peer_pid" 2>/dev/null || true; wait "$peer_pid" 2>/dev/null || true
  fi
  for db in "${dbs[@]}"; do pg_drop "$db"; done
  rm -rf "$work"
}
trap cleanup EXIT
db_a=""; db_b=""
if [ "$backend" = postgres ]; then
  dbs=(punchlist_bench_mixed peer_bench_mixed)
  db_a="$(pg_create punchlist_bench_mixed)"; db_b="$(pg_create peer_bench_mixed)"
  db_b="postgresql+psycopg://${db_b#postgres://}"
fi
pa="$(free_port)"; pb="$(free_port)"
start_server "$pa" "$work/a" "$db_a"
mkdir -p "$work/b"
env ${db_b:+DATABASE_URL="$db_b"} DATA_DIR="$work/b" AUTH_SECRET="$AUTH_SECRET_BENCH" "$PEER/run.sh" "$pb" >"$work/b/server.log" 2>&1 &
peer_pid=$!   # run.sh execs uvicorn, so this is the server process
for _ in $(seq 1 300); do curl -fsS -o /dev/null "http://127.0.0.1:$pb/health" 2>/dev/null && break; sleep 0.1; done
curl -fsS -o /dev/null "http://127.0.0.1:$pb/health" || { cat "$work/b/server.log" >&2; exit 1; }
for conns in ${CONNS:-32}; do
  echo "CONNS $conns backend=$backend"
  PID_A="$SERVER_PID" PID_B="$peer_pid" ROUNDS="${ROUNDS:-2}" timeout 1800 "$KIT/bench/compare.sh" \
    "http://127.0.0.1:$pa" "http://127.0.0.1:$pb" "${DURATION:-10}" "$conns"
done
echo "PEAK backend=$backend punchlist_hwm_mib=$(awk -v k="$(rss_kb "$SERVER_PID" VmHWM)" 'BEGIN { printf "%.1f", k / 1024 }') peer_hwm_mib=$(awk -v k="$(rss_kb "$peer_pid" VmHWM)" 'BEGIN { printf "%.1f", k / 1024 }')"
echo "punchlist server log error lines: $(grep -ci error "$work/a/server.log" || true)"
echo "peer server log error lines: $(grep -ci error "$work/b/server.log" || true)"
grep -i -m3 error "$work/b/server.log" | cut -c1-300 || true
