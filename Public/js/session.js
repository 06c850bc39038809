// The signed-in session, kept in localStorage so that every tab (and a reload) shares it.
//
// Trade-off: a token in localStorage can be read by any script running on this origin, so an
// XSS hole would leak it; an HttpOnly cookie could not be read, but the API takes bearer
// tokens (also from other origins, where cookies would need CSRF defences). We keep the
// token in localStorage and close the XSS door instead: a strict CSP (scripts from this
// origin only, no inline code) and text-only DOM updates (never innerHTML with data).

const KEY = "punchlist.session";
const DRAFT_KEY = "punchlist.draft";

export function loadSession() {
  try {
    const session = JSON.parse(localStorage.getItem(KEY));
    if (!session?.access_token) return null;
    if (session.expires_at && Date.parse(session.expires_at) <= Date.now()) return null;
    return session;
  } catch {
    return null;
  }
}

export function saveSession(session) {
  localStorage.setItem(KEY, JSON.stringify({
    access_token: session.access_token,
    expires_at: session.expires_at,
    user: session.user,
  }));
}

export function updateUser(user) {
  const session = loadSession();
  if (session) saveSession({ ...session, user });
}

export function clearSession() {
  localStorage.removeItem(KEY);
}

export const token = () => loadSession()?.access_token ?? null;

/** Calls fn(session or null) when another tab logs in or out. */
export function onSessionChange(fn) {
  addEventListener("storage", (event) => {
    if (event.key === KEY || event.key === null) fn(loadSession());
  });
}

// What is being typed in the quick-add form survives an expired session (and a reload) in
// sessionStorage, tagged with the user so that it is never shown to someone else.

export function saveDraft(userId, draft) {
  const empty = !draft.title && !draft.tags && !draft.date;
  if (empty) sessionStorage.removeItem(DRAFT_KEY);
  else sessionStorage.setItem(DRAFT_KEY, JSON.stringify({ userId, draft }));
}

export function loadDraft(userId) {
  try {
    const saved = JSON.parse(sessionStorage.getItem(DRAFT_KEY));
    return saved && saved.userId === userId ? saved.draft : null;
  } catch {
    return null;
  }
}

export function clearDraft() {
  sessionStorage.removeItem(DRAFT_KEY);
}
