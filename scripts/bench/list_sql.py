#!/usr/bin/env python3
"""Turn the task-list statement the server sent (from PostgreSQL's log) into a pgbench script.

    tail -c +N server.log | list_sql.py OUT.pgbench OUT.vars

Reads log lines written with log_min_duration_statement = 0: finds the last
"execute NAME: ... FROM tasks ... LIMIT $n" statement and the "parameters: $1 = '...'" detail
after it. Writes the statement with $n replaced by pgbench variables :pn (one line), and the
variables as "pn=value" lines for `pgbench -D`. Prints the pgbench protocol that matches how the
server sent it: "extended" for an unnamed statement (parsed and planned every time), "prepared"
for a named one (prepared once per connection).
"""
import re
import sys

PREFIX = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def entries(lines):
    """Log entries: a first line with the timestamp prefix and its continuation lines."""
    entry = []
    for line in lines:
        if PREFIX.match(line) and entry:
            yield "\n".join(entry)
            entry = []
        entry.append(line.rstrip("\n"))
    if entry:
        yield "\n".join(entry)


def main():
    out_sql, out_vars = sys.argv[1], sys.argv[2]
    statement, params, named = None, None, False
    pending = False
    for entry in entries(sys.stdin):
        m = re.search(r"execute (\S+): (.*)", entry, re.S)
        if m and "FROM tasks" in m.group(2) and "LIMIT $" in m.group(2):
            statement, params, pending, named = m.group(2), None, True, m.group(1) != "<unnamed>"
            continue
        d = re.search(r"DETAIL:\s+parameters: (.*)", entry, re.S)
        if d and pending:
            params = dict(re.findall(r"\$(\d+) = '((?:[^']|'')*)'", d.group(1)))
            pending = False
    if not statement or params is None:
        sys.exit("list_sql.py: no task-list statement with parameters in the log")
    sql = " ".join(statement.split())
    sql = re.sub(r"\$(\d+)", lambda m: f":p{m.group(1)}", sql)
    with open(out_sql, "w") as f:
        f.write(sql + ";\n")
    with open(out_vars, "w") as f:
        for n, value in sorted(params.items(), key=lambda kv: int(kv[0])):
            if re.search(r"\s", value):
                sys.exit(f"list_sql.py: parameter ${n} has white space; pgbench -D cannot carry it")
            f.write(f"p{n}={value.replace(chr(39) * 2, chr(39))}\n")
    print("prepared" if named else "extended")


if __name__ == "__main__":
    main()
