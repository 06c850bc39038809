#!/usr/bin/env python3
"""drive.py URL TOKENS ROUTE N: N requests, one after another on one connection, of one route of the
shared mixed workload: L (list of 50), G (get one), P (create), U (toggle), or M (the mix, in
workload.lua's order). TOKENS is prepare.py's file. Prints how many answers were not 2xx.
The same requests every time (a fixed seed), for instructions.sh."""
import http.client, json, sys, random, itertools
url, tokens, route, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
host, port = url.replace("http://", "").split(":")
users = []
for line in open(tokens):
    f = line.split()
    users.append((f[0], f[1:]))
random.seed(1)
pattern = "LGLPLGLULGLPLGLULGLP" if route == "M" else route
c = http.client.HTTPConnection(host, int(port))
bad = 0
for i in range(n):
    tok, ids = users[i % len(users)]
    h = {"Authorization": "Bearer " + tok, "Accept": "application/json"}
    k = pattern[i % len(pattern)]
    if k == "L": c.request("GET", "/api/tasks?limit=50", headers=h)
    elif k == "G": c.request("GET", "/api/tasks/" + random.choice(ids), headers=h)
    elif k == "P":
        h["Content-Type"] = "application/json"
        c.request("POST", "/api/tasks", body=json.dumps({"title": f"Load {i}", "description": "created by drive.py", "priority": "medium", "tags": ["bench", "load"]}), headers=h)
    else:
        h["Content-Type"] = "application/json"
        c.request("PATCH", "/api/tasks/" + random.choice(ids), body=json.dumps({"completed": i % 2 == 0}), headers=h)
    r = c.getresponse(); r.read()
    if r.status >= 300: bad += 1
print("non2xx", bad)
