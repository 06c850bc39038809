#!/usr/bin/env bash
# run-all.sh: every measurement in docs/MEASUREMENTS.md, in order, into OUT (default /tmp/pl-bench).
#
#   scripts/measure/run-all.sh [sections...]     sections: size startup accounts tasks tasks-alt plans0 creates spot startup-cost exec compare clean-build
#
# Uses the release binary BIN (default .build-release/release/punchlist; build it first with
# scripts/release-build, as scripts/bench/run does). Before each section it waits (bounded)
# for the shared 2-core machine to be idle. clean-build goes last and runs alone.
source "$(dirname "$0")/lib.sh"
OUT="${OUT:-/tmp/pl-bench}"; mkdir -p "$OUT"
export BIN MEASURE_DIR OUT_DIR="$OUT"
sections=("$@"); [ ${#sections[@]} -gt 0 ] || sections=(size startup accounts tasks plans0 compare clean-build)

for s in "${sections[@]}"; do
  say "=== $s"
  ( case "$s" in
    size)
      { ls -l "$BIN"; file "$BIN"; cp "$BIN" "$OUT/punchlist.stripped"; strip "$OUT/punchlist.stripped"; ls -l "$OUT/punchlist.stripped"
        size "$BIN"; echo "shared libraries outside /lib (the Swift runtime the binary needs at run time):"
        ldd "$BIN" | awk '$3 ~ /^\/opt|^\/usr\/lib\/swift/ { print $3 }' | xargs ls -lL | awk '{ s += $5; print } END { printf "total %.1f MiB\n", s / 1048576 }'
        rm -f "$OUT/punchlist.stripped"; } 2>&1 | tee "$OUT/size.txt" ;;
    startup)
      wait_quiet; "$MEASURE_DIR/startup.py" --runs 10 --bin "$BIN" 2>&1 | tee "$OUT/startup-sqlite.txt"
      wait_quiet; "$MEASURE_DIR/startup.py" --runs 10 --bin "$BIN" --pg "$(pg_admin)" 2>&1 | tee "$OUT/startup-postgres.txt" ;;
    accounts)
      wait_quiet; "$MEASURE_DIR/accounts.sh" sqlite 2>&1 | tee "$OUT/accounts-sqlite.txt" ;;
    tasks)
      wait_quiet; QUIET=1 PLANS=1 "$MEASURE_DIR/tasks.sh" sqlite 2>&1 | tee "$OUT/tasks-sqlite.txt"
      wait_quiet; QUIET=1 PLANS=1 "$MEASURE_DIR/tasks.sh" postgres 2>&1 | tee "$OUT/tasks-postgres.txt" ;;
    tasks-alt)  # the same, with SQLite and PostgreSQL rounds alternating (fairer on a noisy shared machine)
      for i in 1 2 3; do
        for b in sqlite postgres; do
          wait_quiet; QUIET=1 ROUNDS=1 "$MEASURE_DIR/tasks.sh" "$b" 2>&1 | tee -a "$OUT/tasks-alt-$b.txt"
        done
      done ;;
    plans0)  # the list on a freshly imported PostgreSQL table that nothing has ANALYZEd yet
      wait_quiet; QUIET=1 PG_ANALYZE=0 SCENARIOS="list tagopen" "$MEASURE_DIR/tasks.sh" postgres 2>&1 | tee "$OUT/tasks-postgres-unanalyzed.txt" ;;
    creates)  # one user vs 32 users creating tasks: the per-user event counter serializes one user's writes
      QUIET=1 "$MEASURE_DIR/creates.sh" sqlite 1 32 2>&1 | tee "$OUT/creates-sqlite.txt"
      QUIET=1 "$MEASURE_DIR/creates.sh" postgres 1 32 2>&1 | tee "$OUT/creates-postgres.txt" ;;
    startup-cost)  # how much of start-up is the decoy bcrypt hash computed at start (cost 10 vs 4)
      wait_quiet; "$MEASURE_DIR/startup.py" --runs 10 --bin "$BIN" --env AUTH_BCRYPT_COST=4 2>&1 | tee "$OUT/startup-sqlite-cost4.txt"
      wait_quiet; "$MEASURE_DIR/startup.py" --runs 10 --bin "$BIN" 2>&1 | tee "$OUT/startup-sqlite-cost10.txt" ;;
    exec)  # the process and Swift runtime alone: `punchlist version`
      wait_quiet; hyperfine -N --warmup 3 --runs 30 "$BIN version" "$BIN --help" 2>&1 | tee "$OUT/exec.txt" ;;
    spot)  # per-request latency of single list URLs (1 connection), both databases
      wait_quiet; "$MEASURE_DIR/spot.sh" sqlite 2>&1 | tee "$OUT/spot-sqlite.txt"
      wait_quiet; "$MEASURE_DIR/spot.sh" postgres 2>&1 | tee "$OUT/spot-postgres.txt" ;;
    compare)
      wait_quiet; "$MEASURE_DIR/compare-peer.sh" 2>&1 | tee "$OUT/compare.txt" ;;
    clean-build)
      wait_quiet 600; "$MEASURE_DIR/clean-build.sh" 2>&1 | tee "$OUT/clean-build.txt" ;;
    *) echo "unknown section $s" >&2; exit 2 ;;
  esac ) || say "section $s FAILED (status $?)"
done
