// "2 overdue · 1 due today" above the list, counted by the server (open tasks only), so the
// urgent ones are obvious even when they are not on the loaded page. Each count is a button
// that filters the list to those tasks.

import { $, h, debounce } from "./dom.js";
import { api } from "./api.js";
import { startOfDay, addDays } from "./dates.js";

const LIMIT = 100;

export function createGlance(filters) {
  const box = $("#summary");
  let generation = 0;

  async function count(params) {
    const page = await api("GET", `/api/tasks?${params}&limit=${LIMIT}`, { retry: false });
    return page.next_cursor ? `${LIMIT}+` : String(page.items.length);
  }

  async function refresh() {
    const gen = ++generation;
    const today = startOfDay();
    const now = new Date();
    try {
      const [overdue, dueToday] = await Promise.all([
        count("overdue=true"),
        count(new URLSearchParams({
          status: "open", due_after: new Date(Math.max(now.getTime(), today.getTime()) - 1).toISOString(),
          due_before: addDays(today, 1).toISOString(),
        })),
      ]);
      if (gen !== generation) return;
      const parts = [];
      if (overdue !== "0") parts.push(h("button", { type: "button", class: "glance glance--overdue", onclick: () => filters.set({ due: "overdue" }) }, `${overdue} overdue`));
      if (dueToday !== "0") parts.push(h("button", { type: "button", class: "glance glance--today", onclick: () => filters.set({ due: "today" }) }, `${dueToday} due later today`));
      box.replaceChildren(...parts.flatMap((p, i) => (i ? [" · ", p] : [p])));
      if (!parts.length) box.replaceChildren();
    } catch {
      // Counts are a nicety: the list itself reports errors.
    }
  }

  return { refresh, refreshSoon: debounce(refresh, 600), clear: () => { generation += 1; box.replaceChildren(); } };
}
