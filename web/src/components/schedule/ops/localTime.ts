// datetime-local inputs hold a wall-clock time without a zone: the viewer's. The API wants RFC 3339
// with an offset, so the viewer's offset at that instant is written out (not "Z": the request then
// reads as what the person typed).

const pad = (n: number) => String(Math.abs(n)).padStart(2, "0");

/** A Date as the value of an `<input type="datetime-local">` in the viewer's zone. */
export function toLocalInput(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value (viewer's zone) as RFC 3339 with the viewer's offset; null if empty or invalid. */
export function localInputToIso(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return null;
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return `${toLocalInput(d)}:${pad(d.getSeconds())}${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}

/** The next whole hour from `now`, and an hour after it: the form's starting range. */
export function nextHour(now: Date = new Date()): { start: Date; end: Date } {
  const start = new Date(now);
  start.setMinutes(0, 0, 0);
  start.setHours(start.getHours() + 1);
  return { start, end: new Date(start.getTime() + 3_600_000) };
}
