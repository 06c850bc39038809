"""Accessibility and looks: axe-core (run inside the page) finds no serious or critical
violation on the main screens, at desktop and phone widths, in light and dark; the same
pass saves the screenshots of docs/screenshots/. And the app can be used with the keyboard
alone, with a visible focus."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import axe_selenium_python
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import DESKTOP, PHONE, SCREENSHOTS, set_theme
from webapp import App, console_errors

AXE_JS = (Path(axe_selenium_python.__file__).parent / "node_modules" / "axe-core" / "axe.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "best-practice"]  # what axe-core 3.1 (bundled) knows


def run_axe(app: App) -> list[dict]:
    """axe-core's violations on the current page (the bundled, offline copy of axe.min.js)."""
    if not app.js("return typeof window.axe !== 'undefined'"):
        app.js(AXE_JS)
    app.d.set_script_timeout(30)
    result = app.d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}}, (err, r) => done(err ? {error: String(err)} : r));",
        AXE_TAGS)
    assert "error" not in result, result
    return result["violations"]


def sample_tasks(api, token: str) -> None:
    """A believable list: overdue, due today, upcoming, recurring, tagged, one with notes."""
    now = dt.datetime.now().astimezone()
    today = now.replace(hour=23, minute=59, second=0, microsecond=0)
    at = lambda days, hour=None, minute=0: (today + dt.timedelta(days=days)).replace(  # noqa: E731
        **({"hour": hour, "minute": minute} if hour is not None else {})).isoformat()
    for task in [
        {"title": "Read “Deep Work”", "tags": ["reading"]},
        {"title": "Buy a birthday gift for Sam", "tags": ["personal"], "due_at": at(6)},
        {"title": "Plan the weekend hike", "priority": "low", "tags": ["personal", "outdoors"], "due_at": at(3, 9)},
        {"title": "Water the plants", "recurrence": "weekly", "tags": ["home"], "due_at": at(1)},
        {"title": "Send the invoice to Acme", "priority": "medium", "tags": ["work"], "due_at": at(0),
         "description": "Hours for October, with the travel receipts attached."},
        {"title": "Renew passport", "priority": "high", "tags": ["errands"], "due_at": at(-2, 10)},
        {"title": "Prepare the quarterly review", "priority": "high", "tags": ["work"], "due_at": at(-1, 17)},
        {"title": "Book the dentist", "completed": True, "tags": ["health"]},
    ]:
        api.create(token, **task)


def small_touch_targets(app: App) -> list[str]:
    """Visible controls smaller than 44x44 CSS pixels (a checkbox counts by its label)."""
    return app.js("""
        const dialog = document.querySelector('dialog[open]');
        const root = dialog || document;
        const targets = root.querySelectorAll('button, a[href], select, textarea, input:not([type=checkbox]):not([type=radio]):not([type=hidden]), label.task__hit, .segmented label');
        return [...targets].filter(el => {
            const r = el.getBoundingClientRect();
            if (!r.width || !r.height || getComputedStyle(el).visibility === 'hidden') return false;
            if (el.closest('.skip-link, .visually-hidden')) return false;
            return r.height < 43.5 || r.width < 43.5;
        }).map(el => el.outerHTML.slice(0, 90) + ' ' + Math.round(el.getBoundingClientRect().width) + 'x' + Math.round(el.getBoundingClientRect().height));
    """)


@pytest.mark.parametrize("size,name", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_main_screens_have_no_serious_axe_violations_and_are_photographed(browsers, server, api, size, name):
    user = api.signup(email=f"ada@{name}.example.com", name="Ada Lovelace")
    sample_tasks(api, user["access_token"])
    app = App(browsers(size=size, mobile=name == "phone"), server.url).open()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    report: dict[str, list] = {}

    def capture(screen: str) -> None:
        for theme in ("light", "dark"):
            set_theme(app.d, theme == "dark")
            app.js("document.activeElement && document.activeElement.blur && document.activeElement.blur();"
                   "window.scrollTo(0, 0); const s = document.getElementById('settings'); if (s) s.scrollTop = 0;")
            # Let transitions (150 ms) finish before the picture.
            app.until(lambda d: app.js("return document.getAnimations().every(a => a.playState !== 'running' || a.effect.getTiming().iterations === Infinity)"),
                      message="animations to settle")
            app.d.save_screenshot(str(SCREENSHOTS / f"{screen}-{name}-{theme}.png"))
            if name == "phone" and theme == "light":
                report[f"{screen}/touch targets under 44px"] = small_touch_targets(app)
            violations = run_axe(app)
            report[f"{screen}/{theme}"] = [
                {"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"]),
                 "targets": [n["target"] for n in v["nodes"][:3]]} for v in violations]

    app.on_login()
    capture("login")

    app.login(user["email"], user["password"])
    app.until(lambda d: len(app.titles()) == 7, message="the sample tasks")
    app.until(lambda d: "overdue" in app.el("#summary").text, message="the at-a-glance counts")
    capture("tasks")

    app.el("#account-button").click()
    app.visible("#open-settings").click()
    app.visible("#settings")
    capture("settings")

    print(json.dumps(report, indent=1))
    small = {k: v for k, v in report.items() if k.endswith("44px") and v}
    assert not small, f"touch targets under 44px on a phone: {json.dumps(small, indent=1)}"
    serious = {k: [v for v in vs if v["impact"] in ("serious", "critical")] for k, vs in report.items() if not k.endswith("44px")}
    serious = {k: v for k, v in serious.items() if v}
    assert not serious, f"axe found serious or critical violations: {json.dumps(serious, indent=1)}"
    assert console_errors(app.d) == []


def test_keyboard_only(browsers, server, api):
    user = api.signup()
    api.create(user["access_token"], title="Existing task")
    app = App(browsers(), server.url).open()
    app.on_login()
    active = lambda: app.d.switch_to.active_element  # noqa: E731
    keys = lambda *k: active().send_keys(*k)  # noqa: E731

    # Log in without a mouse: the email field has focus, Tab to the password, Enter.
    assert active().get_attribute("id") == "auth-email"
    keys(user["email"], Keys.TAB)
    assert active().get_attribute("id") == "auth-password"
    keys(user["password"], Keys.ENTER)
    app.on_tasks()
    app.wait_has("Existing task")
    assert active().get_attribute("id") == "qa-title", "the quick-add field has focus after login"

    keys("Typed with the keyboard", Keys.ENTER)
    app.wait_has("Typed with the keyboard")

    # Tab through to the first row's title, rename it in place.
    def tab_to(predicate, limit=40, back=False):
        for _ in range(limit):
            keys(Keys.SHIFT, Keys.TAB) if back else keys(Keys.TAB)
            if predicate(active()):
                return active()
        raise AssertionError("focus never got there")

    title = tab_to(lambda e: "task__title" in (e.get_attribute("class") or ""))
    assert title.text == "Typed with the keyboard"
    # The focus is visible: a real outline on the focused control.
    outline = app.js("const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]")
    assert outline[0] != "none" and outline[1] != "0px", outline
    keys(Keys.ENTER)
    assert "task__title-input" in active().get_attribute("class")
    keys(Keys.CONTROL, "a")
    keys("Renamed with the keyboard", Keys.ENTER)
    app.wait_has("Renamed with the keyboard")
    app.until(lambda d: "task__title" in (active().get_attribute("class") or ""), message="focus back on the title")

    # Complete it with Space on its checkbox.
    keys(Keys.SHIFT, Keys.TAB)
    assert "task__check" in active().get_attribute("class")
    keys(Keys.SPACE)
    app.wait_gone("Renamed with the keyboard")
    app.until(lambda d: not d.find_elements(By.CSS_SELECTOR, "#task-list .is-leaving"), message="the row to fade out")
    assert "task__check" in active().get_attribute("class"), "focus moves on to the next row"

    # Delete with the keyboard and undo with Ctrl+Z.
    delete = tab_to(lambda e: (e.get_attribute("aria-label") or "").startswith("Delete:"), back=False)
    assert "Existing task" in delete.get_attribute("aria-label")
    keys(Keys.ENTER)
    app.wait_gone("Existing task")
    keys(Keys.CONTROL, "z")
    app.wait_has("Existing task")

    # The account menu opens, moves with arrows and closes with Escape.
    app.el("#search").send_keys(Keys.ESCAPE)
    button = app.el("#account-button")
    app.js("arguments[0].focus()", button)
    keys(Keys.ENTER)
    assert active().get_attribute("id") == "open-settings"
    keys(Keys.ARROW_DOWN)
    assert active().get_attribute("id") == "logout"
    keys(Keys.ESCAPE)
    assert active().get_attribute("id") == "account-button"
    assert app.el("#account-menu").get_attribute("hidden") is not None

    # Shortcuts: "/" goes to search.
    keys("/")
    assert active().get_attribute("id") == "search"
