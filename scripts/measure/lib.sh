#!/usr/bin/env bash
# Shared helpers for scripts/measure/*.sh (source it; not run directly).
#
#   BIN          the server binary (default: .build-release/release/punchlist)
#   PG_ADMIN     admin URL of a PostgreSQL cluster (default: `scripts/pg-test-cluster start`)
# Everything listens and loads on 127.0.0.1 only.
set -euo pipefail
export PGOPTIONS="${PGOPTIONS:--c client_min_messages=warning}"

MEASURE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$MEASURE_DIR/../.." && pwd)"
BIN="${BIN:-$REPO_DIR/.build-release/release/punchlist}"
AUTH_SECRET_BENCH="${AUTH_SECRET_BENCH:-measure-secret-0123456789-abcdefghijklmnop}"
PASSWORD_BENCH="bench-password-1"

say() { echo "[$(date +%H:%M:%S)] $*" >&2; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

pg_admin() {
  if [ -z "${PG_ADMIN:-}" ]; then PG_ADMIN="$("$REPO_DIR/scripts/pg-test-cluster" start)"; fi
  echo "$PG_ADMIN"
}

# pg_create NAME -> prints the database URL (drops an old one of that name first)
pg_create() {
  local admin; admin="$(pg_admin)"
  psql -q -X "$admin" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null
  psql -q -X "$admin" -c "CREATE DATABASE $1" >/dev/null
  echo "${admin/\/postgres\?//$1?}"
}
pg_drop() { psql -q -X "$(pg_admin)" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null; }

# start_server PORT DATA_DIR [DATABASE_URL] ; sets SERVER_PID; waits for /ready (30 s max)
# The server logs at its default level (info: a JSON line per request, into DATA_DIR/server.log),
# as the peer keeps uvicorn's access log: what is measured is what a deployment runs.
start_server() {
  local port="$1" data="$2" db="${3:-}"
  mkdir -p "$data"
  env -i PATH="$PATH" HOME="${HOME:-/root}" PORT="$port" HOST=127.0.0.1 DATA_DIR="$data" \
      ${db:+DATABASE_URL="$db"} AUTH_SECRET="$AUTH_SECRET_BENCH" AUTH_RATE_LIMIT=off \
      LOG_LEVEL=info LOG_FORMAT=json ${EXTRA_ENV:-} \
      "$BIN" >"$data/server.log" 2>&1 &
  SERVER_PID=$!
  local deadline=$(( $(date +%s) + 30 ))
  until curl -fsS -o /dev/null "http://127.0.0.1:$port/ready" 2>/dev/null; do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$data/server.log" >&2; echo "server died" >&2; return 1; }
    [ "$(date +%s)" -lt "$deadline" ] || { echo "server not ready in 30 s" >&2; return 1; }
    sleep 0.05
  done
}
stop_server() {
  if [ -n "${SERVER_PID:-}" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.05; done
    kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID" || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
}

# signup PORT EMAIL -> prints the access token
signup() {
  curl -fsS -X POST -H 'Content-Type: application/json' \
    -d "{\"email\":\"$2\",\"password\":\"$PASSWORD_BENCH\",\"name\":\"Bench\"}" \
    "http://127.0.0.1:$1/api/auth/signup" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

# cpu_ticks PID -> utime+stime in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
CLK_TCK="$(getconf CLK_TCK)"

rss_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

# bench_line FILE KEY -> value of KEY in the BENCH line wrk's Lua done() printed
bench_get() { grep '^BENCH ' "$1" | tail -1 | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'; }

# median of numbers on stdin
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# busy_pct SECONDS -> whole-machine CPU busy % over SECONDS (from /proc/stat)
busy_pct() {
  local a b
  a="$(awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $5 + $6 }' /proc/stat)"
  sleep "$1"
  b="$(awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $5 + $6 }' /proc/stat)"
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " "); printf "%.0f\n", 100 * (1 - (y[2] - x[2]) / (y[1] - x[1])) }'
}
# wait_quiet [MAX_SECONDS] : wait until the machine is < QUIET_PCT (15) % busy for 3 s in a row
# (other people's builds and tests share these 2 cores); gives up after MAX_SECONDS (300).
wait_quiet() {
  local max="${1:-300}" start; start="$(date +%s)"; local ok=0 b
  while [ $(( $(date +%s) - start )) -lt "$max" ]; do
    b="$(busy_pct 1)"
    if [ "$b" -lt "${QUIET_PCT:-15}" ]; then ok=$((ok + 1)); else ok=0; fi
    [ "$ok" -ge 3 ] && { say "machine quiet (${b}% busy) after $(( $(date +%s) - start )) s"; return 0; }
  done
  say "WARNING: machine still busy (${b}%) after $max s; measuring anyway"
}
