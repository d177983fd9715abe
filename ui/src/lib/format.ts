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

const DAY_NAMES: Record<string, string> = { MO: "Mon", TU: "Tue", WE: "Wed", TH: "Thu", FR: "Fri", SA: "Sat", SU: "Sun" };
const UNITS: Record<string, string> = { HOURLY: "hour", DAILY: "day", WEEKLY: "week", MONTHLY: "month", YEARLY: "year" };

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${["th", "st", "nd", "rd"][n % 10] ?? "th"}`;
}

/** "every 2 weeks on Mon, Thu" for an RRULE; the rule itself where it says more than that. */
export function repeatLabel(rule: string): string {
  const parts = Object.fromEntries(rule.split(";").map((p) => p.split("=") as [string, string]));
  const unit = UNITS[parts.FREQ ?? ""];
  const known = ["FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY"];
  if (!unit || Object.keys(parts).some((k) => !known.includes(k))) return rule;
  const n = Number(parts.INTERVAL ?? "1");
  let out = n > 1 ? `every ${n} ${unit}s` : `every ${unit}`;
  const days = parts.BYDAY?.split(",") ?? [];
  if (days.join(",") === "MO,TU,WE,TH,FR" && n === 1) out = "every weekday";
  else if (days.length) out += ` on ${days.map((d) => DAY_NAMES[d] ?? d).join(", ")}`;
  if (parts.BYMONTHDAY) out += ` on the ${ordinal(Number(parts.BYMONTHDAY))}`;
  return out;
}
