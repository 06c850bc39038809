"""Live sync between two browser sessions of the same person, isolation between two people,
and a page that lost its server: shown as such, retried, and caught up when it is back."""

from __future__ import annotations

import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from webapp import App, console_errors


def two_tabs(browsers, server, api):
    user = api.signup(name="Sam")
    first = App(browsers(), server.url).open()
    second = App(browsers(), server.url).open()
    first.login(user["email"], user["password"])
    second.login(user["email"], user["password"])
    return user, first, second


def seen_within(app: App, predicate, seconds: float, what: str) -> float:
    """Waits for predicate on app's page; returns how long it took."""
    start = time.monotonic()
    app.until(lambda d: predicate(), seconds, f"{what} within {seconds}s")
    return time.monotonic() - start


def test_changes_in_one_session_appear_in_the_other_within_a_second(browsers, server, api):
    user, a, b = two_tabs(browsers, server, api)

    # Created in A: in B within a second (measured from the moment A's request finished).
    a.add("Shared groceries #home !high")
    took = seen_within(b, lambda: "Shared groceries" in b.titles(), 1.0, "a new task in the other session")
    assert "High" in b.row("Shared groceries").text and "#home" in b.row("Shared groceries").text
    print(f"created -> other session: {took * 1000:.0f} ms")

    # Renamed in B: in A.
    b.row("Shared groceries").find_element(By.CSS_SELECTOR, ".task__title").click()
    field = b.visible(".task__title-input")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("Shared groceries for Sunday", Keys.ENTER)
    b.wait_has("Shared groceries for Sunday")
    seen_within(a, lambda: "Shared groceries for Sunday" in a.titles(), 1.0, "a rename")

    # Completed in A: gone from B's open list, there in B's done list.
    a.toggle("Shared groceries for Sunday")
    seen_within(b, lambda: "Shared groceries for Sunday" not in b.titles(), 1.5, "a completion")
    b.set_status("completed")
    b.wait_titles(["Shared groceries for Sunday"])
    assert b.row("Shared groceries for Sunday").find_element(By.CSS_SELECTOR, ".task__check").is_selected()
    b.set_status("open")

    # Added by something else entirely (the API): both sessions show it.
    api.create(user["access_token"], title="From the API", tags=["ops"])
    seen_within(a, lambda: "From the API" in a.titles(), 1.0, "an API-made task in A")
    seen_within(b, lambda: "From the API" in b.titles(), 1.0, "an API-made task in B")

    # Deleted in B (the toast dismissed, so the delete is sent now): gone from A.
    b.delete("From the API")
    b.visible(".toast__close").click()
    seen_within(a, lambda: "From the API" not in a.titles(), 1.5, "a deletion")

    # A filter in A keeps applying to live events: a task that does not match stays out.
    a.search("zebra")
    a.until(lambda d: a.titles() == [], message="search applied")
    api.create(user["access_token"], title="Feed the zebra")
    api.create(user["access_token"], title="Feed the cat")
    seen_within(a, lambda: a.titles() == ["Feed the zebra"], 1.5, "only the matching live task")
    assert console_errors(a.d) == [] and console_errors(b.d) == []


def test_two_people_never_see_each_other(browsers, server, api):
    alice, bob = api.signup(name="Alice"), api.signup(name="Bob")
    a = App(browsers(), server.url).open()
    b = App(browsers(), server.url).open()
    a.login(alice["email"], alice["password"])
    b.login(bob["email"], bob["password"])

    a.add("Alice's surprise party #secret")
    b.add("Bob's own errand")
    # Bob's page is live and working (his own task arrived) ...
    b.wait_titles(["Bob's own errand"])
    # ... and a change of Alice's made after that reaches Alice but never Bob.
    api.create(alice["access_token"], title="Alice's diary")
    a.wait_has("Alice's diary")
    b.search("Alice")
    b.until(lambda d: b.js("return document.querySelector('#empty').hidden === false"), message="Bob's search is empty")
    b.search("")
    b.wait_titles(["Bob's own errand"])
    assert not b.d.find_elements(By.CSS_SELECTOR, "#tag-filter .chip[aria-label='Tag secret']")
    a.wait_titles(["Alice's diary", "Alice's surprise party"])

    # Alice's task id is unknown to Bob's token.
    secret = a.row_id("Alice's surprise party")
    assert api.call(b.token(), "GET", f"/api/tasks/{secret}").status_code == 404


def test_server_unreachable_is_shown_retried_and_caught_up(browsers, server, api):
    user = api.signup()
    app = App(browsers(), server.url).open()
    app.login(user["email"], user["password"])
    app.add("Before the outage")

    server.stop()
    try:
        banner = app.visible("#offline-banner", 5)
        assert "Can’t reach Punchlist" in banner.text
        app.until(lambda d: app.el("#live").get_attribute("data-state") != "live", message="indicator leaves 'live'")
        # Adding while the server is down: the form waits with what was typed, and sends it again
        # (with its Idempotency-Key) once the server is back.
        app.el("#qa-title").send_keys("Typed during the outage", Keys.ENTER)
        app.until(lambda d: app.el("#quick-add").get_attribute("aria-busy") == "true", message="the form waits")
        assert app.el("#qa-title").get_attribute("value") == "Typed during the outage"
    finally:
        server.start()

    app.wait_live(15)  # reconnected by itself (backoff with jitter)
    app.until(lambda d: app.el("#offline-banner").get_attribute("hidden") is not None, 15, "banner hidden again")
    # The waiting task went in by itself, once, and the form is ready for the next.
    app.wait_has("Typed during the outage")
    app.until(lambda d: app.el("#qa-title").get_attribute("value") == "", message="the form cleared")
    # A change made elsewhere after the restart reaches the page through the resumed stream.
    api.create(user["access_token"], title="After the outage")
    app.wait_has("After the outage", 3)
    titles = [t["title"] for t in api.tasks(user["access_token"])]
    assert sorted(titles) == ["After the outage", "Before the outage", "Typed during the outage"]


def test_a_network_drop_is_survived_and_missed_changes_are_replayed(browsers, server, api):
    user = api.signup()
    driver = browsers()
    # Note every WebSocket URL the page opens (DevTools-injected, so the page's CSP does not apply).
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": """
        const Native = window.WebSocket; window.__sockets = [];
        window.WebSocket = function (url, protocols) { window.__sockets.push(String(url)); return new Native(url, protocols); };
        window.WebSocket.prototype = Native.prototype;
        Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});"""})
    app = App(driver, server.url).open()
    app.login(user["email"], user["password"])
    app.add("Before the drop")

    # The browser loses its network (DevTools' offline mode: the page gets an 'offline' event
    # and no new connection can be made).
    app.d.execute_cdp_cmd("Network.enable", {})
    app.d.execute_cdp_cmd("Network.emulateNetworkConditions",
                          {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    try:
        app.until(lambda d: app.el("#live").get_attribute("data-state") != "live", message="indicator leaves 'live'")
        # Changes made elsewhere while this page is cut off ...
        api.create(user["access_token"], title="Made during the drop")
        api.create(user["access_token"], title="Also made during the drop")
    finally:
        app.d.execute_cdp_cmd("Network.emulateNetworkConditions",
                              {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    # ... arrive when it is back: the stream resumes with ?since= and replays them.
    app.wait_live(10)
    app.wait_titles(["Also made during the drop", "Made during the drop", "Before the drop"], ordered=True)
    # The first connection had no event id; the reconnection asked for what came after the last one seen.
    urls = app.js("return window.__sockets")
    assert len(urls) >= 2 and "since=" not in urls[0], urls
    assert urls[-1].endswith("since=1"), urls
