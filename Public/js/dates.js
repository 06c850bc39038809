// Due dates in the person's own time zone: badges ("Overdue", "Today 17:00", "Tomorrow"),
// and the date + time inputs turned into an RFC 3339 instant and back.
//
// A due date without a time means "some time that day": it is stored as 23:59 local time,
// so the task becomes overdue only when the day is over, and shown without a time.

const pad = (n) => String(n).padStart(2, "0");

export function startOfDay(date = new Date()) {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate());
}

export function addDays(date, days) {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + days, date.getHours(), date.getMinutes());
}

const isEndOfDay = (d) => d.getHours() === 23 && d.getMinutes() === 59;

/** {date: "2026-11-21", time: "17:00" or ""} for the inputs. */
export function toInputs(iso) {
  if (!iso) return { date: "", time: "" };
  const d = new Date(iso);
  return {
    date: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
    time: isEndOfDay(d) ? "" : `${pad(d.getHours())}:${pad(d.getMinutes())}`,
  };
}

/** The instant for a local date and optional time; null without a date; undefined if invalid. */
export function fromInputs(date, time) {
  if (!date) return null;
  const [y, m, d] = date.split("-").map(Number);
  const [hh, mm] = time ? time.split(":").map(Number) : [23, 59];
  const when = new Date(y, m - 1, d, hh, mm, 0, 0);
  return Number.isNaN(when.getTime()) ? undefined : when.toISOString();
}

/** "overdue", "today", "soon" (tomorrow) or "later". */
export function dueState(task, now = new Date()) {
  if (!task.due_at) return null;
  const due = new Date(task.due_at);
  if (!task.completed && due < now) return "overdue";
  const today = startOfDay(now);
  const day = startOfDay(due);
  if (day.getTime() === today.getTime()) return "today";
  if (day.getTime() === addDays(today, 1).getTime()) return "soon";
  return "later";
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const weekdayFormat = new Intl.DateTimeFormat(undefined, { weekday: "short" });
const dateFormat = new Intl.DateTimeFormat(undefined, { weekday: "short", month: "short", day: "numeric" });
const yearFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", year: "numeric" });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" });

/** A short, human label for a due date: "Today 17:00", "Tomorrow", "Fri", "Mon, Nov 3". */
export function dueLabel(iso, now = new Date()) {
  const due = new Date(iso);
  const time = isEndOfDay(due) ? "" : ` ${timeFormat.format(due)}`;
  const days = Math.round((startOfDay(due) - startOfDay(now)) / 86_400_000);
  if (days === 0) return `Today${time}`;
  if (days === 1) return `Tomorrow${time}`;
  if (days === -1) return `Yesterday${time}`;
  if (days > 1 && days < 7) return `${weekdayFormat.format(due)}${time}`;
  if (due.getFullYear() !== now.getFullYear()) return `${yearFormat.format(due)}${time}`;
  return `${dateFormat.format(due)}${time}`;
}

export const fullLabel = (iso) => fullFormat.format(new Date(iso));
