// Live updates over the WebSocket /api/live. Reconnects by itself with exponential backoff
// and jitter, resumes with ?since=<last event id> so that nothing is missed while it was
// away, and reports its state to a quiet indicator in the header.
//
//   const live = createLive({ onEvent, onResync, onUnauthorized, onState });
//   live.start(token); … live.stop();
//
// onResync() is called when the list must be fetched afresh: on the first connection (no
// event id known yet) and when the server answers {"type":"reset"}.

import { socketUrl } from "./config.js";
import { checkNow, reportReachable } from "./connectivity.js";

export function createLive({ onEvent, onResync, onUnauthorized, onState }) {
  let socket = null;
  let token = null;
  let lastId = null;
  let attempt = 0;
  let timer = null;
  let running = false;

  function setState(state) {
    onState?.(state);
  }

  function connect() {
    clearTimeout(timer);
    if (!running) return;
    const since = lastId === null ? "" : `&since=${lastId}`;
    const ws = new WebSocket(socketUrl(`/api/live?access_token=${encodeURIComponent(token)}${since}`));
    socket = ws;
    setState("connecting");
    ws.onopen = () => {
      if (ws !== socket) return;
      attempt = 0;
      setState("live");
      reportReachable();
      if (lastId === null) onResync();
    };
    ws.onmessage = (message) => {
      if (ws !== socket) return;
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      if (event.type === "reset") {
        lastId = null;
        onResync();
        return;
      }
      if (typeof event.id === "number") {
        if (lastId !== null && event.id <= lastId) return; // already applied
        lastId = event.id;
      }
      onEvent(event);
    };
    ws.onclose = (close) => {
      if (ws !== socket) return;
      socket = null;
      if (!running) return;
      if (close.code === 4401) {
        running = false;
        setState("offline");
        onUnauthorized?.();
        return;
      }
      if (close.code === 4400) lastId = null; // a bad since: start afresh
      if (close.code !== 1000) checkNow(); // is it the server, or just this socket?
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    attempt += 1;
    setState(attempt > 2 ? "offline" : "connecting");
    const base = Math.min(30_000, 500 * 2 ** Math.min(attempt - 1, 6));
    const delay = Math.round(base * (0.5 + Math.random() * 0.5)); // "full-ish" jitter: spread reconnects
    clearTimeout(timer);
    timer = setTimeout(connect, delay);
  }

  /** Drops the current socket and connects again now (the network came back, the tab woke up). */
  function reconnectNow() {
    if (!running) return;
    if (socket && socket.readyState <= WebSocket.OPEN) return;
    attempt = 0;
    connect();
  }

  addEventListener("online", reconnectNow);
  addEventListener("offline", () => {
    if (!running || !socket) return;
    const ws = socket;
    socket = null;
    ws.close();
    scheduleReconnect();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") reconnectNow();
  });

  return {
    start(newToken) {
      running = true;
      token = newToken;
      lastId = null;
      attempt = 0;
      connect();
    },
    stop() {
      running = false;
      clearTimeout(timer);
      const ws = socket;
      socket = null;
      ws?.close(1000, "bye");
      setState("offline");
    },
    reconnectNow,
    get connected() {
      return socket?.readyState === WebSocket.OPEN;
    },
  };
}
