#!/usr/bin/env bash
# plans.sh: query plans of the task-list SQL (shapes from Sources/Punchlist/Storage/TaskListSQL.swift).
#
#   scripts/measure/plans.sh sqlite   DATA_DIR/punchlist.sqlite USER_ID
#   scripts/measure/plans.sh postgres DATABASE_URL              USER_ID
#
# SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN (ANALYZE, BUFFERS). Literal values stand in for
# the binds (PostgresNIO sends unnamed statements, which are planned with the actual values).
# Search word "invoice", tag "work", LIMIT 51 (limit=50 + 1).
set -euo pipefail
dialect="$1"; target="$2"; uid="$3"; word="${WORD:-invoice}"; tag="${TAG:-work}"

declare -a names sqls
add() { names+=("$1"); sqls+=("$2"); }
if [ "$dialect" = sqlite ]; then
  u="'$uid'"; score="0.0"; now="$(($(date +%s) * 1000))"
  pos="$(sqlite3 "$target" "SELECT created_at || ',''' || id || '''' FROM tasks WHERE user_id = $u ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET 49")"
  kc="${pos%%,*}"; kid="${pos#*,}"
  tagcond="EXISTS (SELECT 1 FROM task_tags WHERE task_tags.user_id = tasks.user_id AND tag = '$tag' AND task_id = tasks.id)"
  search="SELECT * FROM (SELECT tasks.*, -bm25(tasks_search, 10.0, 1.0, 5.0) AS score FROM tasks_search JOIN tasks ON tasks.seq = tasks_search.rowid WHERE tasks.user_id = $u AND tasks_search MATCH '\"$word\"*') AS tasks ORDER BY score DESC, tasks.id DESC LIMIT 51"
  searchsorted="SELECT tasks.*, -bm25(tasks_search, 10.0, 1.0, 5.0) AS score FROM tasks_search JOIN tasks ON tasks.seq = tasks_search.rowid WHERE tasks.user_id = $u AND tasks_search MATCH '\"$word\"*' ORDER BY tasks.created_at DESC, tasks.id DESC LIMIT 51"
  nowlit="$now"
else
  u="'$uid'::uuid"; score="0.0::float8"; nowlit="now()"
  pos="$(psql -X -A -t "$target" -c "SELECT '''' || created_at || '''::timestamptz,''' || id || '''::uuid' FROM tasks WHERE user_id = $u ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET 49")"
  kc="${pos%%,*}"; kid="${pos#*,}"
  tagcond="tasks.tags @> ARRAY['$tag']::text[]"
  search="SELECT * FROM (SELECT tasks.*, ts_rank(tasks.search, words)::float8 AS score FROM tasks, to_tsquery('simple', '''$word'':*') AS words WHERE tasks.user_id = $u AND tasks.search @@ words) AS tasks ORDER BY score DESC, tasks.id DESC LIMIT 51"
  searchsorted="SELECT tasks.*, 0.0::float8 AS score FROM tasks, to_tsquery('simple', '''$word'':*') AS words WHERE tasks.user_id = $u AND tasks.search @@ words ORDER BY tasks.created_at DESC, tasks.id DESC LIMIT 51"
fi
sel="SELECT tasks.*, $score AS score FROM tasks WHERE tasks.user_id = $u"
add "sort=created_at (default, desc)" "$sel ORDER BY tasks.created_at DESC, tasks.id DESC LIMIT 51"
add "sort=created_at page 2 (keyset)" "$sel AND (tasks.created_at < $kc OR (tasks.created_at = $kc AND tasks.id < $kid)) ORDER BY tasks.created_at DESC, tasks.id DESC LIMIT 51"
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
add "overdue=true" "$sel AND NOT tasks.completed AND tasks.due_at < $nowlit ORDER BY tasks.created_at DESC, tasks.id DESC LIMIT 51"
add "q=$word (relevance)" "$search"
add "q=$word&sort=created_at" "$searchsorted"

for i in "${!names[@]}"; do
  echo "### ${names[$i]}"
  echo '```sql'
  echo "${sqls[$i]};"
  echo '```'
  echo '```'
  if [ "$dialect" = sqlite ]; then
    sqlite3 "$target" "EXPLAIN QUERY PLAN ${sqls[$i]}"
  else
    psql -X -q "$target" -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sqls[$i]}" | sed '/^ *QUERY PLAN/d; /^--*$/d; /^(.* rows)$/d; /^$/d'
  fi
  echo '```'
done
