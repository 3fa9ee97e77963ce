// Timeline geometry: where an instant sits on a track. Everything is placed by real UTC instants,
// so a 23-hour DST day is narrower than a 24-hour one and a 25-hour day wider. Presentation only:
// who is on call always comes from the API.

export type RangeKind = "day" | "week" | "month";

const HOUR = 3_600_000;

interface LocalParts {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  minute: number;
  weekday: number; // 0 = Monday .. 6 = Sunday
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      weekday: "short",
    });
    formatters.set(zone, f);
  }
  return f;
}

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** The wall-clock reading of `at` in `zone`. */
export function localParts(at: Date, zone: string): LocalParts {
  const p: Record<string, string> = {};
  for (const part of partsFormatter(zone).formatToParts(at)) p[part.type] = part.value;
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
    minute: Number(p.minute),
    weekday: WEEKDAYS.indexOf(p.weekday ?? ""),
  };
}

/** The zone's offset from UTC at `at`, in milliseconds. */
function offset(at: number, zone: string): number {
  const p = localParts(new Date(at), zone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return wall - Math.floor(at / 60_000) * 60_000;
}

/** The instant a calendar day starts in `zone` (month 1..12; day may overflow, Date.UTC-style). */
export function startOfDay(year: number, month: number, day: number, zone: string): Date {
  const wall = Date.UTC(year, month - 1, day);
  // Two passes settle the offset next to a change; a midnight that does not exist (a zone
  // springing forward at 00:00) lands on the first instant after it.
  let guess = wall - offset(wall, zone);
  guess = wall - offset(guess, zone);
  return new Date(guess);
}

/** The local date of `at` in `zone` as a day number (days since 1970-01-01), for day arithmetic. */
function dayNumber(at: Date, zone: string): number {
  const p = localParts(at, zone);
  return Math.round(Date.UTC(p.year, p.month - 1, p.day) / (24 * HOUR));
}

function fromDayNumber(n: number, zone: string): Date {
  const d = new Date(n * 24 * HOUR);
  return startOfDay(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), zone);
}

/** The day, week (Monday first) or month containing `anchor`, as instants in `zone`. */
export function rangeAround(kind: RangeKind, anchor: Date, zone: string): { start: Date; end: Date } {
  const n = dayNumber(anchor, zone);
  if (kind === "day") return { start: fromDayNumber(n, zone), end: fromDayNumber(n + 1, zone) };
  if (kind === "week") {
    const monday = n - localParts(anchor, zone).weekday;
    return { start: fromDayNumber(monday, zone), end: fromDayNumber(monday + 7, zone) };
  }
  const p = localParts(anchor, zone);
  return { start: startOfDay(p.year, p.month, 1, zone), end: startOfDay(p.year, p.month + 1, 1, zone) };
}

/** An anchor one range before (-1) or after (+1) `anchor`. */
export function shiftAnchor(kind: RangeKind, anchor: Date, step: -1 | 1, zone: string): Date {
  const p = localParts(anchor, zone);
  if (kind === "month") return startOfDay(p.year, p.month + step, 1, zone);
  const days = kind === "week" ? 7 : 1;
  return fromDayNumber(dayNumber(anchor, zone) + step * days, zone);
}

export interface DaySlot {
  start: Date;
  end: Date;
  /** Real hours in the day: 23 or 25 on a DST change. */
  hours: number;
  /** Left edge and width as fractions of the range. */
  left: number;
  width: number;
}

/** Every local day in [start, end), placed by its real length. */
export function daySlots(start: Date, end: Date, zone: string): DaySlot[] {
  const out: DaySlot[] = [];
  const total = end.getTime() - start.getTime();
  for (let n = dayNumber(start, zone); ; n++) {
    const a = fromDayNumber(n, zone);
    if (a.getTime() >= end.getTime()) break;
    const b = fromDayNumber(n + 1, zone);
    const from = Math.max(a.getTime(), start.getTime());
    const to = Math.min(b.getTime(), end.getTime());
    out.push({
      start: a,
      end: b,
      hours: Math.round((b.getTime() - a.getTime()) / HOUR),
      left: (from - start.getTime()) / total,
      width: (to - from) / total,
    });
  }
  return out;
}

/** Left edge and width (fractions of the range) of [from, to) clipped to [start, end). */
export function place(from: Date, to: Date, start: Date, end: Date): { left: number; width: number } {
  const total = end.getTime() - start.getTime();
  const a = Math.max(from.getTime(), start.getTime());
  const b = Math.min(to.getTime(), end.getTime());
  return { left: (a - start.getTime()) / total, width: Math.max(0, b - a) / total };
}

/** The instant at fraction `x` of the range, rounded to `stepMinutes` (for drag selection). */
export function instantAt(x: number, start: Date, end: Date, stepMinutes = 30): Date {
  const t = start.getTime() + Math.min(1, Math.max(0, x)) * (end.getTime() - start.getTime());
  const step = stepMinutes * 60_000;
  return new Date(Math.round(t / step) * step);
}
