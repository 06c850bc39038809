#!/usr/bin/env bash
# plans.sh: query plans of the task-list SQL (shapes from Sources/Punchlist/Storage/TaskListSQL.swift).
#
#   scripts/measure/plans.sh sqlite   DATA_DIR/punchlist.sqlite USER_ID
#   scripts/measure/plans.sh postgres DATABASE_URL              USER_ID
#
# SQLite: EXPLAIN QUERY PLAN, and the statement's own time (python3's sqlite3 on the same file,
# read-only, median of 30 runs). PostgreSQL: EXPLAIN (ANALYZE, BUFFERS, COSTS OFF). Literal values
# stand in for the binds (PostgresNIO sends unnamed statements, planned with the actual values).
# Search word WORD=invoice, tag TAG=work, LIMIT 51 (limit=50 + 1); the deep keyset page starts
# after row DEEP=9000 of the created_at order; RARE=zebra is a search word no task contains.
set -euo pipefail
dialect="$1"; target="$2"; uid="$3"; word="${WORD:-invoice}"; tag="${TAG:-work}"; deep="${DEEP:-9000}"

declare -a names sqls
add() { names+=("$1"); sqls+=("$2"); }
if [ "$dialect" = sqlite ]; then
  u="'$uid'"; score="0.0"; nowlit="$(($(date +%s) * 1000))"
  at() { sqlite3 "$target" "SELECT created_at || ',''' || id || '''' FROM tasks WHERE user_id = $u ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET $1"; }
  tagcond="EXISTS (SELECT 1 FROM task_tags WHERE task_tags.user_id = tasks.user_id AND tag = '$tag' AND task_id = tasks.id)"
  search="SELECT * FROM (SELECT tasks.*, -bm25(tasks_search, 10.0, 1.0, 5.0) AS score FROM tasks_search JOIN tasks ON tasks.seq = tasks_search.rowid WHERE tasks.user_id = $u AND tasks_search MATCH '\"$word\"*') AS tasks ORDER BY score DESC, tasks.id DESC LIMIT 51"
  searchsorted="SELECT tasks.*, -bm25(tasks_search, 10.0, 1.0, 5.0) AS score FROM tasks_search JOIN tasks ON tasks.seq = tasks_search.rowid WHERE tasks.user_id = $u AND tasks_search MATCH '\"$word\"*' ORDER BY tasks.created_at DESC, tasks.id DESC LIMIT 51"
else
  u="'$uid'::uuid"; score="0.0::float8"; nowlit="now()"
  at() { psql -X -A -t "$target" -c "SELECT '''' || created_at || '''::timestamptz,''' || id || '''::uuid' FROM tasks WHERE user_id = $u ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET $1"; }
  tagcond="tasks.tags @> ARRAY['$tag']::text[]"
  search="SELECT * FROM (SELECT tasks.*, ts_rank(tasks.search, words)::float8 AS score FROM tasks, to_tsquery('simple', '''$word'':*') AS words WHERE tasks.user_id = $u AND tasks.search @@ words) AS tasks ORDER BY score DESC, tasks.id DESC LIMIT 51"
  searchsorted="SELECT tasks.*, 0.0::float8 AS score FROM tasks, to_tsquery('simple', '''$word'':*') AS words WHERE tasks.user_id = $u AND tasks.search @@ words ORDER BY tasks.created_at DESC, tasks.id DESC LIMIT 51"
fi
p2="$(at 49)"; kc="${p2%%,*}"; kid="${p2#*,}"
pd="$(at "$deep")"; dc="${pd%%,*}"; did="${pd#*,}"
sel="SELECT tasks.*, $score AS score FROM tasks WHERE tasks.user_id = $u"
add "sort=created_at (default, desc)" "$sel ORDER BY tasks.created_at DESC, tasks.id DESC LIMIT 51"
add "sort=created_at page 2 (keyset)" "$sel AND (tasks.created_at < $kc OR (tasks.created_at = $kc AND tasks.id < $kid)) ORDER BY tasks.created_at DESC, tasks.id DESC LIMIT 51"
add "sort=created_at deep page (keyset after row $deep)" "$sel AND (tasks.created_at < $dc OR (tasks.created_at = $dc AND tasks.id < $did)) ORDER BY tasks.created_at DESC, tasks.id DESC LIMIT 51"
add "sort=updated_at (desc)" "$sel ORDER BY tasks.updated_at DESC, tasks.id DESC LIMIT 51"
add "sort=due_at (desc) pass 1: dated" "$sel AND tasks.due_at IS NOT NULL ORDER BY tasks.due_at DESC, tasks.id DESC LIMIT 51"
add "sort=due_at (desc) pass 2: undated" "$sel AND tasks.due_at IS NULL ORDER BY tasks.id DESC LIMIT 51"
add "sort=priority (desc)" "$sel ORDER BY tasks.priority DESC, tasks.id DESC LIMIT 51"
add "sort=title (asc)" "$sel ORDER BY tasks.title_key ASC, tasks.id ASC LIMIT 51"
add "status=open" "$sel AND NOT tasks.completed ORDER BY tasks.created_at DESC, tasks.id DESC LIMIT 51"
add "status=completed" "$sel AND tasks.completed ORDER BY tasks.created_at DESC, tasks.id DESC LIMIT 51"
add "tag=$tag" "$sel AND $tagcond ORDER BY tasks.created_at DESC, tasks.id DESC LIMIT 51"
add "tag=$tag&status=open" "$sel AND NOT tasks.completed AND $tagcond ORDER BY tasks.created_at DESC, tasks.id DESC LIMIT 51"
add "priority=high" "$sel AND tasks.priority = 3 ORDER BY tasks.created_at DESC, tasks.id DESC LIMIT 51"
add "overdue=true (default sort)" "$sel AND NOT tasks.completed AND tasks.due_at < $nowlit ORDER BY tasks.created_at DESC, tasks.id DESC LIMIT 51"
add "overdue=true&sort=due_at&order=asc" "$sel AND NOT tasks.completed AND tasks.due_at < $nowlit AND tasks.due_at IS NOT NULL ORDER BY tasks.due_at ASC, tasks.id ASC LIMIT 51"
add "q=$word (relevance)" "$search"
add "q=$word&sort=created_at" "$searchsorted"
rare="${RARE:-zebra}"
add "q=$rare (no task matches; relevance)" "${search//$word/$rare}"
add "q=$rare&sort=created_at (no task matches)" "${searchsorted//$word/$rare}"

for i in "${!names[@]}"; do
  echo "### ${names[$i]}"
  echo '```sql'
  echo "${sqls[$i]};"
  echo '```'
  echo '```'
  if [ "$dialect" = sqlite ]; then
    sqlite3 "$target" "EXPLAIN QUERY PLAN ${sqls[$i]}"
    python3 - "$target" "${sqls[$i]}" <<'PY'
import sqlite3, statistics, sys, time
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
times = []
for _ in range(30):
    t = time.perf_counter(); rows = db.execute(sys.argv[2]).fetchall(); times.append((time.perf_counter() - t) * 1000)
print(f"-- executed: {len(rows)} rows, median {statistics.median(times):.3f} ms over 30 runs")
PY
  else
    psql -X -q "$target" -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sqls[$i]}" | sed '/^ *QUERY PLAN/d; /^--*$/d; /^(.* rows)$/d; /^$/d'
  fi
  echo '```'
done
