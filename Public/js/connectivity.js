// Whether the API answers. When a request cannot get through, a quiet banner says so, the
// server is probed with backoff (and at once when the browser comes back online or the
// person presses "Retry now"), and everything waiting on it resumes when it answers.

import { API_BASE } from "./config.js";

const banner = () => document.getElementById("offline-banner");
let down = false;
let attempt = 0;
let timer = null;
let countdown = null;
let waiters = [];
const listeners = [];

export const isDown = () => down;

/** fn() runs each time the server is reachable again after being down. */
export function onReachable(fn) {
  listeners.push(fn);
}

export function whenReachable() {
  return down ? new Promise((resolve) => waiters.push(resolve)) : Promise.resolve();
}

export function reportUnreachable(retryAfterSeconds) {
  if (down) return;
  down = true;
  attempt = 0;
  banner().hidden = false;
  schedule(retryAfterSeconds);
}

export function reportReachable() {
  if (!down) return;
  down = false;
  clearTimeout(timer);
  clearInterval(countdown);
  banner().hidden = true;
  const resume = waiters;
  waiters = [];
  resume.forEach((resolve) => resolve());
  listeners.forEach((fn) => fn());
}

function schedule(seconds) {
  clearTimeout(timer);
  clearInterval(countdown);
  attempt += 1;
  const base = seconds ? seconds * 1000 : Math.min(30_000, 1000 * 2 ** Math.min(attempt - 1, 5));
  const delay = Math.round(base * (0.75 + Math.random() * 0.5));
  const due = Date.now() + delay;
  const text = document.getElementById("offline-text");
  const tick = () => {
    const left = Math.max(0, Math.ceil((due - Date.now()) / 1000));
    text.textContent = left > 0 ? `Can’t reach Punchlist. Retrying in ${left} s…` : "Can’t reach Punchlist. Retrying…";
  };
  tick();
  countdown = setInterval(tick, 1000);
  timer = setTimeout(probe, delay);
}

async function probe() {
  clearTimeout(timer);
  try {
    // /ready, not /health: it also says whether the database answers.
    const response = await fetch(`${API_BASE}/ready`, { cache: "no-store" });
    if (response.ok) return reportReachable();
    if (down) schedule(Number(response.headers.get("Retry-After")) || undefined);
  } catch {
    if (down) schedule();
  }
}

/** Asks the server now (a live connection dropped, say): the banner shows only if it is down. */
export async function checkNow() {
  if (down) return;
  try {
    const response = await fetch(`${API_BASE}/ready`, { cache: "no-store" });
    if (response.status === 503) reportUnreachable(Number(response.headers.get("Retry-After")) || undefined);
  } catch {
    reportUnreachable();
  }
}

export function initConnectivity() {
  document.getElementById("offline-retry").addEventListener("click", () => {
    document.getElementById("offline-text").textContent = "Can’t reach Punchlist. Retrying…";
    probe();
  });
  addEventListener("online", () => { if (down) probe(); });
}
