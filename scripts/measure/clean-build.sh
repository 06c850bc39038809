#!/usr/bin/env bash
# clean-build.sh: debug build time from a clean clone (all dependencies rebuilt), RUNS times (default 1).
#   scripts/measure/clean-build.sh     (clones $REPO_DIR's HEAD to /tmp/pl-clone, deletes it afterwards)
# Needs the network only if the dependency checkouts are not in SwiftPM's shared cache.
source "$(dirname "$0")/lib.sh"
runs="${RUNS:-1}"
for r in $(seq 1 "$runs"); do
  rm -rf /tmp/pl-clone
  git clone -q "$REPO_DIR" /tmp/pl-clone
  echo "commit $(git -C /tmp/pl-clone rev-parse --short HEAD)"
  cd /tmp/pl-clone
  s0="$(date +%s.%N)"
  ( time timeout 3600 swift build ) >/tmp/pl-clone-build.log 2>&1 || { tail -20 /tmp/pl-clone-build.log; exit 1; }
  s1="$(date +%s.%N)"
  tail -4 /tmp/pl-clone-build.log
  awk -v a="$s0" -v b="$s1" -v r="$r" 'BEGIN { printf "CLEANBUILD run=%d seconds=%.1f\n", r, b - a }'
  cd /; rm -rf /tmp/pl-clone
done
