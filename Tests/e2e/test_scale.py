"""Thousands of tasks: the list pages in 50 at a time as you scroll (IntersectionObserver on
the API's cursor) and stays quick to search."""

from __future__ import annotations

import json
import time

from webapp import App

COUNT = 1500


def test_infinite_scroll_over_thousands_of_tasks(browsers, server, api):
    user = api.signup()
    lines = "\n".join(json.dumps({"title": f"Task {n:04d}", "tags": [f"group{n % 7}"], "priority": ["none", "low", "medium", "high"][n % 4]})
                      for n in range(COUNT))
    r = api.call(user["access_token"], "POST", "/api/tasks/import", data=lines.encode(),
                 headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 200 and r.json()["created"] == COUNT, r.text

    app = App(browsers(), server.url).open()
    app.login(user["email"], user["password"])
    count = lambda: app.js("return document.querySelectorAll('#task-list > li').length")  # noqa: E731
    app.until(lambda d: count() == 50, message="the first page")
    assert app.titles()[0].startswith("Task")

    start = time.monotonic()
    while count() < COUNT:
        before = count()
        app.js("document.getElementById('sentinel').scrollIntoView({block: 'end'})")
        app.until(lambda d: count() > before, 5, f"another page after {before} rows")
        assert count() % 50 == 0 or count() == COUNT
    took = time.monotonic() - start
    app.until(lambda d: "everything" in app.el("#list-status").text, message="the end of the list is said")
    titles = app.titles()
    assert len(titles) == len(set(titles)) == COUNT, "no task twice, none missing"
    print(f"{COUNT} tasks scrolled through in {took:.1f}s")
    assert took < 30

    # Still responsive with that many rows: a search narrows it at once.
    start = time.monotonic()
    app.search("1234")
    app.wait_titles(["Task 1234"])
    assert time.monotonic() - start < 3


def test_a_burst_of_changes_elsewhere_is_one_refresh(browsers, server, api):
    user = api.signup()
    app = App(browsers(), server.url).open()
    app.login(user["email"], user["password"])
    app.add("Typed here first")
    lines = "\n".join(json.dumps({"title": f"Imported {n:03d}"}) for n in range(400))
    r = api.call(user["access_token"], "POST", "/api/tasks/import", data=lines.encode(),
                 headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 200, r.text
    # 400 live events arrive; the page shows the newest page of them, in order, and stays paged.
    app.until(lambda d: len(app.titles()) >= 50 and all(t.startswith("Imported") for t in app.titles()[:50]),
              message="the imported tasks on top")
    titles = app.titles()
    assert len(titles) == len(set(titles)) and len(titles) <= 150, len(titles)
