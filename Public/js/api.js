// Every call to the REST API goes through api(): bearer token, JSON bodies, problem details
// turned into ApiError, a 401 sent back to the login screen, and an unreachable server
// (network failure or 503) waited out and retried — except for POST, whose retry could
// create something twice, unless the caller sends an Idempotency-Key and asks for `retry`;
// otherwise the caller shows the error and keeps what was typed.

import { API_BASE } from "./config.js";
import { token } from "./session.js";
import * as net from "./connectivity.js";

export class ApiError extends Error {
  constructor(status, problem = {}) {
    super(problem.detail || problem.title || `Something went wrong (${status}).`);
    this.status = status;
    this.code = problem.code || (status ? `http_${status}` : "network");
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    this.retryAfter = problem.retryAfter;
  }
}

let unauthorizedHandler = () => {};
/** fn(error) runs when the API says the session is no longer valid. */
export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

const OFFLINE = "Can’t reach Punchlist right now. Check your connection; nothing was lost.";

export async function api(method, path, options = {}) {
  const { body, auth = true, retry = method !== "POST", headers = {}, keepalive = false } = options;
  for (;;) {
    const init = { method, keepalive, headers: { Accept: "application/json", ...headers } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    if (auth) {
      const bearer = token();
      if (!bearer) {
        const error = new ApiError(401, { code: "unauthorized", detail: "Please log in again." });
        unauthorizedHandler(error);
        throw error;
      }
      init.headers.Authorization = `Bearer ${bearer}`;
    }

    let response;
    try {
      response = await fetch(API_BASE + path, init);
    } catch {
      net.reportUnreachable();
      if (!retry) throw new ApiError(0, { code: "network", detail: OFFLINE });
      await net.whenReachable();
      continue;
    }
    if (response.status === 503) {
      net.reportUnreachable(Number(response.headers.get("Retry-After")) || undefined);
      if (!retry) throw new ApiError(503, { code: "unavailable", detail: OFFLINE });
      await net.whenReachable();
      continue;
    }
    net.reportReachable();
    if (response.status === 204) return null;
    const data = await readBody(response);
    if (response.ok) return data;
    const problem = data && typeof data === "object" ? data : {};
    problem.retryAfter = Number(response.headers.get("Retry-After")) || undefined;
    const error = new ApiError(response.status, problem);
    if (response.status === 401 && auth) unauthorizedHandler(error);
    throw error;
  }
}

/** A fresh Idempotency-Key for one create: 128 random bits in hex. (crypto.randomUUID would
 * need a secure context, which a server reached over plain HTTP on a LAN is not.) */
export function newKey() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function readBody(response) {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text.slice(0, 200) };
  }
}

/** A readable sentence for an error that is not about one field. */
export function explain(error) {
  if (!(error instanceof ApiError)) return "Something went wrong. Please try again.";
  switch (error.code) {
    case "rate_limited":
      return `Too many attempts. Try again in ${error.retryAfter ?? 60} seconds.`;
    case "version_mismatch":
      return "This task was changed somewhere else; the latest version is shown.";
    case "not_found":
      return "That task no longer exists.";
    default:
      return error.message;
  }
}
