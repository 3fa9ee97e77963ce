// How a shift is named to a person: in the viewer's zone, with the schedule's zone on hover.
import { formatTime } from "../../../time";
import type { RangeKind } from "./geometry";

const short = new Map<string, Intl.DateTimeFormat>();

/** "Mon 09:00" (day and week views) or "Mon 28 Mar 09:00" (month view), in `zone`. */
export function shortTime(at: Date, zone: string, kind: RangeKind): string {
  const key = `${zone}|${kind}`;
  let f = short.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone,
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      ...(kind === "month" ? { day: "numeric", month: "short" } : {}),
    });
    short.set(key, f);
  }
  return f.format(at).replace(",", "");
}

/** "Alice (demo), Mon 09:00 – Tue 09:00" */
export function shiftLabel(who: string, start: Date, end: Date, zone: string, kind: RangeKind): string {
  return `${who}, ${shortTime(start, zone, kind)} – ${shortTime(end, zone, kind)}`;
}

/** Both zones, for the title on hover. */
export function bothZones(start: Date, end: Date, viewer: string, scheduleZone: string): string {
  const mine = `${formatTime(start.toISOString(), viewer)} – ${formatTime(end.toISOString(), viewer)}`;
  if (viewer === scheduleZone) return mine;
  return `${mine}\nSchedule's zone: ${formatTime(start.toISOString(), scheduleZone)} – ${formatTime(end.toISOString(), scheduleZone)}`;
}
