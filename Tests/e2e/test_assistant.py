"""The assistant panel: a streamed reply, the task it adds appearing live, a conversation that
survives a reload, a server with no model saying what to configure (and no outage banner),
and axe on the open panel.

The model is scripts/fake-llm, a stand-in OpenAI-compatible server: "add <title>" gets an
add_task tool call and then "Done: <title>."; anything else "You asked: <message>. I found
N related tasks."
"""

from __future__ import annotations

import json
import select
import subprocess
import sys

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import DESKTOP, PHONE, REPO, Api, Server, free_port, serve_static, set_theme
from test_accessibility import run_axe
from webapp import App, console_errors

# ---------- fixtures ----------


@pytest.fixture(scope="module")
def fake_llm():
    """scripts/fake-llm on a free port; yields the port."""
    process = subprocess.Popen([sys.executable, str(REPO / "scripts" / "fake-llm"), "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        ready, _, _ = select.select([process.stdout], [], [], 10)
        line = process.stdout.readline() if ready else ""
        assert line.startswith("listening on "), f"fake-llm did not start: {line!r}"
        yield int(line.split()[-1])
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def model_server(tmp_path_factory, fake_llm):
    """A second punchlist with a model (the fake), allowing pages from `site_port`."""
    site_port = free_port()
    srv = Server(tmp_path_factory.mktemp("assistant-server"), f"http://127.0.0.1:{site_port}",
                 env={"LLM_BASE_URL": f"http://127.0.0.1:{fake_llm}/v1", "LLM_MODEL": "fake"})
    srv.site_port = site_port
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def model_site(tmp_path_factory, model_server):
    """Public/ on another origin, talking to model_server through CORS."""
    with serve_static(tmp_path_factory.mktemp("assistant-static") / "site", model_server.site_port, model_server.url) as url:
        yield url


@pytest.fixture(scope="module")
def model_api(model_server) -> Api:
    return Api(model_server.url)


# ---------- helpers ----------


def open_panel(app: App) -> None:
    app.el("#assistant-button").click()
    app.visible("#assistant")
    assert app.d.switch_to.active_element.get_attribute("id") == "assistant-message", "focus goes to the message box"
    assert app.el("#assistant-button").get_attribute("aria-expanded") == "true"


def ask(app: App, message: str) -> None:
    app.el("#assistant-message").send_keys(message, Keys.ENTER)


def messages(app: App) -> list[tuple[str, str]]:
    """The log as (who, text) pairs."""
    return [tuple(m) for m in app.js("""return [...document.querySelectorAll('#assistant-log > .assistant__msg')].map(li => [
        li.classList.contains('assistant__msg--user') ? 'user' : 'assistant',
        li.querySelector('.assistant__text').textContent])""")]


def wait_reply(app: App, text: str, timeout: float = 10) -> None:
    app.until(lambda d: messages(app)[-1:] == [("assistant", text)] and not app.d.find_elements(By.CSS_SELECTOR, "#assistant-log .is-streaming"),
              timeout, f"the reply {text!r} (log: {messages(app)})")


def action_lines(app: App) -> list[str]:
    return app.js("return [...document.querySelectorAll('#assistant-log .assistant__action')].map(e => e.textContent)")


def banner_hidden(app: App) -> bool:
    return app.el("#offline-banner").get_attribute("hidden") is not None


# ---------- tests ----------


def test_asking_to_add_a_task_streams_the_reply_and_the_task_appears_live(browsers, model_server, model_site, model_api):
    user = model_api.signup()
    # From another origin: the chat's POST, its event stream and the live stream go through CORS.
    app = App(browsers(), model_site).open()
    app.login(user["email"], user["password"])
    open_panel(app)
    # Note every text the reply shows while it streams, and mark the page to catch a reload.
    app.js("""window.__noReload = true; window.__seen = [];
        new MutationObserver((records) => { for (const r of records) for (const n of r.addedNodes)
            if (n.nodeType === 3 && n.parentElement?.closest('.assistant__msg--reply')) window.__seen.push(n.data); })
          .observe(document.getElementById('assistant-log'), {childList: true, subtree: true});""")

    ask(app, "add Water the plants")
    assert ("user", "add Water the plants") in messages(app)
    wait_reply(app, "Done: Water the plants.")
    assert action_lines(app) == ["Added task “Water the plants”"]
    # The reply grew piece by piece (the fake model sends five characters at a time).
    seen = app.js("return window.__seen")
    partial = [s for s in seen if s and "Done: Water the plants.".startswith(s) and s != "Done: Water the plants."]
    assert len(partial) >= 2, seen
    assert app.el("#assistant-message").get_attribute("value") == ""

    # The task is in the list without a reload, pushed by the live stream.
    app.wait_has("Water the plants", 3)
    assert app.js("return window.__noReload === true")
    assert [t["title"] for t in model_api.tasks(user["access_token"])] == ["Water the plants"]

    # The reply links the task it drew on: following it focuses the row.
    app.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#assistant-log .assistant__source"), message="a related-task link")
    link = app.el("#assistant-log .assistant__source")
    assert link.text == "Water the plants"
    link.click()
    focused = app.d.switch_to.active_element
    assert "task__title" in focused.get_attribute("class") and focused.text == "Water the plants"
    assert banner_hidden(app)
    assert console_errors(app.d) == []


def test_a_question_is_answered_and_the_conversation_survives_a_reload(browsers, model_server, model_api):
    user = model_api.signup()
    model_api.create(user["access_token"], title="Water the plants", tags=["home"])
    app = App(browsers(), model_server.url).open()
    app.login(user["email"], user["password"])
    open_panel(app)

    ask(app, "when do I water the plants?")
    wait_reply(app, "You asked: when do I water the plants?. I found 1 related tasks.")
    assert action_lines(app) == []
    first = messages(app)
    assert first == [("user", "when do I water the plants?"),
                     ("assistant", "You asked: when do I water the plants?. I found 1 related tasks.")]

    # A reload reopens the panel on the same conversation, read back from the server.
    app.d.refresh()
    app.on_tasks()
    app.visible("#assistant")
    app.until(lambda d: messages(app) == first, message=f"the conversation after a reload (log: {messages(app)})")
    assert app.d.switch_to.active_element.get_attribute("id") == "assistant-message"

    # The next question continues it.
    ask(app, "and the rest?")
    wait_reply(app, "You asked: and the rest?. I found 0 related tasks.")
    conversations = model_api.call(user["access_token"], "GET", "/api/assistant/conversations").json()["items"]
    assert len(conversations) == 1
    stored = model_api.call(user["access_token"], "GET", f"/api/assistant/conversations/{conversations[0]['id']}").json()
    assert [m["content"] for m in stored["messages"]] == [text for _, text in messages(app)]

    # Escape closes the panel and gives focus back to its button; the keyboard reopens it.
    app.d.switch_to.active_element.send_keys(Keys.ESCAPE)
    app.until(lambda d: not app.el("#assistant").is_displayed(), message="the panel to close")
    button = app.d.switch_to.active_element
    assert button.get_attribute("id") == "assistant-button" and button.get_attribute("aria-expanded") == "false"
    button.send_keys(Keys.ENTER)
    app.visible("#assistant")

    # "New conversation" empties the log, and a reload keeps it empty.
    app.el("#assistant-new").click()
    assert messages(app) == [] and app.visible(".assistant__empty")
    app.d.refresh()
    app.on_tasks()
    app.visible("#assistant")
    app.visible(".assistant__empty")
    assert messages(app) == []
    assert console_errors(app.d) == []


def test_without_a_model_the_panel_says_what_to_configure(browsers, server, static_site, api):
    user = api.signup()
    expected = api.call(user["access_token"], "POST", "/api/assistant/chat", json={"message": "hello"}).json()
    assert expected["code"] == "assistant_not_configured"
    # From another origin too: the problem document must be readable through CORS.
    app = App(browsers(), static_site).open()
    app.login(user["email"], user["password"])
    open_panel(app)

    ask(app, "hello")
    error = app.visible("#assistant-error")
    assert error.text == expected["detail"] and "LLM_BASE_URL" in error.text
    assert banner_hidden(app), "no model is not an outage"
    assert app.el("#assistant-message").get_attribute("value") == "hello", "what was typed is kept"
    assert messages(app) == []
    # The rest of the app carries on as usual.
    app.el("#assistant-close").click()
    app.add("Still works")
    app.wait_has("Still works")
    assert banner_hidden(app)


@pytest.mark.parametrize("size,name", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_the_open_panel_has_no_serious_axe_violations(browsers, model_server, model_api, size, name):
    user = model_api.signup()
    app = App(browsers(size=size, mobile=name == "phone"), model_server.url).open()
    app.login(user["email"], user["password"])
    open_panel(app)
    ask(app, "add Call mum")
    wait_reply(app, "Done: Call mum.")
    app.el("#assistant-message").send_keys("hi")  # the error below sits above a kept message
    app.js("const e = document.getElementById('assistant-error'); e.textContent = 'Something went wrong.'; e.hidden = false;")

    report = {}
    for theme in ("light", "dark"):
        set_theme(app.d, theme == "dark")
        # Colours change with a 150 ms transition: let them finish before axe reads them.
        app.until(lambda d: app.js("return document.getAnimations().every(a => a.playState !== 'running' || a.effect.getTiming().iterations === Infinity)"),
                  message="transitions to settle")
        serious = [{"id": v["id"], "targets": [n["target"] for n in v["nodes"][:3]]}
                   for v in run_axe(app) if v["impact"] in ("serious", "critical")]
        if serious:
            report[theme] = serious
    assert not report, f"axe found serious or critical violations: {json.dumps(report, indent=1)}"

    if name == "phone":
        # The panel covers the page, whose controls are out of reach; its own are 44px.
        assert app.js("return document.getElementById('app-main').inert && document.querySelector('.topbar').inert")
        small = app.js("""return [...document.querySelectorAll('#assistant button:not(.assistant__source), #assistant textarea')]
            .filter(el => { const r = el.getBoundingClientRect(); return r.width < 43.5 || r.height < 43.5; })
            .map(el => el.id || el.className)""")
        assert small == [], small
        app.el("#assistant-close").click()
        assert not app.js("return document.getElementById('app-main').inert")
    assert console_errors(app.d) == []
