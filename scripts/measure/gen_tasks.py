#!/usr/bin/env python3
"""Write N tasks as NDJSON for POST /api/tasks/import (deterministic; default 10,000).

    scripts/measure/gen_tasks.py [N] > tasks.ndjson

Shape: titles of 2-4 words from a small vocabulary; about 10% of tasks have the word
"invoice" in the title or description (the search word the benchmarks use); tags 0-3 of 8
("work" on about 30%); about 30% completed; about 50% with a due date; created_at spread
over the past year (import keeps created_at); priorities uniform.
"""
import json, random, sys
from datetime import datetime, timedelta, timezone

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
rnd = random.Random(42)
verbs = ["call", "email", "write", "review", "fix", "buy", "plan", "book", "clean", "check", "update", "send"]
nouns = ["report", "garden", "dentist", "budget", "slides", "car", "groceries", "meeting", "roof", "tickets",
         "contract", "backup", "letter", "kitchen", "taxes", "website"]
extra = ["today", "soon", "for Anna", "for Bob", "again", "before Friday", "with team", "quickly"]
tags = ["work", "home", "errand", "later", "urgent", "reading", "health", "money"]
prios = ["none", "low", "medium", "high"]
now = datetime(2026, 1, 1, tzinfo=timezone.utc)
out = sys.stdout
for i in range(n):
    title = f"{rnd.choice(verbs)} {rnd.choice(nouns)}"
    if rnd.random() < 0.5:
        title += " " + rnd.choice(extra)
    desc = ""
    r = rnd.random()
    if r < 0.05:
        title += " invoice"
    elif r < 0.10:
        desc = "Attach the invoice and the receipt. "
    if rnd.random() < 0.4:
        desc += " ".join(rnd.choice(nouns + verbs) for _ in range(rnd.randint(3, 15)))
    t = {"title": title, "description": desc.strip(), "priority": rnd.choice(prios),
         "tags": sorted({("work" if rnd.random() < 0.3 else rnd.choice(tags)) for _ in range(rnd.choice([0, 1, 1, 2, 3]))}),
         "created_at": (now - timedelta(seconds=rnd.randint(0, 365 * 86400))).strftime("%Y-%m-%dT%H:%M:%S.000Z")}
    if rnd.random() < 0.3:
        t["completed"] = True
    if rnd.random() < 0.5:
        t["due_at"] = (now + timedelta(days=rnd.randint(-60, 120), hours=rnd.randint(0, 23))).strftime("%Y-%m-%dT%H:00:00Z")
    out.write(json.dumps(t, separators=(",", ":")) + "\n")
