// Punchlist's web app: wires the pieces together and moves between the login screen and
// the task list. No framework, no build step: ES modules served as they are.

import { $ } from "./dom.js";
import { api, onUnauthorized } from "./api.js";
import { initConnectivity, onReachable } from "./connectivity.js";
import { loadSession, clearSession, clearDraft, onSessionChange, updateUser } from "./session.js";
import { createAuth } from "./auth.js";
import { createAccount } from "./account.js";
import { createFilters } from "./filters.js";
import { createTaskList } from "./tasks.js";
import { createQuickAdd } from "./quickadd.js";
import { createLive } from "./live.js";
import { createGlance } from "./glance.js";
import { createAssistant } from "./assistant.js";

let session = null;
let signingOut = false;

initConnectivity();

const filters = createFilters(() => { tasks.reload(); });
const glance = createGlance(filters);
const live = createLive({
  onEvent: (event) => tasks.applyEvent(event),
  onResync: () => { clearTimeout(firstLoad); tasks.reload(); glance.refresh(); },
  onUnauthorized: () => sessionEnded(),
  onState: showLiveState,
});
const tasks = createTaskList({ filters, isLive: () => live.connected, onChanged: () => glance.refreshSoon() });
const quickAdd = createQuickAdd({ tasks, userId: () => session?.user.id });
const auth = createAuth({ onSignedIn: (s) => enterApp(s) });
const account = createAccount({
  onUser: (user) => { session = { ...session, user }; showUser(user); },
  onBeforeDelete: () => tasks.flushDeletes(),
  onDeleted: () => leaveApp("Your account and all its tasks have been deleted."),
});
const assistant = createAssistant({ userId: () => session?.user.id, onUnauthorized: () => sessionEnded() });
let firstLoad = null;

// ---------- moving between screens ----------

function enterApp(newSession) {
  session = newSession;
  $("#boot").hidden = true;
  auth.hide();
  $("#app-view").hidden = false;
  setMain("#app-main");
  showUser(session.user);
  filters.reset();
  tasks.clear();
  glance.clear();
  const restored = quickAdd.restore();
  // The live stream's first connection asks for the list (so that no change slips between
  // the list and the stream); if the stream is slow to open, load the list anyway.
  live.start(session.access_token);
  clearTimeout(firstLoad);
  firstLoad = setTimeout(() => { tasks.reload(); glance.refresh(); }, 1200);
  // The stored user may be stale (renamed on another device).
  api("GET", "/api/auth/me").then((user) => {
    if (session?.user.id !== user.id) return;
    session = { ...session, user };
    updateUser(user);
    showUser(user);
  }).catch(() => {});
  quickAdd.focus();
  if (restored) $("#qa-title").setSelectionRange(9999, 9999);
  assistant.start(); // reopens the panel (and focuses it) if it was open before a reload
}

/** Back to the login screen; `notice` says why. */
function leaveApp(notice, { keepDraft = false, email = "" } = {}) {
  clearTimeout(firstLoad);
  live.stop();
  account.close();
  assistant.stop({ forget: !keepDraft });
  closeMenu();
  tasks.clear();
  glance.clear();
  clearSession();
  if (!keepDraft) clearDraft();
  session = null;
  $("#app-view").hidden = true;
  $("#boot").hidden = true;
  setMain("#auth-view");
  auth.show({ notice, email });
}

/** Both views live in the page; only the one on screen is the main landmark. */
function setMain(selector) {
  for (const el of document.querySelectorAll("#auth-view, #app-main")) el.removeAttribute("role");
  $(selector).setAttribute("role", "main");
}

/** A 401 from the API or a 4401 from the stream: the session expired or was revoked. */
function sessionEnded() {
  if (!session || signingOut) return;
  quickAdd.remember();
  leaveApp("Your session has ended. Log in again to carry on — what you were typing is kept.", {
    keepDraft: true, email: session.user.email,
  });
}
onUnauthorized(sessionEnded);

async function logOut() {
  signingOut = true;
  try {
    await tasks.flushDeletes();
    await api("POST", "/api/auth/logout", { retry: false }).catch(() => {});
  } finally {
    signingOut = false;
    leaveApp("You’re logged out. See you soon.");
  }
}

// Another tab logged in or out.
onSessionChange((changed) => {
  if (!changed && session) leaveApp("You logged out in another tab.");
  else if (changed && changed.access_token !== session?.access_token) enterApp(changed);
});

// ---------- header ----------

function showUser(user) {
  const label = user.name || user.email;
  $("#account-name").textContent = label;
  $("#avatar").textContent = (label.trim()[0] ?? "?").toUpperCase();
  $("#account-email").textContent = user.email;
}

const LIVE_TEXT = { live: "Live", connecting: "Connecting…", offline: "Offline, reconnecting" };
const LIVE_TITLE = {
  live: "Live: changes from your other devices appear here instantly",
  connecting: "Connecting to live updates…",
  offline: "Live updates are offline; reconnecting by itself",
};
function showLiveState(state) {
  const box = $("#live");
  box.dataset.state = state;
  box.title = LIVE_TITLE[state];
  $("#live-text").textContent = LIVE_TEXT[state];
}

const menuButton = $("#account-button");
const menu = $("#account-menu");
function closeMenu() {
  menu.hidden = true;
  menuButton.setAttribute("aria-expanded", "false");
}
menuButton.addEventListener("click", () => {
  const open = menu.hidden;
  menu.hidden = !open;
  menuButton.setAttribute("aria-expanded", String(open));
  if (open) menu.querySelector("button").focus();
});
menu.addEventListener("keydown", (event) => {
  const items = [...menu.querySelectorAll("button")];
  const i = items.indexOf(document.activeElement);
  if (event.key === "ArrowDown") { event.preventDefault(); items[(i + 1) % items.length].focus(); }
  if (event.key === "ArrowUp") { event.preventDefault(); items[(i - 1 + items.length) % items.length].focus(); }
  if (event.key === "Escape") { closeMenu(); menuButton.focus(); }
});
document.addEventListener("click", (event) => {
  if (!menu.hidden && !event.target.closest(".menu")) closeMenu();
});
menu.addEventListener("focusout", (event) => {
  if (!event.relatedTarget || !event.relatedTarget.closest(".menu")) closeMenu();
});
$("#open-settings").addEventListener("click", () => { closeMenu(); account.open(session.user, menuButton); });
$("#logout").addEventListener("click", () => { closeMenu(); logOut(); });

// ---------- keyboard shortcuts ----------

document.addEventListener("keydown", (event) => {
  if (!session || $("#settings").open) return;
  const typing = event.target.closest("input, textarea, select, [contenteditable]");
  // Ctrl+Z undoes a delete, unless the browser has typing of its own to undo.
  const ownUndo = typing && !(event.target.tagName === "INPUT" && event.target.value === "");
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z" && !event.shiftKey && !ownUndo) {
    if (tasks.undoLast()) event.preventDefault();
    return;
  }
  if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "/") { event.preventDefault(); $("#search").focus(); }
  if (event.key === "n") { event.preventDefault(); quickAdd.focus(); }
});

// ---------- life cycle ----------

// Deletes still inside their undo window are sent before the page goes away.
addEventListener("pagehide", () => { if (session) tasks.flushDeletes({ keepalive: true }); });
// Back from a network outage: catch up at once.
onReachable(() => { if (session) live.reconnectNow(); });

const saved = loadSession();
$("#boot").hidden = true;
if (saved) enterApp(saved);
else {
  setMain("#auth-view");
  auth.show();
}
