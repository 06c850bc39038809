// Small DOM helpers: element creation, lookups, debouncing, screen-reader announcements and
// validation messages shown next to their fields.

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

/** h("button", {class: "x", onclick: fn}, "text", child) — attributes, properties and events. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key in el && !key.includes("-") && key !== "list" && key !== "type") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";
/** An inline icon from a list of SVG path strings (24x24 unless told otherwise). */
export function icon(paths, viewBox = "0 0 20 20") {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", viewBox);
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  for (const d of paths) {
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", d);
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", "currentColor");
    path.setAttribute("stroke-width", "1.8");
    path.setAttribute("stroke-linecap", "round");
    path.setAttribute("stroke-linejoin", "round");
    svg.append(path);
  }
  return svg;
}

export function debounce(fn, ms) {
  let timer;
  const debounced = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  debounced.cancel = () => clearTimeout(timer);
  return debounced;
}

/** Says something to screen-reader users without moving focus. */
export function announce(message) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  // A fresh text node after a tick makes repeated messages be read again.
  setTimeout(() => { region.textContent = message; }, 30);
}

/**
 * Shows validation messages next to their fields. `fields` maps an API field name (as in a
 * problem's `errors[].field`, without any `[index]`) to {input, error} elements. Returns the
 * messages that matched no field, so the caller can show them in a general place.
 */
export function showFieldErrors(fields, errors) {
  clearFieldErrors(fields);
  const unmatched = [];
  let first = null;
  for (const { field, message } of errors) {
    const name = String(field || "").replace(/\[\d+\]$/, "").split(".")[0];
    const target = fields[name];
    if (!target) { unmatched.push(field ? `${field} ${message}` : message); continue; }
    const text = sentence(message, target.label);
    target.error.textContent = target.error.hidden ? text : `${target.error.textContent} ${text}`;
    target.error.hidden = false;
    target.input?.setAttribute("aria-invalid", "true");
    first ??= target.input;
  }
  first?.focus();
  return unmatched;
}

export function clearFieldErrors(fields) {
  for (const { input, error } of Object.values(fields)) {
    error.hidden = true;
    error.textContent = "";
    input?.removeAttribute("aria-invalid");
  }
}

/** "must not be empty" + "Title" -> "Title must not be empty." */
function sentence(message, label) {
  let text = String(message).trim();
  if (label && /^(must|is|should|cannot|can't|does|has|may)\b/i.test(text)) text = `${label} ${text}`;
  text = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** Shows a message in an element that is hidden when empty. */
export function setMessage(el, message) {
  el.textContent = message || "";
  el.hidden = !message;
}
