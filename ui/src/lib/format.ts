// Dates as people read them, in the zone the server rendered them in.

/** The local calendar date of an RFC 3339 string or a bare date. */
export function dayOf(value: string): string {
  return value.slice(0, 10);
}

export function isDateOnly(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value);
}

/** "14:30" from an RFC 3339 time, as the server wrote it (the user's offset). */
export function timeOf(value: string): string {
  return isDateOnly(value) ? "" : value.slice(11, 16);
}

const weekday = new Intl.DateTimeFormat(undefined, { weekday: "short", month: "short", day: "numeric", timeZone: "UTC" });

/** "Mon, Mar 9" for a YYYY-MM-DD day. */
export function dayLabel(day: string): string {
  return weekday.format(new Date(`${day}T00:00:00Z`));
}

/** "Mar 9, 14:30" or "Mar 9" for a due date. */
export function whenLabel(value: string | null | undefined): string {
  if (!value) return "";
  const t = timeOf(value);
  return t ? `${dayLabel(dayOf(value))}, ${t}` : dayLabel(dayOf(value));
}

/** YYYY-MM-DD of `day` plus `n` days. */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The Monday on or before `day`. */
export function weekStart(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return addDays(day, -((d.getUTCDay() + 6) % 7));
}

/** The browser's local date, YYYY-MM-DD. */
export function localToday(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** The `±HH:MM` offset of an RFC 3339 string, or the browser's. */
export function offsetOf(value?: string | null): string {
  const m = value ? /([+-]\d{2}:\d{2}|Z)$/.exec(value) : null;
  if (m) return m[1] === "Z" ? "+00:00" : m[1];
  const minutes = -new Date().getTimezoneOffset();
  const sign = minutes >= 0 ? "+" : "-";
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}
