// The task list: the first page and infinite scroll over the API's cursor (50 a page, an
// IntersectionObserver near the end), live events placed in order without a refetch, and
// the actions of a row (complete, rename, edit, delete with undo).
//
// Delete with undo: the row goes at once, but the DELETE is sent only when the "Undo" toast
// expires (6 s), is dismissed, or the page is hidden (with keepalive). Undo therefore brings
// back the very same task — id, creation time, place in the list, version — instead of a
// copy made by a new POST; the price is that other devices see the deletion those seconds later.

import { $, h, announce, debounce } from "./dom.js";
import { api, explain, newKey } from "./api.js";
import { toParams, matches, comparator, isFiltered } from "./query.js";
import { renderRow } from "./taskrow.js";
import { toast } from "./toast.js";

const PAGE = 50;
const UNDO_MS = 6000;

export function createTaskList({ filters, isLive, onChanged }) {
  const list = $("#task-list");
  const empty = $("#empty");
  const status = $("#list-status");
  const sentinel = $("#sentinel");

  let items = [];                  // the loaded tasks, in display order
  const rows = new Map();          // id -> <li>
  let cursor = null;
  let loading = false;
  let loaded = false;
  let generation = 0;              // bumps on every fresh load; stale answers are dropped
  let buffered = null;             // live events that arrive while the first page loads
  const editing = new Set();       // rows with an open editor: not re-rendered under the person's hands
  const dirty = new Set();         // ... but re-rendered when the editor closes
  const pendingDeletes = new Map();// id -> {task, toast}
  const settling = new Set();       // just ticked here: fade out rather than vanish
  let sentinelVisible = false;

  const actions = {
    toggle: (task, done) => toggle(task.id, done),
    save: (task, patch) => save(task.id, patch),
    remove: (task) => remove(task.id),
    filterTag: (tag) => filters.toggleTag(tag),
    editing: (id, on) => {
      if (on) return editing.add(id);
      editing.delete(id);
      if (dirty.delete(id)) {
        const task = find(id);
        if (task) place(task, { force: true });
      }
    },
  };

  const indexOf = (id) => items.findIndex((t) => t.id === id);
  const find = (id) => items[indexOf(id)] ?? null;

  // ---------- loading ----------

  async function reload() {
    const gen = ++generation;
    loading = true;
    buffered = [];
    if (!items.length) setStatus("Loading your tasks…");
    try {
      const page = await api("GET", `/api/tasks?${toParams(filters.current, { limit: PAGE })}`);
      if (gen !== generation) return;
      items = page.items.filter((t) => !pendingDeletes.has(t.id));
      cursor = page.next_cursor;
      loaded = true;
      filters.noteTags(items);
      renderAll();
      const events = buffered;
      buffered = null;
      events.forEach(applyOne);
    } catch (error) {
      if (gen === generation) showLoadError(error, reload);
    } finally {
      if (gen === generation) {
        loading = false;
        buffered = null;
        footer();
        queueMicrotask(maybeLoadMore);
      }
    }
  }

  async function loadMore() {
    if (loading || !cursor) return;
    const gen = generation;
    loading = true;
    setStatus("Loading more…");
    try {
      const page = await api("GET", `/api/tasks?${toParams(filters.current, { limit: PAGE, cursor })}`);
      if (gen !== generation) return;
      cursor = page.next_cursor;
      const fresh = page.items.filter((t) => !rows.has(t.id) && !pendingDeletes.has(t.id));
      filters.noteTags(fresh);
      const fragment = document.createDocumentFragment();
      for (const task of fresh) {
        items.push(task);
        fragment.append(makeRow(task));
      }
      list.append(fragment);
    } catch (error) {
      if (gen === generation) showLoadError(error, loadMore);
    } finally {
      if (gen === generation) {
        loading = false;
        footer();
        requestAnimationFrame(maybeLoadMore);
      }
    }
  }

  function maybeLoadMore() {
    if (!sentinelVisible || loading || !cursor) return;
    // The observer's answer may predate the rows just added: look again.
    if (sentinel.getBoundingClientRect().top > innerHeight + 800) return;
    loadMore();
  }

  new IntersectionObserver((entries) => {
    sentinelVisible = entries.some((e) => e.isIntersecting);
    maybeLoadMore();
  }, { rootMargin: "800px 0px" }).observe(sentinel);

  function showLoadError(error, retry) {
    status.replaceChildren(`Couldn’t load tasks: ${explain(error)} `,
      h("button", { type: "button", class: "link", onclick: retry }, "Try again"));
  }

  const setStatus = (text) => status.replaceChildren(text);

  function footer() {
    if (loading) return;
    setStatus(cursor ? "" : items.length > PAGE ? "That’s everything." : "");
    const none = loaded && items.length === 0;
    empty.hidden = !none;
    if (none) {
      const f = filters.current;
      const [title, text] = isFiltered(f)
        ? ["No matching tasks", "Try another search or filter, or clear the filters."]
        : f.status === "completed" ? ["Nothing completed yet", "Tick a task off and it shows up here."]
        : ["All clear", "Add a task above. It appears on your other devices as you press Enter."];
      $("#empty-title").textContent = title;
      $("#empty-text").textContent = text;
    }
  }

  // ---------- rendering ----------

  function makeRow(task) {
    const li = renderRow(task, actions);
    rows.set(task.id, li);
    return li;
  }

  function renderAll() {
    const fragment = document.createDocumentFragment();
    const keep = new Map();
    for (const task of items) {
      const old = rows.get(task.id);
      if (old && editing.has(task.id)) { // keep an open editor as it is
        keep.set(task.id, old);
        dirty.add(task.id);
        fragment.append(old);
      } else {
        fragment.append(renderRow(task, actions));
      }
    }
    rows.clear();
    for (const li of fragment.children) rows.set(li.dataset.id, li);
    for (const id of editing) if (!keep.has(id)) editing.delete(id);
    list.replaceChildren(fragment);
    footer();
  }

  /** Puts a task where it belongs under the current filters and sort: insert, move, update or remove. */
  function place(task, { force = false, leaving = false } = {}) {
    const i = indexOf(task.id);
    const current = i >= 0 ? items[i] : null;
    if (current && !force && current.version >= task.version) return;
    if (pendingDeletes.has(task.id)) { pendingDeletes.get(task.id).task = task; return; }
    if (editing.has(task.id)) {
      if (current) items[i] = task;
      dirty.add(task.id);
      return;
    }
    const f = filters.current;
    if (!matches(task, f)) {
      if (current) drop(task.id, { leaving: leaving || settling.has(task.id) });
      return;
    }
    const cmp = comparator(f);
    if (!cmp) { // ranked by relevance: only the server knows where a new match goes
      if (current) { items[i] = task; swap(task, rows.get(task.id)); } else refreshSoon();
      return;
    }
    if (current) items.splice(i, 1);
    let j = items.findIndex((other) => cmp(task, other) < 0);
    if (j < 0) j = items.length;
    if (j === items.length && cursor) { // beyond what is loaded: paging will bring it
      if (current) removeRow(task.id);
      footer();
      return;
    }
    items.splice(j, 0, task);
    const old = rows.get(task.id);
    const next = items[j + 1] ? rows.get(items[j + 1].id) : null;
    const li = renderRow(task, actions);
    const focus = focusIndex(old);
    old?.remove();
    list.insertBefore(li, next && next.isConnected ? next : null);
    rows.set(task.id, li);
    if (focus >= 0) focusAt(li, focus);
    if (!current) li.classList.add("is-new");
    footer();
  }

  function swap(task, old) {
    const li = renderRow(task, actions);
    const focus = focusIndex(old);
    old.replaceWith(li);
    rows.set(task.id, li);
    if (focus >= 0) focusAt(li, focus);
  }

  const focusables = (li) => [...li.querySelectorAll("button, input, select, textarea")];
  function focusIndex(li) {
    if (!li || !li.contains(document.activeElement)) return -1;
    return Math.max(0, focusables(li).indexOf(document.activeElement));
  }
  function focusAt(li, index) {
    const all = focusables(li);
    (all[Math.min(index, all.length - 1)] ?? li.querySelector(".task__title"))?.focus();
  }

  /** Takes a task out of the list; focus moves to the next row (or the previous one). */
  function drop(id, { leaving = false } = {}) {
    const i = indexOf(id);
    if (i < 0) return;
    items.splice(i, 1);
    const li = rows.get(id);
    rows.delete(id);
    editing.delete(id);
    dirty.delete(id);
    if (!li) return;
    const focus = focusIndex(li);
    const neighbour = rows.get(items[i]?.id) ?? rows.get(items[i - 1]?.id);
    const finish = () => {
      if (!li.isConnected) return;
      const stillFocused = li.contains(document.activeElement);
      li.remove();
      if (focus >= 0 && (stillFocused || document.activeElement === document.body)) {
        if (neighbour?.isConnected) focusAt(neighbour, focus);
        else $("#qa-title").focus();
      }
      footer();
    };
    if (leaving) {
      li.classList.add("is-leaving");
      setTimeout(finish, 700);
    } else {
      finish();
    }
  }

  function removeRow(id) {
    rows.get(id)?.remove();
    rows.delete(id);
  }

  const refreshSoon = debounce(() => reload(), 300);

  // ---------- live events ----------

  // Events are applied in small batches; a burst (an import, a bulk change elsewhere) is one
  // refetch instead of hundreds of placements.
  let queue = [];
  function applyEvent(event) {
    if (buffered) { buffered.push(event); return; }
    queue.push(event);
    if (queue.length === 1) setTimeout(drain, 16);
  }

  function drain() {
    const batch = queue;
    queue = [];
    if (buffered) { buffered.push(...batch); return; }
    if (batch.length > 100) { reload(); onChanged?.(); return; }
    batch.forEach(applyOne);
  }

  function applyOne(event) {
    if (event.type === "task.deleted") {
      const pending = pendingDeletes.get(event.task_id);
      if (pending) { pendingDeletes.delete(event.task_id); pending.toast.dismiss(); }
      drop(event.task_id);
    } else if (event.task) {
      filters.noteTags([event.task]);
      place(event.task);
    }
    onChanged?.();
  }

  // ---------- actions ----------

  /** Creates a task. Sent again, with the same key, until the server answers: the key makes it one
   * task even when a first attempt was written but its answer lost (docs/DECISIONS.md). */
  async function add(body, key = newKey()) {
    const headers = { "Idempotency-Key": key };
    const task = await api("POST", "/api/tasks", { body, headers, retry: true });
    filters.noteTags([task]);
    place(task);
    onChanged?.();
    if (!matches(task, filters.current)) {
      toast(`Added “${task.title}” — hidden by the current filters.`);
    }
    announce(`Added ${task.title}.`);
    return task;
  }

  async function toggle(id, done) {
    const before = find(id);
    if (!before) return;
    rows.get(id)?.classList.toggle("is-done", done);
    settling.add(id);
    setTimeout(() => settling.delete(id), 2000);
    try {
      const task = await api("PATCH", `/api/tasks/${id}`, { body: { completed: done } });
      place(task, { leaving: true });
      announce(done ? `Completed ${task.title}.` : `Reopened ${task.title}.`);
      // Completing a recurring task creates the next one; the live stream brings it, or we look.
      if (done && task.recurrence && task.due_at && !isLive()) reload();
      onChanged?.();
    } catch (error) {
      const li = rows.get(id);
      if (li) {
        li.classList.toggle("is-done", before.completed);
        li.querySelector(".task__check").checked = before.completed;
      }
      if (error.status !== 401) toast(`Couldn’t update “${before.title}”: ${explain(error)}`);
    }
  }

  /** PATCH with If-Match; on a version clash, shows the latest and asks to look again. */
  async function save(id, patch) {
    const current = find(id);
    const headers = current ? { "If-Match": `"${current.version}"` } : {};
    try {
      const task = await api("PATCH", `/api/tasks/${id}`, { body: patch, headers });
      filters.noteTags([task]);
      place(task);
      onChanged?.();
      announce("Saved.");
      return task;
    } catch (error) {
      if (error.code === "version_mismatch") {
        const latest = await api("GET", `/api/tasks/${id}`).catch(() => null);
        if (latest) place(latest);
      }
      if (error.code === "not_found") drop(id);
      throw error;
    }
  }

  function remove(id) {
    const task = find(id);
    if (!task) return;
    drop(id);
    const entry = { task, toast: null };
    pendingDeletes.set(id, entry);
    entry.toast = toast(`Deleted “${task.title}”`, {
      action: "Undo", duration: UNDO_MS,
      onAction: () => undo(id),
      onExpire: () => commitDelete(id),
    });
    announce(`Deleted ${task.title}. Undo with Control Z.`);
    footer();
  }

  function undo(id) {
    const entry = pendingDeletes.get(id);
    if (!entry) return;
    pendingDeletes.delete(id);
    place(entry.task, { force: true });
    rows.get(id)?.querySelector(".task__title")?.focus();
    announce(`Restored ${entry.task.title}.`);
  }

  async function commitDelete(id, { keepalive = false } = {}) {
    const entry = pendingDeletes.get(id);
    if (!entry || entry.sending) return;
    entry.sending = true;
    try {
      await api("DELETE", `/api/tasks/${id}`, { keepalive });
    } catch (error) {
      if (error.status !== 404 && error.status !== 401) {
        pendingDeletes.delete(id);
        place(entry.task, { force: true });
        toast(`Couldn’t delete “${entry.task.title}”: ${explain(error)}`);
      }
    } finally {
      pendingDeletes.delete(id);
      onChanged?.();
    }
  }

  /** Sends every delete still waiting for its undo window (logout, page hidden). */
  function flushDeletes({ keepalive = false } = {}) {
    return Promise.all([...pendingDeletes.keys()].map((id) => {
      const entry = pendingDeletes.get(id);
      const sent = commitDelete(id, { keepalive });
      entry.toast.dismiss();
      return sent;
    }));
  }

  function undoLast() {
    const last = [...pendingDeletes.keys()].pop();
    if (!last) return false;
    pendingDeletes.get(last).toast.act();
    return true;
  }

  function clear() {
    generation += 1;
    queue = [];
    items = [];
    rows.clear();
    cursor = null;
    loaded = false;
    editing.clear();
    dirty.clear();
    list.replaceChildren();
    empty.hidden = true;
    setStatus("");
  }

  return { reload, applyEvent, add, flushDeletes, undoLast, clear, get items() { return items; } };
}
