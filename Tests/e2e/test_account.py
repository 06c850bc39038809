"""Account settings: change the name, change the password (other sessions end), delete the
account — each with its errors explained next to the field."""

from __future__ import annotations

from selenium.webdriver.common.keys import Keys

from webapp import App, PASSWORD


def open_settings(app: App) -> None:
    app.el("#account-button").click()
    app.visible("#open-settings").click()
    app.visible("#settings")


def test_name_password_and_deleting_the_account(browsers, server, api):
    user = api.signup(name="Old Name")
    api.create(user["access_token"], title="Something to lose")
    app = App(browsers(), server.url).open()
    other = App(browsers(), server.url).open()
    app.login(user["email"], user["password"])
    other.login(user["email"], user["password"])

    # Name: saved, shown in the header at once.
    open_settings(app)
    name = app.el("#profile-name")
    assert name.get_attribute("value") == "Old Name"
    assert app.el("#profile-email").get_attribute("value") == user["email"]
    name.send_keys(Keys.CONTROL, "a")
    name.send_keys("Ada Byron", Keys.ENTER)
    app.until(lambda d: app.el("#profile-status").text == "Name saved.", message="name saved")
    assert app.el("#account-name").text == "Ada Byron"
    assert api.call(user["access_token"], "GET", "/api/auth/me").json()["name"] == "Ada Byron"

    # Password: a wrong current password is said next to that field.
    app.el("#pw-current").send_keys("not my password")
    app.el("#pw-new").send_keys("a brand new passphrase", Keys.ENTER)
    error = app.visible("#pw-current-error")
    assert "current password" in error.text.lower()
    assert app.el("#pw-current").get_attribute("aria-invalid") == "true"
    # A too-short new one is caught before sending.
    app.el("#pw-current").clear()
    app.el("#pw-current").send_keys(PASSWORD)
    app.el("#pw-new").clear()
    app.el("#pw-new").send_keys("short", Keys.ENTER)
    assert "8 characters" in app.visible("#pw-new-error").text
    app.el("#pw-new").clear()
    app.el("#pw-new").send_keys("a brand new passphrase", Keys.ENTER)
    app.until(lambda d: "Password changed" in app.el("#password-status").text, message="password changed")
    # This session goes on; the other one was logged out (its live stream closed with 4401).
    other.on_login(5)
    assert "session has ended" in other.el("#auth-notice").text
    app.el("#settings-close").click()
    app.until(lambda d: not app.js("return document.getElementById('settings').open"), message="dialog closed")
    app.add("Still logged in here")

    # Delete: needs the password and a tick; then back to the login screen, the account gone.
    open_settings(app)
    app.el("#del-password").send_keys("a brand new passphrase", Keys.ENTER)
    assert app.visible("#del-confirm-error").text
    app.el("#del-confirm").click()
    app.el("#del-password").clear()
    app.el("#del-password").send_keys("wrong password", Keys.ENTER)
    assert app.visible("#del-password-error").text
    app.el("#del-password").clear()
    app.el("#del-password").send_keys("a brand new passphrase", Keys.ENTER)
    app.on_login()
    assert "deleted" in app.el("#auth-notice").text
    app.fill_auth(user["email"], "a brand new passphrase")
    assert "don’t match" in app.visible("#auth-error").text
