// The quick-add form: type, press Enter. Words like #home become tags and !high sets the
// priority; the controls below set the rest. What is typed is kept as a draft in
// sessionStorage, so an expired session or a reload does not lose it.

import { $, showFieldErrors, clearFieldErrors, setMessage } from "./dom.js";
import { explain, newKey } from "./api.js";
import { fromInputs } from "./dates.js";
import { saveDraft, loadDraft, clearDraft } from "./session.js";
import { parseTags } from "./taskrow.js";

const PRIORITY_WORDS = { "!high": "high", "!h": "high", "!1": "high", "!medium": "medium", "!med": "medium", "!m": "medium", "!2": "medium", "!low": "low", "!l": "low", "!3": "low" };

/** "Pay rent #home !high" -> {title: "Pay rent", tags: ["home"], priority: "high"} */
export function parseQuick(text) {
  const tags = [];
  let priority = null;
  const kept = [];
  for (const word of text.trim().split(/\s+/)) {
    const lower = word.toLowerCase();
    if (/^#[\p{L}][\p{L}\p{N}_\-/.]*$/u.test(word)) tags.push(lower.slice(1));
    else if (PRIORITY_WORDS[lower]) priority = PRIORITY_WORDS[lower];
    else kept.push(word);
  }
  return { title: kept.join(" "), tags, priority };
}

export function createQuickAdd({ tasks, userId }) {
  const form = $("#quick-add");
  const el = {
    title: $("#qa-title"), priority: $("#qa-priority"), date: $("#qa-date"), time: $("#qa-time"),
    tags: $("#qa-tags"), recurrence: $("#qa-recurrence"),
  };
  const general = $("#qa-error");
  const fields = {
    title: { input: el.title, error: $("#qa-title-error"), label: "Title" },
    due_at: { input: el.date, error: $("#qa-due-error"), label: "Due date" },
    tags: { input: el.tags, error: $("#qa-tags-error"), label: "Tags" },
    recurrence: { input: el.recurrence, error: $("#qa-recurrence-error"), label: "Repeat" },
  };
  let busy = false;
  // The create being sent, kept with the draft: {key, body}. A reload in the middle sends the same
  // body again with the same Idempotency-Key, so a first attempt that was written is not doubled.
  let pending = null;

  const read = () => ({
    title: el.title.value, priority: el.priority.value, date: el.date.value, time: el.time.value,
    tags: el.tags.value, recurrence: el.recurrence.value,
  });
  const remember = () => {
    const d = read();
    form.classList.toggle("has-options", Boolean(d.date || d.time || d.tags || d.recurrence || d.priority !== "none"));
    if (userId()) saveDraft(userId(), pending ? { ...d, pending } : d);
  };

  function fill(draft) {
    el.title.value = draft.title ?? "";
    el.priority.value = draft.priority || "none";
    el.date.value = draft.date ?? "";
    el.time.value = draft.time ?? "";
    el.tags.value = draft.tags ?? "";
    el.recurrence.value = draft.recurrence ?? "";
    form.classList.toggle("has-options", Boolean(draft.date || draft.time || draft.tags || draft.recurrence || (draft.priority && draft.priority !== "none")));
  }

  function reset() {
    fill({});
    clearFieldErrors(fields);
    setMessage(general, "");
    pending = null;
    clearDraft();
  }

  const more = $("#qa-more");
  more.addEventListener("click", () => {
    const open = !form.classList.contains("is-expanded");
    form.classList.toggle("is-expanded", open);
    more.setAttribute("aria-expanded", String(open));
    if (open) el.priority.focus();
  });

  form.addEventListener("input", remember);
  form.addEventListener("change", remember);
  // Repeating needs a due date to know when the next one is: default to today.
  el.recurrence.addEventListener("change", () => {
    if (el.recurrence.value && !el.date.value) el.date.value = todayInput();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) {
      setMessage(general, "Still adding the task before this one: it goes in as soon as Punchlist answers.");
      return;
    }
    clearFieldErrors(fields);
    setMessage(general, "");
    const parsed = parseQuick(el.title.value);
    if (!parsed.title) {
      showFieldErrors(fields, [{ field: "title", message: "Type what needs doing first" }]);
      return;
    }
    const dueAt = fromInputs(el.date.value, el.time.value);
    if (dueAt === undefined) {
      showFieldErrors(fields, [{ field: "due_at", message: "That date isn’t valid" }]);
      return;
    }
    const priority = parsed.priority ?? el.priority.value;
    const body = {
      title: parsed.title,
      priority,
      tags: [...new Set([...parseTags(el.tags.value), ...parsed.tags])],
      due_at: dueAt,
      recurrence: el.recurrence.value || null,
    };
    const sent = JSON.stringify(body);
    if (pending?.body !== sent) pending = { key: newKey(), body: sent };
    const typed = JSON.stringify(read());
    remember();
    busy = true;
    form.setAttribute("aria-busy", "true");
    try {
      await tasks.add(body, pending.key);
      if (JSON.stringify(read()) === typed) {
        // Keep the options for a run of similar tasks? No: a fresh start is less surprising.
        reset();
        el.title.focus();
      } else {
        // Typed on while it waited for the server: keep that, for its own Enter.
        pending = null;
        setMessage(general, "");
        remember();
      }
    } catch (error) {
      if (error.status === 401) return; // back to login; the draft is kept
      const rest = showFieldErrors(fields, error.errors ?? []);
      if (rest.length || !error.errors?.length) setMessage(general, rest.length ? `Couldn’t add the task: ${rest.join(" ")}` : `Couldn’t add the task. ${explain(error)}`);
      if (!error.errors?.length) el.title.focus();
    } finally {
      busy = false;
      form.removeAttribute("aria-busy");
    }
  });

  return {
    restore() {
      const draft = loadDraft(userId());
      fill(draft ?? {});
      pending = draft?.pending ?? null;
      return Boolean(draft?.title);
    },
    remember,
    reset,
    focus: () => el.title.focus(),
  };
}

function todayInput() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}
