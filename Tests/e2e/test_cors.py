"""The same Public/ files hosted on another origin (a plain static server) with config.js
pointing at the API: everything works through CORS, live updates included."""

from __future__ import annotations

import requests

from webapp import App, console_errors


def test_a_page_from_another_origin_works_through_cors(browsers, server, static_site, api):
    assert static_site != server.url
    # The static host serves the files as they are, with its own config.js.
    assert server.url in requests.get(f"{static_site}/config.js", timeout=5).text

    user = api.signup(name="Remote")
    app = App(browsers(), static_site).open()
    assert app.js("return location.origin") == static_site
    assert app.js("return window.PUNCHLIST_API") == server.url
    app.login(user["email"], user["password"])
    assert app.el("#account-name").text == "Remote"

    app.add("Added from another origin #remote", date=None)
    app.wait_titles(["Added from another origin"])
    assert [t["title"] for t in api.tasks(user["access_token"])] == ["Added from another origin"]

    # Live updates reach the page too (a WebSocket to the API's origin).
    api.create(user["access_token"], title="Pushed live across origins")
    app.wait_has("Pushed live across origins", 2)

    # Edit and delete go through preflighted requests (PATCH with If-Match, DELETE).
    app.toggle("Pushed live across origins")
    app.wait_gone("Pushed live across origins")
    app.delete("Added from another origin")
    app.visible(".toast__close").click()
    app.until(lambda d: api.tasks(user["access_token"], status="open") == [], message="deleted on the server")

    app.logout()
    assert console_errors(app.d) == []


def test_an_origin_not_listed_gets_no_cors_headers(server):
    # The server's side of the bargain: only CORS_ORIGINS is let in.
    r = requests.options(f"{server.url}/api/tasks", timeout=5, headers={
        "Origin": "http://evil.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert "Access-Control-Allow-Origin" not in r.headers
