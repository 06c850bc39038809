// Small notices at the bottom of the screen, optionally with one action ("Undo"). They stay
// while the pointer or keyboard focus is on them, then expire.

import { $, h, icon } from "./dom.js";

/**
 * toast("Deleted “x”", {action: "Undo", onAction, onExpire, duration: 6000})
 * returns {dismiss()} — onExpire runs when the toast goes away without its action.
 */
export function toast(message, { action, onAction, onExpire, duration = 4000 } = {}) {
  const box = $("#toasts");
  let timer = null;
  let closed = false;
  const el = h("div", { class: "toast" }, h("span", { class: "toast__text" }, message));
  const finish = (acted) => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    const hadFocus = el.contains(document.activeElement);
    el.remove();
    if (acted) onAction?.();
    else onExpire?.();
    if (hadFocus) document.getElementById("qa-title")?.focus();
  };
  if (action) {
    el.append(h("button", { type: "button", class: "toast__action", onclick: () => finish(true) }, action));
  }
  el.append(h("button", {
    type: "button", class: "icon-button toast__close", "aria-label": "Dismiss", onclick: () => finish(false),
  }, icon(["M5 5l10 10", "M15 5L5 15"])));
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => finish(false), duration);
  };
  const hold = () => clearTimeout(timer);
  el.addEventListener("mouseenter", hold);
  el.addEventListener("mouseleave", arm);
  el.addEventListener("focusin", hold);
  el.addEventListener("focusout", (e) => { if (!el.contains(e.relatedTarget)) arm(); });
  box.append(el);
  while (box.children.length > 3) box.firstElementChild.querySelector(".toast__close").click();
  arm();
  return { dismiss: () => finish(false), act: () => finish(true), get open() { return !closed; } };
}
