// Account settings in a modal dialog: change the display name, change the password (other
// devices are logged out), delete the account.

import { $, showFieldErrors, clearFieldErrors, setMessage } from "./dom.js";
import { api, explain } from "./api.js";
import { updateUser } from "./session.js";

export function createAccount({ onUser, onDeleted, onBeforeDelete }) {
  const dialog = $("#settings");
  const profile = { name: { input: $("#profile-name"), error: $("#profile-name-error"), label: "Name" } };
  const pw = {
    current_password: { input: $("#pw-current"), error: $("#pw-current-error"), label: "Current password" },
    password: { input: $("#pw-new"), error: $("#pw-new-error"), label: "New password" },
  };
  const del = {
    current_password: { input: $("#del-password"), error: $("#del-password-error"), label: "Current password" },
    confirm: { input: $("#del-confirm"), error: $("#del-confirm-error"), label: "" },
  };
  let opener = null;

  const friendly = (errors) => errors.map((e) =>
    e.field === "current_password" && /incorrect|wrong|match/i.test(e.message) ? { ...e, message: "That isn’t your current password" } : e);

  async function send(form, fields, statusEl, request) {
    clearFieldErrors(fields);
    setMessage(statusEl, "");
    statusEl.hidden = false;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      return await request();
    } catch (error) {
      const rest = showFieldErrors(fields, friendly(error.errors ?? []));
      if (rest.length || !error.errors?.length) {
        statusEl.classList.add("form-status--error");
        statusEl.textContent = rest.length ? rest.join(" ") : explain(error);
      }
      return null;
    } finally {
      button.disabled = false;
    }
  }

  $("#profile-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = $("#profile-status");
    status.classList.remove("form-status--error");
    const user = await send(event.target, profile, status, () =>
      api("PATCH", "/api/auth/me", { body: { name: profile.name.input.value.trim() } }));
    if (user) {
      updateUser(user);
      onUser(user);
      status.textContent = "Name saved.";
    }
  });

  $("#password-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = $("#password-status");
    status.classList.remove("form-status--error");
    const errors = [];
    if (!pw.current_password.input.value) errors.push({ field: "current_password", message: "Enter your current password" });
    if (pw.password.input.value.length < 8) errors.push({ field: "password", message: "Use at least 8 characters" });
    if (errors.length) { showFieldErrors(pw, errors); return; }
    const user = await send(event.target, pw, status, () => api("PATCH", "/api/auth/me", {
      body: { password: pw.password.input.value, current_password: pw.current_password.input.value },
    }));
    if (user) {
      pw.password.input.value = "";
      pw.current_password.input.value = "";
      status.textContent = "Password changed. Your other devices have been logged out.";
    }
  });

  $("#delete-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = $("#delete-status");
    status.classList.add("form-status--error");
    const errors = [];
    if (!del.current_password.input.value) errors.push({ field: "current_password", message: "Enter your current password to confirm" });
    if (!del.confirm.input.checked) errors.push({ field: "confirm", message: "Tick the box to confirm" });
    if (errors.length) { showFieldErrors(del, errors); return; }
    await onBeforeDelete?.();
    const done = await send(event.target, del, status, () =>
      api("DELETE", "/api/auth/me", { body: { current_password: del.current_password.input.value }, retry: false }).then(() => true));
    if (done) {
      dialog.close();
      onDeleted();
    }
  });

  $("#settings-close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    for (const form of dialog.querySelectorAll("form")) form.reset();
    for (const group of [profile, pw, del]) clearFieldErrors(group);
    for (const s of dialog.querySelectorAll(".form-status")) { s.textContent = ""; s.classList.remove("form-status--error"); }
    opener?.focus();
  });
  // A click on the backdrop (outside the dialog box) closes it.
  dialog.addEventListener("click", (event) => { if (event.target === dialog) dialog.close(); });

  return {
    open(user, from) {
      opener = from ?? document.activeElement;
      dialog.showModal();
      $("#profile-email").value = user.email;
      for (const input of dialog.querySelectorAll(".account-username")) input.value = user.email;
      profile.name.input.value = user.name;
      profile.name.input.focus();
    },
    close: () => dialog.open && dialog.close(),
  };
}
