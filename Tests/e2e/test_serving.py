"""The binary serves Public/ as the app needs: content types, revalidation, gzip, and a CSP
that the app lives within (no inline script or style anywhere in Public/)."""

from __future__ import annotations

import re

import requests

from conftest import PUBLIC

TYPES = {
    "/": "text/html", "/index.html": "text/html", "/config.js": "text/javascript", "/js/app.js": "text/javascript",
    "/css/app.css": "text/css", "/favicon.svg": "image/svg+xml",
}


def test_files_are_served_with_types_validators_and_compression(server):
    for path, kind in TYPES.items():
        r = requests.get(server.url + path, headers={"Accept": "text/html" if path == "/" else "*/*",
                                                      "Accept-Encoding": "gzip"}, timeout=5)
        assert r.status_code == 200, path
        assert r.headers["Content-Type"].startswith(kind), (path, r.headers["Content-Type"])
        assert r.headers["Cache-Control"] == "no-cache" and r.headers["ETag"], path
        again = requests.get(server.url + path, headers={"If-None-Match": r.headers["ETag"], "Accept": "text/html"}, timeout=5)
        assert again.status_code == 304, path
    big = requests.get(server.url + "/js/tasks.js", headers={"Accept-Encoding": "gzip"}, timeout=5)
    assert big.headers.get("Content-Encoding") == "gzip"
    page = requests.get(server.url + "/", headers={"Accept": "text/html"}, timeout=5)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    # Without Accept: text/html, / is still the API's JSON answer.
    assert requests.get(server.url + "/", timeout=5).json()["name"] == "Punchlist"


def test_public_has_no_inline_code_and_loads_config_before_the_app():
    html = (PUBLIC / "index.html").read_text()
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline <script>"
    assert not re.search(r"\son[a-z]+=", html), "an inline event handler"
    assert html.index('src="config.js"') < html.index('src="js/app.js"')
    for js in (PUBLIC / "js").glob("*.js"):
        text = js.read_text()
        code = re.sub(r"//.*", "", text)  # comments may name what the code avoids
        assert ".innerHTML" not in code and ".style." not in code and "eval(" not in code, js.name
    assert (PUBLIC / "config.js").read_text().count('window.PUNCHLIST_API = "";') == 1
