"""The whole journey of one person, through the browser only: sign up, add tasks with
priority, tags and due dates, filter, search, sort, edit, complete a recurring task and see
the next one, delete and undo, log out, log in again and find everything."""

from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from webapp import PASSWORD, App, console_errors, eventually, local_date, unique_email


def test_the_whole_journey(browsers, server, api):
    app = App(browsers(), server.url).open()
    email = unique_email()

    # --- sign up, with a mistake first: the message sits next to the field.
    app.on_login()
    app.el("#auth-switch").click()
    app.fill_auth(email, "short", "Grace")
    error = app.visible("#auth-password-error")
    assert "8 characters" in error.text
    assert app.el("#auth-password").get_attribute("aria-invalid") == "true"
    app.signup(email, PASSWORD, "Grace")
    assert app.el("#account-name").text == "Grace"
    token = app.token()

    # --- a server-side validation error lands next to its field too (a tag over 40 characters).
    app.el("#qa-tags").send_keys("x" * 41)
    app.el("#qa-title").send_keys("Too long a tag", Keys.ENTER)
    tag_error = app.visible("#qa-tags-error")
    assert tag_error.text, "the API's validation message is shown next to the tags field"
    assert app.el("#qa-title").get_attribute("value") == "Too long a tag", "what was typed is kept"
    app.el("#qa-tags").clear()
    app.el("#qa-title").clear()

    # --- add tasks with priority, tags, due dates and recurrence.
    app.add("Pay rent #home !high", date=local_date(-1))                      # overdue, tag and priority typed inline
    app.add("Buy milk", priority="medium", tags="errands, home", date=local_date(0))  # due today (no time)
    app.add("Water plants", date=local_date(-1), time_="09:00", repeat="daily")
    app.add("Write report", priority="low", tags="work", date=local_date(3), time_="14:30")
    app.add("Read a book")
    app.wait_titles(["Read a book", "Write report", "Water plants", "Buy milk", "Pay rent"], ordered=True)

    tasks = {t["title"]: t for t in api.tasks(token)}
    assert tasks["Pay rent"]["priority"] == "high" and tasks["Pay rent"]["tags"] == ["home"]
    assert tasks["Buy milk"]["tags"] == ["errands", "home"] and tasks["Buy milk"]["priority"] == "medium"
    assert tasks["Water plants"]["recurrence"] == "daily"
    assert tasks["Read a book"]["due_at"] is None

    # Overdue and due today are obvious at a glance: red and amber badges, and counts above the list.
    assert "badge--overdue" in app.due_badge("Pay rent").get_attribute("class")
    assert "Overdue" in app.due_badge("Pay rent").text
    assert "badge--today" in app.due_badge("Buy milk").get_attribute("class")
    assert app.due_badge("Buy milk").text.startswith("Today")
    assert "badge--overdue" not in app.due_badge("Write report").get_attribute("class")
    app.until(lambda d: "2 overdue" in app.el("#summary").text, message="overdue count")

    # --- filters: priority, tag chips, due window, search as you type, sort.
    app.choose("#filter-priority", "high")
    app.wait_titles(["Pay rent"])
    app.choose("#filter-priority", "")
    app.wait_titles(["Read a book", "Write report", "Water plants", "Buy milk", "Pay rent"])

    app.tag_chip("home").click()
    app.wait_titles(["Buy milk", "Pay rent"])
    assert app.tag_chip("home").get_attribute("aria-pressed") == "true"
    app.tag_chip("errands").click()                     # two tags: both must match
    app.wait_titles(["Buy milk"])
    app.el("#clear-filters").click()
    app.wait_titles(["Read a book", "Write report", "Water plants", "Buy milk", "Pay rent"])

    app.choose("#filter-due", "overdue")
    app.wait_titles(["Water plants", "Pay rent"])
    app.choose("#filter-due", "")

    app.search("rep")                                   # a word prefix, as you type
    app.wait_titles(["Write report"])
    assert app.el("#sort").get_attribute("value") == "relevance"
    app.search("")
    app.wait_titles(["Read a book", "Write report", "Water plants", "Buy milk", "Pay rent"])

    app.choose("#sort", "title:asc")
    app.wait_titles(["Buy milk", "Pay rent", "Read a book", "Water plants", "Write report"], ordered=True)
    app.choose("#sort", "due_at:asc")                   # soonest first, no date last
    app.wait_titles(["Water plants", "Pay rent", "Buy milk", "Write report", "Read a book"], ordered=True)
    app.choose("#sort", "priority:desc")
    app.until(lambda d: app.titles()[:3] == ["Pay rent", "Buy milk", "Write report"], message="priority order")
    app.choose("#sort", "created_at:desc")
    # The list is drawn anew when the answer arrives: wait for it before touching a row.
    app.wait_titles(["Read a book", "Write report", "Water plants", "Buy milk", "Pay rent"], ordered=True)

    # --- edit in place: click the title, type, Enter. Escape cancels.
    app.row("Read a book").find_element(By.CSS_SELECTOR, ".task__title").click()
    field = app.visible(".task__title-input")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("Read a novel", Keys.ENTER)
    app.wait_has("Read a novel")
    app.row("Read a novel").find_element(By.CSS_SELECTOR, ".task__title").click()
    field = app.visible(".task__title-input")
    field.send_keys(" and forget it", Keys.ESCAPE)
    app.until(lambda d: not d.find_elements(By.CSS_SELECTOR, ".task__title-input"), message="editor closed")
    assert "Read a novel" in app.titles()

    # ... and the details editor for the rest.
    row = app.row("Write report")
    row.find_element(By.CSS_SELECTOR, "button[aria-label^='Edit details']").click()
    editor = app.visible(".editor")
    Select(editor.find_element(By.CSS_SELECTOR, "select[name=priority]")).select_by_value("high")
    notes = editor.find_element(By.CSS_SELECTOR, "textarea[name=description]")
    notes.send_keys("Quarterly numbers")
    editor.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    app.until(lambda d: "High" in app.row("Write report").text and "Quarterly numbers" in app.row("Write report").text,
              message="details saved")
    assert {t["title"]: t for t in api.tasks(token)}["Write report"]["priority"] == "high"

    # --- complete the recurring task: it goes, its next occurrence comes.
    old_id = app.row_id("Water plants")
    app.toggle("Water plants")
    # One snapshot per poll: between the completed row leaving and the next one arriving
    # there is a moment with no "Water plants" at all, and that is not a failure.
    app.until(lambda d: len(ids := app.row_ids("Water plants")) == 1 and ids[0] != old_id,
              message="the next occurrence replaces the completed one")
    badge = app.due_badge("Water plants")
    assert "badge--overdue" not in badge.get_attribute("class"), "the next occurrence is not overdue"
    plants = [t for t in api.tasks(token) if t["title"] == "Water plants"]
    assert sorted(t["completed"] for t in plants) == [False, True]
    app.set_status("completed")
    app.wait_titles(["Water plants"])
    app.set_status("open")
    app.wait_has("Pay rent")

    # --- delete, then undo: the very same task comes back.
    milk_id = app.row_id("Buy milk")
    app.delete("Buy milk")
    undo = app.visible(".toast__action")
    assert "Buy milk" in app.el(".toast").text
    undo.click()
    app.wait_has("Buy milk")
    assert app.row_id("Buy milk") == milk_id
    assert api.call(token, "GET", f"/api/tasks/{milk_id}").status_code == 200

    # Delete for real: dismissing the toast (or letting it expire) sends the DELETE.
    novel_id = app.row_id("Read a novel")
    app.delete("Read a novel")
    app.visible(".toast__close").click()
    eventually(lambda: api.call(token, "GET", f"/api/tasks/{novel_id}").status_code == 404, message="deleted on the server")

    # --- log out, log in again, find everything.
    app.logout()
    assert "logged out" in app.el("#auth-notice").text
    assert app.js("return localStorage.getItem('punchlist.session')") is None
    assert api.call(token, "GET", "/api/auth/me").status_code == 401, "logout revoked the token"
    app.login(email, PASSWORD)
    app.wait_titles(["Write report", "Water plants", "Buy milk", "Pay rent"])
    app.set_status("all")
    app.wait_titles(["Write report", "Water plants", "Water plants", "Buy milk", "Pay rent"])
    assert console_errors(app.d) == []


def test_an_expired_session_returns_to_login_and_keeps_the_draft(browsers, server, api):
    user = api.signup()
    app = App(browsers(), server.url).open()
    app.login(user["email"], user["password"])
    app.el("#qa-title").send_keys("Half-typed idea")
    app.el("#qa-tags").send_keys("ideas")

    # The session ends elsewhere (revoked, like an expiry): the live stream closes with 4401.
    assert api.call(app.token(), "POST", "/api/auth/logout").status_code == 204
    app.on_login()
    assert "session has ended" in app.el("#auth-notice").text
    assert app.el("#auth-email").get_attribute("value") == user["email"]

    app.login(user["email"], user["password"])
    assert app.el("#qa-title").get_attribute("value") == "Half-typed idea"
    assert app.el("#qa-tags").get_attribute("value") == "ideas"
    app.el("#qa-title").send_keys(Keys.ENTER)
    app.wait_titles(["Half-typed idea"])


def test_wrong_password_and_taken_email_are_explained(browsers, server, api):
    user = api.signup()
    app = App(browsers(), server.url).open()
    app.on_login()
    app.fill_auth(user["email"], "not the password")
    assert "don’t match" in app.visible("#auth-error").text
    app.el("#auth-switch").click()
    app.fill_auth(user["email"].upper(), PASSWORD, "Someone")
    assert "Already has an account" in app.visible("#auth-email-error").text
