// The filter bar: status, priority, due window, tag chips, search (as you type, debounced)
// and sort. Calls onChange(filters) whenever what the list should show changes.

import { $, h, debounce } from "./dom.js";
import { DEFAULT_FILTERS, isFiltered } from "./query.js";

export function createFilters(onChange) {
  let filters = { ...DEFAULT_FILTERS, tags: [] };
  const known = new Map(); // tag -> how many loaded tasks carry it
  const search = $("#search");
  const sort = $("#sort");
  const relevance = sort.querySelector('option[value="relevance"]');
  const tagBar = $("#tag-filter");
  const clear = $("#clear-filters");

  function set(changes) {
    filters = { ...filters, ...changes };
    sync();
    onChange(filters);
  }

  function sync() {
    for (const radio of document.querySelectorAll('input[name="status"]')) radio.checked = radio.value === filters.status;
    $("#filter-priority").value = filters.priority;
    $("#filter-due").value = filters.due;
    const searching = filters.q.trim() !== "";
    relevance.hidden = !searching;
    relevance.disabled = !searching;
    sort.value = filters.sort;
    if (search.value.trim() !== filters.q.trim()) search.value = filters.q;
    clear.hidden = !isFiltered(filters);
    renderTags();
  }

  function renderTags() {
    const selected = new Set(filters.tags);
    const tags = [...new Set([...filters.tags, ...[...known.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([t]) => t)])].slice(0, 24);
    tagBar.replaceChildren(...tags.map((tag) => h("button", {
      type: "button", class: "chip", "aria-pressed": String(selected.has(tag)),
      "aria-label": `Tag ${tag}`, onclick: () => toggleTag(tag),
    }, tag)));
    tagBar.hidden = tags.length === 0;
  }

  function toggleTag(tag) {
    const tags = filters.tags.includes(tag) ? filters.tags.filter((t) => t !== tag) : [...filters.tags, tag];
    set({ tags });
  }

  const searchChanged = debounce(() => {
    const q = search.value;
    let sortValue = filters.sort;
    if (q.trim() && filters.sort === DEFAULT_FILTERS.sort) sortValue = "relevance";
    if (!q.trim() && filters.sort === "relevance") sortValue = DEFAULT_FILTERS.sort;
    set({ q, sort: sortValue });
  }, 200);

  document.querySelectorAll('input[name="status"]').forEach((radio) =>
    radio.addEventListener("change", () => radio.checked && set({ status: radio.value })));
  $("#filter-priority").addEventListener("change", (e) => set({ priority: e.target.value }));
  $("#filter-due").addEventListener("change", (e) => set({ due: e.target.value }));
  sort.addEventListener("change", () => set({ sort: sort.value }));
  search.addEventListener("input", searchChanged);
  search.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && search.value) {
      search.value = "";
      searchChanged();
    }
  });
  clear.addEventListener("click", () => {
    searchChanged.cancel();
    set({ ...DEFAULT_FILTERS, tags: [], sort: filters.sort === "relevance" ? DEFAULT_FILTERS.sort : filters.sort });
    search.focus();
  });

  sync();
  return {
    get current() { return filters; },
    toggleTag,
    set,
    /** Remembers the tags of loaded tasks for the chips. */
    noteTags(tasks) {
      let changed = false;
      for (const task of tasks) {
        for (const tag of task.tags) {
          if (!known.has(tag)) changed = true;
          known.set(tag, (known.get(tag) ?? 0) + 1);
        }
      }
      if (changed) renderTags();
    },
    reset() {
      known.clear();
      filters = { ...DEFAULT_FILTERS, tags: [] };
      search.value = "";
      sync();
    },
  };
}
