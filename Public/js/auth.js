// Log in and sign up: one form, two modes. Errors are shown next to their field (the API's
// validation errors included); a session that ended elsewhere lands here with a notice.

import { $, showFieldErrors, clearFieldErrors, setMessage } from "./dom.js";
import { api, explain } from "./api.js";
import { saveSession } from "./session.js";

export function createAuth({ onSignedIn }) {
  const view = $("#auth-view");
  const form = $("#auth-form");
  const name = $("#auth-name");
  const email = $("#auth-email");
  const password = $("#auth-password");
  const submit = $("#auth-submit");
  const general = $("#auth-error");
  const notice = $("#auth-notice");
  const fields = {
    name: { input: name, error: $("#auth-name-error"), label: "Name" },
    email: { input: email, error: $("#auth-email-error"), label: "Email" },
    password: { input: password, error: $("#auth-password-error"), label: "Password" },
  };
  let mode = "login";

  function setMode(next) {
    mode = next;
    const signup = mode === "signup";
    $("#auth-title").textContent = signup ? "Create your account" : "Log in";
    submit.textContent = signup ? "Create account" : "Log in";
    $("#name-field").hidden = !signup;
    $("#auth-password-hint").hidden = !signup;
    password.autocomplete = signup ? "new-password" : "current-password";
    $("#auth-switch-text").textContent = signup ? "Already have an account?" : "New to Punchlist?";
    $("#auth-switch").textContent = signup ? "Log in" : "Create an account";
    clearFieldErrors(fields);
    setMessage(general, "");
  }

  $("#auth-switch").addEventListener("click", () => {
    setMode(mode === "login" ? "signup" : "login");
    setMessage(notice, "");
    (mode === "signup" ? name : email).focus();
  });

  function check() {
    const errors = [];
    if (!email.value.trim()) errors.push({ field: "email", message: "Enter your email address" });
    else if (!/^[^\s@]+@[^\s@]+$/.test(email.value.trim())) errors.push({ field: "email", message: "That doesn’t look like an email address" });
    if (!password.value) errors.push({ field: "password", message: "Enter your password" });
    else if (mode === "signup" && password.value.length < 8) errors.push({ field: "password", message: "Use at least 8 characters" });
    return errors;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    setMessage(general, "");
    const problems = check();
    if (problems.length) {
      showFieldErrors(fields, problems);
      return;
    }
    clearFieldErrors(fields);
    const body = { email: email.value.trim(), password: password.value };
    if (mode === "signup" && name.value.trim()) body.name = name.value.trim();
    submit.disabled = true;
    try {
      const session = await api("POST", `/api/auth/${mode}`, { body, auth: false, retry: false });
      saveSession(session);
      password.value = "";
      setMessage(notice, "");
      onSignedIn(session);
    } catch (error) {
      if (error.code === "invalid_credentials") {
        setMessage(general, "That email and password don’t match an account. Check them and try again.");
        password.select();
      } else if (error.code === "email_taken") {
        showFieldErrors(fields, [{ field: "email", message: "Already has an account. Log in instead?" }]);
      } else {
        const rest = showFieldErrors(fields, error.errors ?? []);
        if (rest.length || !error.errors?.length) setMessage(general, rest.length ? rest.join(" ") : explain(error));
      }
    } finally {
      submit.disabled = false;
    }
  });

  return {
    /** Shows the form; `notice` explains why (session ended, logged out), `email` pre-fills. */
    show({ notice: text = "", email: address = "" } = {}) {
      setMode("login");
      setMessage(notice, text);
      if (address) email.value = address;
      password.value = "";
      view.hidden = false;
      (address ? password : email).focus();
    },
    hide() {
      view.hidden = true;
    },
  };
}
