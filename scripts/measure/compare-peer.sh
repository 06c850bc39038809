#!/usr/bin/env bash
# compare-peer.sh: one short run of the shared mixed workload (/work/shared/bench/compare.sh),
# Punchlist (A) vs the FastAPI peer (B), both on SQLite in fresh temporary directories.
#   scripts/measure/compare-peer.sh   (env DURATION=10s CONNS=32 ROUNDS=2 passed on to compare.sh)
# Needs the peer's venv (/work/shared/peers/fastapi-todo/setup.sh, which uses PyPI).
source "$(dirname "$0")/lib.sh"
BENCH="${BENCH_DIR:-/work/shared/bench}"; PEER="${PEER_DIR:-/work/shared/peers/fastapi-todo}"
work="$(mktemp -d /tmp/pl-compare.XXXXXX)"; peer_pid=""
cleanup() { stop_server; [ -n "$peer_pid" ] && kill "$peer_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
pa="$(free_port)"; pb="$(free_port)"
start_server "$pa" "$work/a"
mkdir -p "$work/b"
DATA_DIR="$work/b" AUTH_SECRET="$AUTH_SECRET_BENCH" "$PEER/run.sh" "$pb" >"$work/b/server.log" 2>&1 &
peer_pid=$!
for _ in $(seq 1 300); do curl -fsS -o /dev/null "http://127.0.0.1:$pb/health" 2>/dev/null && break; sleep 0.1; done
curl -fsS "http://127.0.0.1:$pb/health" >/dev/null
# run.sh execs uvicorn, so $peer_pid is the server process
PID_A="$SERVER_PID" PID_B="$peer_pid" ROUNDS="${ROUNDS:-2}" timeout 900 "$BENCH/compare.sh" \
  "http://127.0.0.1:$pa" "http://127.0.0.1:$pb" "${DURATION:-10s}" "${CONNS:-32}"
echo "punchlist server log error lines: $(grep -ci error "$work/a/server.log" || true)"
echo "peer server log error lines: $(grep -ci error "$work/b/server.log" || true)"
