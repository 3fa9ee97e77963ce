// A layer as the form holds it (strings as typed), and back to the API's body. Shaping only: the
// API validates and resolves rotations.
import { ProblemError } from "../../../api/problem";
import { isoDate, toLocalInput } from "../../../time";
import type { Layer, Schedule, ScheduleBody } from "../../../api/scheduleEditor";

export type Frequency = Layer["frequency"];

export interface DraftRestriction {
  weekdays: number[];
  start: string; // "HH:MM"
  end: string;
}

export interface DraftLayer {
  /** Stable React key across reorders. */
  key: string;
  name: string;
  frequency: Frequency;
  interval: string;
  rrule: string;
  hourlyClock: "" | "wall" | "elapsed";
  /** Hand-off: local date-time in the schedule's zone ("YYYY-MM-DDTHH:MM"). */
  start: string;
  /** User ids in turn; "" is a gap slot. */
  participants: string[];
  restrictions: DraftRestriction[];
  effectiveFrom: string | null;
  /** "YYYY-MM-DDTHH:MM" in the viewer's zone, or "" (no end). */
  until: string;
}

let counter = 0;
const nextKey = () => `layer-${++counter}`;

export function fromLayer(layer: Layer): DraftLayer {
  return {
    key: nextKey(),
    name: layer.name,
    frequency: layer.frequency,
    interval: String(layer.interval),
    rrule: layer.rrule ?? "",
    hourlyClock: layer.hourly_clock ?? "",
    start: layer.start.slice(0, 16),
    participants: [...layer.participants],
    restrictions: layer.restrictions.map((r) => ({ weekdays: [...r.weekdays].sort(), start: r.start.slice(0, 5), end: r.end.slice(0, 5) })),
    effectiveFrom: layer.effective_from,
    until: layer.effective_until ? toLocalInput(new Date(layer.effective_until)) : "",
  };
}

/** A new weekly layer handing off at 09:00 today in the schedule's zone. */
export function newLayer(n: number, zone: string): DraftLayer {
  const today = isoDate(new Date(), zone);
  return {
    key: nextKey(),
    name: `Layer ${n}`,
    frequency: "weekly",
    interval: "1",
    rrule: "",
    hourlyClock: "",
    start: `${today}T09:00`,
    participants: [],
    restrictions: [],
    effectiveFrom: null,
    until: "",
  };
}

function toLayer(d: DraftLayer): Layer {
  const until = d.until ? new Date(d.until) : null;
  return {
    name: d.name,
    frequency: d.frequency,
    // Sent as typed: a blank or non-number comes back as the API's message on the field.
    interval: d.interval.trim() === "" ? (null as unknown as number) : Number(d.interval),
    rrule: d.frequency === "rrule" ? d.rrule : null,
    hourly_clock: d.frequency === "hourly" && d.hourlyClock ? d.hourlyClock : null,
    start: d.start.length === 16 ? `${d.start}:00` : d.start,
    participants: d.participants,
    restrictions: d.restrictions.map((r) => ({ weekdays: r.weekdays, start: r.start, end: r.end })),
    effective_from: d.effectiveFrom,
    effective_until: until && !Number.isNaN(until.getTime()) ? until.toISOString() : null,
  };
}

export function toBody(schedule: Schedule, layers: DraftLayer[]): ScheduleBody {
  return {
    name: schedule.name,
    team_id: schedule.team_id,
    time_zone: schedule.time_zone,
    external_id: schedule.external_id,
    layers: layers.map(toLayer),
  };
}

/** The API's message for exactly this field (not its children): a layer-wide rule. */
export function exactMessage(error: unknown, field: string): string | undefined {
  if (!(error instanceof ProblemError)) return undefined;
  return error.problem.errors?.find((e) => e.field === field)?.message;
}
