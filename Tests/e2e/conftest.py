"""End-to-end tests of the web app: headless Chromium, driven by Selenium, against the real
`punchlist` executable serving Public/ (and, for CORS, Public/ served by a separate static
server on another origin).

Inputs (all optional):
  PUNCHLIST_BIN   the executable (default: .build/debug/punchlist in the repository)
  CHROMIUM_BIN    the browser (default /usr/bin/chromium)
  CHROMEDRIVER    the driver (default /usr/bin/chromedriver)

Every wait is bounded (WebDriverWait or a deadline); every process started here is stopped
at teardown.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from webapp import PASSWORD, unique_email

REPO = Path(__file__).resolve().parents[2]
PUBLIC = REPO / "Public"
SCREENSHOTS = REPO / "docs" / "screenshots"
BIN = Path(os.environ.get("PUNCHLIST_BIN") or REPO / ".build" / "debug" / "punchlist")
CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")

DESKTOP = (1280, 800)
PHONE = (390, 844)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate: Callable[[], object], timeout: float, message: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except Exception:  # noqa: BLE001 - a server that is not up yet refuses connections
            value = None
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s: {message}")
        time.sleep(interval)


class Server:
    """The punchlist executable on a fixed port and data directory, restartable; `env` adds
    settings (a language model for the assistant, say)."""

    def __init__(self, data_dir: Path, cors_origin: str, env: dict[str, str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.cors_origin = cors_origin
        self.env = env or {}
        self.process: subprocess.Popen | None = None
        self.log = data_dir / "server.log"

    def start(self) -> None:
        env = {k: os.environ[k] for k in PASSED_THROUGH if k in os.environ}
        env.update(
            HOST="127.0.0.1", PORT=str(self.port), DATA_DIR=str(self.data_dir / "data"),
            PUBLIC_DIR=str(PUBLIC), AUTH_RATE_LIMIT="off", AUTH_BCRYPT_COST="4",
            CORS_ORIGINS=self.cors_origin, LOG_FORMAT="json", LOG_LEVEL="warning",
        )
        env.update(self.env)
        log = open(self.log, "ab")
        self.process = subprocess.Popen([str(BIN)], env=env, stdout=log, stderr=log, cwd=self.data_dir)
        log.close()
        wait_for(lambda: requests.get(f"{self.url}/health", timeout=1).status_code == 200, 30,
                 f"server to answer /health (log: {self.log})")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None


@pytest.fixture(scope="session")
def static_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def server(tmp_path_factory, static_port):
    if not BIN.exists():
        pytest.fail(f"{BIN} is missing: run `swift build --product punchlist` first (or set PUNCHLIST_BIN)")
    srv = Server(tmp_path_factory.mktemp("server"), f"http://127.0.0.1:{static_port}")
    srv.start()
    yield srv
    srv.stop()


@contextmanager
def serve_static(root: Path, port: int, api_url: str) -> Iterator[str]:
    """Public/ copied to `root` and served by `python3 -m http.server` on `port`, its config.js
    pointing at the API at `api_url`. Yields the site's URL."""
    shutil.copytree(PUBLIC, root)
    (root / "config.js").write_text(f'window.PUNCHLIST_API = "{api_url}";\n')
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(root)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: requests.get(f"{url}/config.js", timeout=1).ok, 15, "static server to start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def static_site(tmp_path_factory, server, static_port):
    """Public/ served on another origin, its config.js pointing at the API."""
    with serve_static(tmp_path_factory.mktemp("static") / "site", static_port, server.url) as url:
        yield url


class Api:
    """Direct REST calls for setting up and checking what the browser did."""

    def __init__(self, base: str):
        self.base = base

    def signup(self, email: str | None = None, name: str = "Tester", password: str = PASSWORD) -> dict:
        email = email or unique_email()
        r = requests.post(f"{self.base}/api/auth/signup", json={"email": email, "password": password, "name": name}, timeout=10)
        assert r.status_code == 201, r.text
        return {**r.json(), "email": email, "password": password}

    def call(self, token: str, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        return requests.request(method, f"{self.base}{path}", headers=headers, timeout=10, **kwargs)

    def tasks(self, token: str, **params) -> list[dict]:
        items, cursor = [], None
        while True:
            query = {"limit": 200, **params, **({"cursor": cursor} if cursor else {})}
            r = self.call(token, "GET", "/api/tasks", params=query)
            assert r.status_code == 200, r.text
            page = r.json()
            items += page["items"]
            cursor = page["next_cursor"]
            if not cursor:
                return items

    def create(self, token: str, **task) -> dict:
        r = self.call(token, "POST", "/api/tasks", json=task)
        assert r.status_code == 201, r.text
        return r.json()


@pytest.fixture(scope="session")
def api(server) -> Api:
    return Api(server.url)


def make_driver(width: int, height: int, dark: bool = False, mobile: bool = False) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--no-sandbox", "--headless=new", f"--window-size={width},{height}", "--disable-gpu",
                "--disable-dev-shm-usage", "--disable-extensions", "--no-first-run", "--lang=en-US",
                "--disable-search-engine-choice-screen", "--hide-scrollbars"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    # The page's viewport exactly this size (the window's is smaller by its frame), at 1x so
    # screenshots stay small.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
    if mobile:
        driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
    set_theme(driver, dark)
    return driver


def set_theme(driver, dark: bool) -> None:
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                           {"features": [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]})


@pytest.fixture
def browsers(request):
    """A factory of Chromium sessions, each quit at teardown (its console errors reported)."""
    made: list[webdriver.Chrome] = []

    def make(size=DESKTOP, dark=False, mobile=False):
        driver = make_driver(*size, dark=dark, mobile=mobile)
        made.append(driver)
        return driver

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for driver in made:
        try:
            if failed:
                for entry in driver.get_log("browser"):
                    if entry["level"] in ("SEVERE", "WARNING"):
                        print("browser:", entry["message"])
        except Exception:  # noqa: BLE001
            pass
        driver.quit()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
