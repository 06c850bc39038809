// The assistant panel: a conversation with the server's AI assistant, beside the task list.
// Replies stream as Server-Sent Events read with fetch (EventSource cannot POST). Changes the
// assistant makes to tasks arrive through the live stream like any other change, so the list
// needs nothing from here.
//
// The chat calls fetch itself rather than api(): api() takes every 503 for "server
// unreachable" and waits for it, but this route's 503 can also mean "no model configured",
// which is said in the panel and is no outage.

import { $, h, announce, setMessage } from "./dom.js";
import { api, explain } from "./api.js";
import { API_BASE } from "./config.js";
import { token } from "./session.js";
import * as net from "./connectivity.js";
import { toast } from "./toast.js";

// The current conversation (and whether the panel was open) survives a reload in
// sessionStorage, tagged with the user so that it is never resumed for someone else.
const KEY = "punchlist.assistant";
const OFFLINE = "Can’t reach Punchlist right now. Check your connection; what you typed is kept.";
const PHONE = matchMedia("(max-width: 640px)");

export function createAssistant({ userId, onUnauthorized }) {
  const panel = $("#assistant");
  const opener = $("#assistant-button");
  const log = $("#assistant-log");
  const form = $("#assistant-form");
  const input = $("#assistant-message");
  const error = $("#assistant-error");
  const send = form.querySelector("button[type=submit]");
  let conversationId = null;
  let loadedFor = undefined; // the conversation whose messages the log shows
  let loading = Promise.resolve();
  let request = null; // the AbortController of the reply being streamed

  // ---------- remembering ----------

  function remember() {
    const id = userId();
    if (!id) return;
    sessionStorage.setItem(KEY, JSON.stringify({ userId: id, conversationId, open: !panel.hidden }));
  }

  function recall() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(KEY));
      return saved && saved.userId === userId() ? saved : null;
    } catch {
      return null;
    }
  }

  // ---------- opening and closing ----------

  function open() {
    panel.hidden = false;
    opener.setAttribute("aria-expanded", "true");
    $("#app-view").classList.add("is-assisting");
    setInert(PHONE.matches);
    remember();
    ensureLoaded();
    input.focus();
  }

  function close({ focus = true, save = true } = {}) {
    if (panel.hidden) return;
    panel.hidden = true;
    opener.setAttribute("aria-expanded", "false");
    $("#app-view").classList.remove("is-assisting");
    setInert(false);
    if (save) remember();
    if (focus) opener.focus();
  }

  /** On a phone the panel covers the page: what is under it is taken out of reach. */
  function setInert(on) {
    for (const el of document.querySelectorAll("#app-view > .topbar, #app-main")) el.inert = on;
  }
  PHONE.addEventListener("change", () => { if (!panel.hidden) setInert(PHONE.matches); });

  opener.addEventListener("click", () => (panel.hidden ? open() : close()));
  $("#assistant-close").addEventListener("click", () => close());
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.defaultPrevented) { event.preventDefault(); close(); }
  });

  $("#assistant-new").addEventListener("click", () => {
    stop();
    conversationId = null;
    loadedFor = null;
    log.replaceChildren();
    setMessage(error, "");
    remember();
    input.focus();
    announce("New conversation.");
  });

  // ---------- the log ----------

  function ensureLoaded() {
    if (loadedFor !== conversationId) loading = loadConversation();
    return loading;
  }

  async function loadConversation() {
    const id = conversationId;
    loadedFor = id;
    log.replaceChildren();
    if (!id) return;
    log.setAttribute("aria-busy", "true");
    try {
      const conversation = await api("GET", `/api/assistant/conversations/${encodeURIComponent(id)}`, { retry: false });
      if (conversationId !== id) return;
      log.replaceChildren(...conversation.messages.map(renderMessage));
      scrollDown();
    } catch (problem) {
      if (conversationId !== id) return;
      if (problem.status === 404) { // deleted, or from another server: start afresh
        conversationId = null;
        loadedFor = null;
        remember();
      } else {
        loadedFor = undefined; // try again next time the panel opens
        setMessage(error, explain(problem));
      }
    } finally {
      log.removeAttribute("aria-busy");
    }
  }

  function renderMessage({ role, content, actions = [], sources = [] }) {
    const mine = role === "user";
    const li = h("li", { class: `assistant__msg assistant__msg--${mine ? "user" : "reply"}` },
      h("span", { class: "visually-hidden" }, mine ? "You: " : "Assistant: "),
      h("p", { class: "assistant__text" }, content));
    if (!mine) {
      li.append(h("ul", { class: "assistant__actions" }, actions.map(renderAction)));
      li.append(renderSources(sources, actions));
    }
    return li;
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  // ---------- sending ----------

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ask();
  });
  // Enter sends; Shift+Enter starts a new line.
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ask();
    }
  });

  async function ask() {
    const message = input.value.trim();
    if (!message || request) return;
    setMessage(error, "");
    const bearer = token();
    if (!bearer) { onUnauthorized(); return; }
    const controller = new AbortController();
    request = controller;
    send.disabled = true;
    await ensureLoaded();
    if (controller.signal.aborted) return;

    // Shown at once: the question, and a reply that grows as it streams.
    input.value = "";
    const question = renderMessage({ role: "user", content: message });
    const reply = renderMessage({ role: "assistant", content: "" });
    reply.setAttribute("aria-busy", "true");
    reply.classList.add("is-streaming");
    log.append(question, reply);
    scrollDown();
    // Refused before the stream started: nothing was stored, so the question goes back in the box.
    const takeBack = () => {
      question.remove();
      reply.remove();
      if (!input.value) input.value = message;
    };

    let response;
    try {
      response = await fetch(`${API_BASE}/api/assistant/chat`, {
        method: "POST",
        signal: controller.signal,
        headers: {
          Accept: "text/event-stream", "Content-Type": "application/json", Authorization: `Bearer ${bearer}`,
        },
        body: JSON.stringify({ conversation_id: conversationId, message }),
      });
    } catch {
      finish(controller);
      if (!controller.signal.aborted) {
        takeBack();
        net.reportUnreachable();
        setMessage(error, OFFLINE);
      }
      return;
    }
    if (!response.ok) {
      finish(controller);
      takeBack();
      await refused(response);
      return;
    }
    net.reportReachable();

    const text = reply.querySelector(".assistant__text");
    const actions = reply.querySelector(".assistant__actions");
    let ended = false;

    try {
      for await (const { event, data } of readEvents(response.body)) {
        if (event === "conversation") {
          conversationId = data.conversation_id;
          loadedFor = conversationId;
          remember();
        } else if (event === "delta") {
          text.textContent += data.text ?? "";
        } else if (event === "action") {
          actions.append(renderAction(data));
        } else if (event === "done") {
          conversationId = data.conversation_id;
          loadedFor = conversationId;
          remember();
          const final = renderMessage({ role: "assistant", content: data.reply, actions: data.actions, sources: data.sources });
          reply.replaceWith(final);
          announce(`Assistant: ${data.reply}`);
          ended = true;
          break;
        } else if (event === "error") {
          text.textContent = data.detail || data.title || "The assistant could not answer.";
          reply.classList.add("assistant__msg--error");
          announce(text.textContent);
          ended = true;
          break;
        }
        scrollDown();
      }
    } catch {
      // Cut off: said below.
    } finally {
      if (!ended && !controller.signal.aborted) {
        reply.classList.add("assistant__msg--error");
        text.append(" (The answer was cut off.)");
      }
      reply.removeAttribute("aria-busy");
      reply.classList.remove("is-streaming");
      finish(controller);
      scrollDown();
    }
  }

  function finish(controller) {
    if (request === controller) request = null;
    send.disabled = false;
  }

  function stop() {
    request?.abort();
    request = null;
    send.disabled = false;
  }

  /** A problem before the stream started: say what it was, keep what was typed. */
  async function refused(response) {
    let problem = {};
    try { problem = await response.json(); } catch { /* not JSON: the status says enough */ }
    if (response.status === 401) { onUnauthorized(); return; }
    if (response.status === 503 && problem.code !== "assistant_not_configured") {
      net.reportUnreachable(Number(response.headers.get("Retry-After")) || undefined);
      setMessage(error, OFFLINE);
      return;
    }
    net.reportReachable();
    if (response.status === 404 && conversationId) { // the conversation was deleted elsewhere
      conversationId = null;
      loadedFor = null;
      log.replaceChildren();
      remember();
      setMessage(error, "That conversation no longer exists. Send again to start a new one.");
      return;
    }
    const details = Array.isArray(problem.errors) ? problem.errors.map((e) => e.message).filter(Boolean) : [];
    setMessage(error, problem.detail || details.join(" ") || problem.title || `Something went wrong (${response.status}).`);
  }

  // ---------- reading the answer ----------

  function renderAction({ tool, arguments: args, result }) {
    const failed = result && typeof result === "object" && "error" in result;
    return h("li", { class: `assistant__action${failed ? " assistant__action--failed" : ""}` }, describe(tool, args, result, failed));
  }

  /** "Related: A, B": the source tasks whose title is known, from the list or from the actions. */
  function renderSources(ids, actions) {
    const titles = new Map();
    for (const { result } of actions) {
      for (const task of [result, ...(Array.isArray(result?.tasks) ? result.tasks : [])]) {
        if (task?.id && task.title) titles.set(task.id, task.title);
      }
    }
    const box = h("p", { class: "assistant__sources" });
    const links = [];
    for (const id of new Set(ids)) {
      const title = rowOf(id)?.querySelector(".task__title")?.textContent ?? titles.get(id);
      if (title) links.push(h("button", { type: "button", class: "link assistant__source", onclick: () => showTask(id, title) }, title));
    }
    if (!links.length) return box;
    box.append("Related: ", ...links.flatMap((link, i) => (i ? [", ", link] : [link])));
    return box;
  }

  /** Brings a task of the list into view, flashing it, with focus on its title. */
  function showTask(id, title) {
    const row = rowOf(id);
    if (!row) { toast(`“${title}” isn’t in the list as it is shown now.`); return; }
    if (PHONE.matches) close({ focus: false });
    row.scrollIntoView({ block: "center", behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
    row.classList.remove("is-new");
    void row.offsetWidth; // restart the flash
    row.classList.add("is-new");
    row.querySelector(".task__title")?.focus({ preventScroll: true });
  }

  /** Stops any reply, closes the panel and clears what is on screen. */
  function reset() {
    stop();
    close({ focus: false, save: false });
    log.replaceChildren();
    setMessage(error, "");
    input.value = "";
    conversationId = null;
    loadedFor = undefined;
  }

  return {
    /** After logging in (or a reload): pick up the conversation this tab had, and the panel. */
    start() {
      reset();
      const saved = recall();
      conversationId = saved?.conversationId ?? null;
      if (saved?.open) open();
    },
    /** Leaving the app; `forget` drops the conversation too (it is kept when a session expires). */
    stop({ forget = false } = {}) {
      reset();
      if (forget) sessionStorage.removeItem(KEY);
    },
  };
}

const rowOf = (id) => document.querySelector(`#task-list > li[data-id="${CSS.escape(id)}"]`);

const VERB = {
  add_task: "add a task", update_task: "change a task", complete_task: "complete a task",
  delete_task: "delete a task", list_tasks: "list tasks", search_tasks: "search tasks",
};

/** One short line for one tool call: "Added task “Call mum”", or why it was refused. */
function describe(tool, args, result, failed) {
  if (failed) {
    const detail = result.detail || result.error;
    return VERB[tool] ? `Couldn’t ${VERB[tool]}: ${detail}` : `Couldn’t run “${tool}”: ${detail}`;
  }
  const title = result?.title ? `“${result.title}”` : "a task";
  switch (tool) {
    case "add_task": return `Added task ${title}`;
    case "update_task": return `Updated ${title}`;
    case "complete_task": return result?.completed === false ? `Reopened ${title}` : `Completed ${title}`;
    case "delete_task": return `Deleted ${title}`;
    case "list_tasks": return `Looked through ${count(result)}`;
    case "search_tasks": return `Searched for “${args?.query ?? ""}”: ${count(result)}`;
    default: return `Ran “${tool}”`;
  }
}

function count(result) {
  const n = Array.isArray(result?.tasks) ? result.tasks.length : 0;
  return `${n}${result?.more ? "+" : ""} task${n === 1 && !result?.more ? "" : "s"}`;
}

/** The Server-Sent Events of a response body: {event, data} with data parsed as JSON. */
async function* readEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      // Line ends may be CRLF or CR; a CR at the end may be half of a CRLF, so it waits.
      buffer += value;
      const held = buffer.endsWith("\r") ? "\r" : "";
      buffer = buffer.slice(0, buffer.length - held.length).replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = parseFrame(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (frame) yield frame;
      }
      buffer += held;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

function parseFrame(text) {
  let event = "message";
  const data = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith(":")) continue; // comments keep the connection alive
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (!data.length) return null;
  try {
    return { event, data: JSON.parse(data.join("\n")) };
  } catch {
    return null;
  }
}
