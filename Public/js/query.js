// What the list shows: filters and sort as API query parameters, and the same rules applied
// to one task in the browser, so that a live event can be placed without a refetch.

import { startOfDay, addDays } from "./dates.js";

export const DEFAULT_FILTERS = Object.freeze({
  status: "open", priority: "", due: "", tags: [], q: "", sort: "created_at:desc",
});

const RANK = { none: 0, low: 1, medium: 2, high: 3 };

/** Due windows in local time: [after, before] (exclusive), or overdue. */
function dueWindow(due, now = new Date()) {
  const today = startOfDay(now);
  if (due === "today") return { after: new Date(today.getTime() - 1), before: addDays(today, 1) };
  if (due === "week") return { after: new Date(today.getTime() - 1), before: addDays(today, 7) };
  return null;
}

export function toParams(filters, { limit = 50, cursor } = {}) {
  const params = new URLSearchParams();
  if (filters.status !== "all") params.set("status", filters.status);
  if (filters.priority) params.set("priority", filters.priority);
  for (const tag of filters.tags) params.append("tag", tag);
  if (filters.q.trim()) params.set("q", filters.q.trim());
  if (filters.due === "overdue") params.set("overdue", "true");
  const window = dueWindow(filters.due);
  if (window) {
    params.set("due_after", window.after.toISOString());
    params.set("due_before", window.before.toISOString());
  }
  if (filters.sort !== "relevance") {
    const [sort, order] = filters.sort.split(":");
    params.set("sort", sort);
    params.set("order", order);
  }
  params.set("limit", String(limit));
  if (cursor) params.set("cursor", cursor);
  return params;
}

const words = (text) => (text.toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "").match(/[\p{L}\p{N}]+/gu) ?? []);

/** Whether a task belongs in the list under these filters (the search is approximated). */
export function matches(task, filters, now = new Date()) {
  if (filters.status === "open" && task.completed) return false;
  if (filters.status === "completed" && !task.completed) return false;
  if (filters.priority && task.priority !== filters.priority) return false;
  if (filters.tags.some((tag) => !task.tags.includes(tag))) return false;
  if (filters.due === "overdue" && (task.completed || !task.due_at || new Date(task.due_at) >= now)) return false;
  const window = dueWindow(filters.due, now);
  if (window) {
    if (!task.due_at) return false;
    const due = new Date(task.due_at);
    if (!(due > window.after && due < window.before)) return false;
  }
  const query = words(filters.q);
  if (query.length) {
    const have = words(`${task.title} ${task.description} ${task.tags.join(" ")}`);
    if (!query.every((w) => have.some((h) => h.startsWith(w)))) return false;
  }
  return true;
}

/** A comparator in the list's order, or null for relevance (which only the server knows). */
export function comparator(filters) {
  if (filters.sort === "relevance") return null;
  const [sort, order] = filters.sort.split(":");
  const dir = order === "asc" ? 1 : -1;
  const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  const key = {
    created_at: (t) => t.created_at,
    updated_at: (t) => t.updated_at,
    due_at: (t) => t.due_at,
    priority: (t) => RANK[t.priority] ?? 0,
    title: (t) => t.title.toLowerCase(),
  }[sort];
  return (a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (sort === "due_at" && (ka === null || kb === null)) {
      if (ka === kb) return dir * cmp(a.id, b.id);
      return ka === null ? 1 : -1; // no due date: last, in either order
    }
    return dir * (cmp(ka, kb) || cmp(a.id, b.id));
  };
}

export function isFiltered(filters) {
  return filters.status !== DEFAULT_FILTERS.status || filters.priority || filters.due || filters.tags.length || filters.q.trim();
}
