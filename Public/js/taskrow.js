// One task in the list: checkbox, title (click or Enter to rename in place, Escape cancels),
// badges for due date, priority, recurrence and tags, and a details editor for the rest.

import { h, icon, showFieldErrors, setMessage } from "./dom.js";
import { dueState, dueLabel, fullLabel, toInputs, fromInputs } from "./dates.js";
import { explain } from "./api.js";

const ICONS = {
  clock: ["M10 17.5a7.5 7.5 0 1 0 0-15 7.5 7.5 0 0 0 0 15z", "M10 6v4l2.5 2"],
  repeat: ["M4 8a5 5 0 0 1 9-3l2 2", "M15 3v4h-4", "M16 12a5 5 0 0 1-9 3l-2-2", "M5 17v-4h4"],
  flag: ["M5 17.5V3.5", "M5 4h9l-2 3.5 2 3.5H5"],
  edit: ["M13.5 3.5l3 3L7 16H4v-3z", "M11.5 5.5l3 3"],
  trash: ["M4 6h12", "M8 6V4h4v2", "M6 6l1 10.5h6L14 6"],
};

const PRIORITY = { high: "High", medium: "Medium", low: "Low" };
const REPEAT = { daily: "Daily", weekly: "Weekly", monthly: "Monthly", yearly: "Yearly" };

export const parseTags = (text) => [...new Set(text.split(/[,\s]+/).map((t) => t.trim().replace(/^#/, "").toLowerCase()).filter(Boolean))];

/**
 * actions: toggle(task, done), save(task, patch) -> Promise<task> (throws ApiError),
 * remove(task), filterTag(tag), editing(id, bool).
 */
export function renderRow(task, actions) {
  const li = h("li", { class: "task", dataset: { id: task.id, priority: task.priority } });
  li.classList.toggle("is-done", task.completed);
  const check = h("input", {
    type: "checkbox", class: "task__check", checked: task.completed,
    "aria-label": `Done: ${task.title}`,
    onchange: () => actions.toggle(task, check.checked),
  });
  const title = h("button", { type: "button", class: "task__title", "aria-describedby": "rename-hint" }, task.title);
  title.addEventListener("click", () => renameInPlace(li, task, title, actions));
  const body = h("div", { class: "task__body" }, title);
  if (task.description) body.append(h("p", { class: "task__desc" }, task.description));
  body.append(meta(task, actions));
  const edit = h("button", {
    type: "button", class: "icon-button", "aria-label": `Edit details: ${task.title}`, "aria-expanded": "false",
    title: "Edit details", onclick: () => toggleEditor(li, task, edit, actions),
  }, icon(ICONS.edit));
  const remove = h("button", {
    type: "button", class: "icon-button icon-button--danger", "aria-label": `Delete: ${task.title}`,
    title: "Delete", onclick: () => actions.remove(task),
  }, icon(ICONS.trash));
  // The label around the checkbox is its touch target (44px on phones).
  li.append(h("label", { class: "task__hit" }, check), body, h("div", { class: "task__actions" }, edit, remove));
  return li;
}

function meta(task, actions) {
  const box = h("div", { class: "task__meta" });
  if (task.due_at) {
    const state = dueState(task);
    const cls = state === "overdue" ? "badge badge--overdue" : state === "today" ? "badge badge--today" : "badge";
    box.append(h("span", { class: cls, title: fullLabel(task.due_at) },
      icon(ICONS.clock),
      state === "overdue" ? "Overdue · " : "",
      h("time", { datetime: task.due_at }, dueLabel(task.due_at))));
  }
  if (PRIORITY[task.priority]) {
    box.append(h("span", { class: `badge badge--${task.priority}` }, icon(ICONS.flag), PRIORITY[task.priority],
      h("span", { class: "visually-hidden" }, " priority")));
  }
  if (task.recurrence) {
    box.append(h("span", { class: "badge", title: `Repeats ${task.recurrence}` }, icon(ICONS.repeat),
      h("span", { class: "visually-hidden" }, "Repeats "), REPEAT[task.recurrence] ?? task.recurrence));
  }
  for (const tag of task.tags) {
    box.append(h("button", { type: "button", class: "tag-chip", "aria-label": `Show tasks tagged ${tag}`, onclick: () => actions.filterTag(tag) }, `#${tag}`));
  }
  return box;
}

function renameInPlace(li, task, title, actions) {
  if (li.querySelector(".task__title-input")) return;
  const input = h("input", {
    type: "text", class: "task__title-input", value: task.title, maxLength: 500,
    "aria-label": "Task title", "aria-describedby": `err-title-${task.id}`,
  });
  const error = h("p", { class: "field-error", id: `err-title-${task.id}`, hidden: true });
  let done = false;
  actions.editing(task.id, true);
  const finish = () => {
    done = true;
    input.replaceWith(title);
    error.remove();
    actions.editing(task.id, false);
  };
  const commit = async () => {
    if (done) return;
    const value = input.value.trim();
    if (value === task.title) { finish(); title.focus(); return; }
    if (!value) {
      setMessage(error, "The title can’t be empty. Press Escape to keep the old one.");
      input.setAttribute("aria-invalid", "true");
      return;
    }
    done = true;
    input.readOnly = true; // not disabled: that would drop the keyboard focus
    try {
      await actions.save(task, { title: value });
      actions.editing(task.id, false); // the row is re-rendered with the saved task
    } catch (err) {
      done = false;
      input.readOnly = false;
      setMessage(error, err.errors?.find((e) => e.field === "title")?.message ?? explain(err));
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }
  };
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); commit(); }
    if (e.key === "Escape") { e.preventDefault(); finish(); title.focus(); }
  });
  input.addEventListener("blur", () => { if (!done) commit(); });
  title.replaceWith(input);
  input.after(error);
  input.focus();
  input.select();
}

let uid = 0;

function toggleEditor(li, task, button, actions) {
  const open = li.querySelector(".editor");
  if (open) { open.cancel(); return; }
  const n = ++uid;
  const due = toInputs(task.due_at);
  const field = (label, control, wide = false) => {
    control.id = `ed-${control.name}-${n}`;
    const error = h("p", { class: "field-error", id: `ed-${control.name}-${n}-err`, hidden: true });
    control.setAttribute("aria-describedby", error.id);
    return { el: h("div", { class: `mini-field${wide ? " mini-field--wide" : ""}` }, h("label", { htmlFor: control.id }, label), control, error), input: control, error, label };
  };
  const select = (name, value, options) => h("select", { name }, ...options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)));
  const f = {
    title: field("Title", h("input", { type: "text", name: "title", value: task.title, maxLength: 500 }), true),
    description: field("Notes", h("textarea", { name: "description", value: task.description, rows: 2 }), true),
    priority: field("Priority", select("priority", task.priority, [["none", "None"], ["low", "Low"], ["medium", "Medium"], ["high", "High"]])),
    date: field("Due date", h("input", { type: "date", name: "date", value: due.date })),
    time: field("Time", h("input", { type: "time", name: "time", value: due.time })),
    recurrence: field("Repeat", select("recurrence", task.recurrence ?? "", [["", "Never"], ["daily", "Daily"], ["weekly", "Weekly"], ["monthly", "Monthly"], ["yearly", "Yearly"]])),
    tags: field("Tags", h("input", { type: "text", name: "tags", value: task.tags.join(", "), placeholder: "home, errands" }), true),
  };
  const general = h("p", { class: "form-error", role: "alert", hidden: true });
  const save = h("button", { type: "submit", class: "btn btn--primary btn--small" }, "Save");
  const cancelButton = h("button", { type: "button", class: "btn btn--small" }, "Cancel");
  const form = h("form", { class: "editor", novalidate: true, "aria-label": `Edit ${task.title}` },
    h("div", { class: "editor__grid" }, ...Object.values(f).map((x) => x.el)),
    general,
    h("div", { class: "editor__buttons" }, cancelButton, save));
  const close = () => {
    form.remove();
    button.setAttribute("aria-expanded", "false");
    actions.editing(task.id, false);
  };
  form.cancel = () => { close(); button.focus(); };
  cancelButton.addEventListener("click", form.cancel);
  form.addEventListener("keydown", (e) => { if (e.key === "Escape") { e.preventDefault(); form.cancel(); } });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const dueAt = fromInputs(f.date.input.value, f.time.input.value);
    const errorFields = { title: f.title, description: f.description, priority: f.priority, due_at: f.date, recurrence: f.recurrence, tags: f.tags };
    if (dueAt === undefined) {
      showFieldErrors(errorFields, [{ field: "due_at", message: "is not a valid date" }]);
      return;
    }
    const patch = {
      title: f.title.input.value, description: f.description.input.value, priority: f.priority.input.value,
      due_at: dueAt, recurrence: f.recurrence.input.value || null, tags: parseTags(f.tags.input.value),
    };
    save.disabled = true;
    setMessage(general, "");
    try {
      await actions.save(task, patch);
      close();
    } catch (err) {
      save.disabled = false;
      const rest = showFieldErrors(errorFields, err.errors ?? []);
      if (rest.length || !err.errors?.length) setMessage(general, rest.length ? rest.join(" ") : explain(err));
    }
  });
  actions.editing(task.id, true);
  li.append(form);
  button.setAttribute("aria-expanded", "true");
  f.title.input.focus();
}
