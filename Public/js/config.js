// The API's base URL, from Public/config.js (window.PUNCHLIST_API): "" is this page's origin.

export const API_BASE = String(window.PUNCHLIST_API ?? "").trim().replace(/\/+$/, "");

/** The WebSocket URL of an API path: ws(s):// on the API's host. */
export function socketUrl(path) {
  const base = API_BASE || location.origin;
  return base.replace(/^http/i, "ws") + path;
}
