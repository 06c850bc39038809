"""A page object for Punchlist's web app: what a person does, in Selenium terms.

Every wait is an explicit, bounded WebDriverWait.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

TIMEOUT = 5
PASSWORD = "correct horse battery"


def unique_email() -> str:
    return f"e2e-{uuid.uuid4().hex[:12]}@example.com"


def console_errors(driver) -> list[str]:
    """The page's console errors, less the network noise that some tests cause on purpose
    (a stopped server, a revoked token's 401, a deleted task's 404)."""
    errors = []
    for entry in driver.get_log("browser"):
        message = entry["message"]
        if entry["level"] != "SEVERE" or "Failed to load resource" in message or "WebSocket" in message:
            continue
        errors.append(message)
    return errors


def local_date(days: int = 0) -> str:
    """A date for <input type=date>, in the browser's (= this machine's) time zone."""
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


class App:
    def __init__(self, driver, base_url: str):
        self.d = driver
        self.base = base_url.rstrip("/") + "/"

    # ---------- waiting ----------

    def wait(self, timeout: float = TIMEOUT) -> WebDriverWait:
        return WebDriverWait(self.d, timeout, poll_frequency=0.05,
                             ignored_exceptions=(StaleElementReferenceException,))

    def until(self, condition, timeout: float = TIMEOUT, message: str = ""):
        return self.wait(timeout).until(condition, message)

    def el(self, css: str) -> WebElement:
        return self.d.find_element(By.CSS_SELECTOR, css)

    def visible(self, css: str, timeout: float = TIMEOUT) -> WebElement:
        return self.until(EC.visibility_of_element_located((By.CSS_SELECTOR, css)), timeout, f"{css} visible")

    def js(self, script: str, *args):
        return self.d.execute_script(script, *args)

    def set_value(self, css: str, value: str) -> None:
        """For date/time inputs and selects: set the value and fire input + change like a person would."""
        self.js("""const el = document.querySelector(arguments[0]); el.value = arguments[1];
                   el.dispatchEvent(new Event('input', {bubbles: true}));
                   el.dispatchEvent(new Event('change', {bubbles: true}));""", css, value)

    # ---------- screens ----------

    def open(self) -> "App":
        self.d.get(self.base)
        self.until(lambda d: self.js("return !document.querySelector('#auth-view').hidden || !document.querySelector('#app-view').hidden"),
                   message="the app to start")
        return self

    def on_login(self, timeout: float = TIMEOUT) -> None:
        self.visible("#auth-form", timeout)

    def on_tasks(self, timeout: float = TIMEOUT) -> None:
        self.visible("#qa-title", timeout)

    def signup(self, email: str, password: str, name: str = "") -> None:
        self.on_login()
        if self.el("#name-field").get_attribute("hidden") is not None:
            self.el("#auth-switch").click()
        self.visible("#auth-name")
        self.fill_auth(email, password, name)
        self.on_tasks()
        self.wait_live()

    def login(self, email: str, password: str) -> None:
        self.on_login()
        self.fill_auth(email, password)
        self.on_tasks()
        self.wait_live()

    def fill_auth(self, email: str, password: str, name: str = "") -> None:
        if name:
            self.el("#auth-name").clear()
            self.el("#auth-name").send_keys(name)
        self.el("#auth-email").clear()
        self.el("#auth-email").send_keys(email)
        self.el("#auth-password").clear()
        self.el("#auth-password").send_keys(password, Keys.ENTER)

    def wait_live(self, timeout: float = TIMEOUT) -> None:
        self.until(lambda d: self.el("#live").get_attribute("data-state") == "live", timeout, "live indicator to say live")

    def logout(self) -> None:
        self.el("#account-button").click()
        self.visible("#logout").click()
        self.on_login()

    def token(self) -> str:
        return self.js("return JSON.parse(localStorage.getItem('punchlist.session')).access_token")

    # ---------- tasks ----------

    def add(self, title: str, *, priority: str | None = None, date: str | None = None, time_: str | None = None,
            tags: str | None = None, repeat: str | None = None) -> None:
        if priority:
            self.set_value("#qa-priority", priority)
        if date:
            self.set_value("#qa-date", date)
        if time_:
            self.set_value("#qa-time", time_)
        if tags:
            self.el("#qa-tags").send_keys(tags)
        if repeat:
            self.set_value("#qa-recurrence", repeat)
        field = self.el("#qa-title")
        field.send_keys(title, Keys.ENTER)
        self.until(lambda d: self.el("#qa-title").get_attribute("value") == "", message=f"quick add of {title!r} to finish")

    def titles(self) -> list[str]:
        return self.js("return [...document.querySelectorAll('#task-list > li:not(.is-leaving) .task__title')].map(e => e.textContent)")

    def wait_titles(self, expected: list[str], timeout: float = TIMEOUT, ordered: bool = False) -> None:
        def check(_):
            got = self.titles()
            return got == expected if ordered else sorted(got) == sorted(expected)
        try:
            self.until(check, timeout)
        except Exception as error:
            raise AssertionError(f"expected titles {expected}, got {self.titles()}") from error

    def wait_has(self, title: str, timeout: float = TIMEOUT) -> None:
        self.until(lambda d: title in self.titles(), timeout, f"{title!r} in the list (have {self.titles()})")

    def wait_gone(self, title: str, timeout: float = TIMEOUT) -> None:
        self.until(lambda d: title not in self.titles(), timeout, f"{title!r} gone from the list")

    def row(self, title: str) -> WebElement:
        rows = self.d.find_elements(By.XPATH, f"//ul[@id='task-list']/li[not(contains(@class,'is-leaving'))][.//*[contains(@class,'task__title') and normalize-space(.)={xpath_literal(title)}]]")
        assert rows, f"no row titled {title!r}; have {self.titles()}"
        return rows[0]

    def row_id(self, title: str) -> str:
        return self.row(title).get_attribute("data-id")

    def row_ids(self, title: str) -> list[str]:
        """The ids of the rows titled so, read in one script: a snapshot that a wait can poll
        while rows come and go (a row found and then gone between two calls would not be)."""
        return self.js("""return [...document.querySelectorAll('#task-list > li:not(.is-leaving)')]
            .filter(li => li.querySelector('.task__title')?.textContent.trim() === arguments[0])
            .map(li => li.dataset.id)""", title)

    def toggle(self, title: str) -> None:
        self.row(title).find_element(By.CSS_SELECTOR, ".task__check").click()

    def delete(self, title: str) -> None:
        self.row(title).find_element(By.CSS_SELECTOR, ".icon-button--danger").click()
        self.wait_gone(title)

    def due_badge(self, title: str) -> WebElement:
        return self.row(title).find_element(By.CSS_SELECTOR, ".badge time").find_element(By.XPATH, "..")

    def set_status(self, status: str) -> None:
        self.el(f"label[for='status-{status}']").click()

    def choose(self, css: str, value: str) -> None:
        Select(self.el(css)).select_by_value(value)

    def search(self, text: str) -> None:
        box = self.el("#search")
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys(Keys.BACKSPACE)
        if text:
            box.send_keys(text)

    def tag_chip(self, tag: str) -> WebElement:
        return self.el(f"#tag-filter .chip[aria-label='Tag {tag}']")


def xpath_literal(text: str) -> str:
    if "'" not in text:
        return f"'{text}'"
    return "concat('" + text.replace("'", "',\"'\",'") + "')"


def eventually(predicate, timeout: float = TIMEOUT, message: str = "", interval: float = 0.05):
    """For checks outside the browser (the API): poll with a deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s: {message}")
        time.sleep(interval)
