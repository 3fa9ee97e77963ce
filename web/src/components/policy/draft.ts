// The editor's draft of a policy and its shaping into the API's body. Numbers stay as typed
// (strings) until sent, so a bad value reaches the server and comes back as its own message on
// the field, instead of being coerced or judged here.
import type { Policy, PolicyBody, PolicyStep, StepType } from "../../api/policies";
import { fieldMessage } from "../../api/problem";

type Importance = "default" | "important";

export interface DraftRange {
  key: string;
  weekdays: number[];
  start: string;
  end: string;
}

export type DraftStep = { key: string } & (
  | { type: "notify_users"; user_ids: string[]; importance: Importance; multi_ack: boolean }
  | { type: "notify_schedule"; schedule_id: string; which: "current" | "next" | "previous"; importance: Importance; multi_ack: boolean }
  | { type: "notify_team"; team_id: string; importance: Importance; multi_ack: boolean }
  | { type: "notify_round_robin"; team_id: string; importance: Importance }
  | { type: "post_to_channel"; channel_id: string }
  | { type: "call_webhook"; webhook_id: string }
  | { type: "wait"; minutes: string }
  | { type: "time_window"; timezone: string; ranges: DraftRange[]; outside: "stop" | "wait" }
  | { type: "alert_count"; threshold: string; window_minutes: string }
  | { type: "repeat"; times: string }
  | { type: "resolve" }
);

export interface Draft {
  name: string;
  team_id: string;
  /** Empty: acknowledgements never time out. */
  ack_timeout_minutes: string;
  source_acks_count: boolean;
  external_id: string | null;
  steps: DraftStep[];
}

/** Every step type the engine has, in the order the "Add step" menu offers them. */
export const STEP_LABELS: Record<StepType, string> = {
  notify_users: "Notify people",
  notify_schedule: "Notify who is on call (schedule)",
  notify_team: "Notify a team",
  notify_round_robin: "Notify a team member in turn (round-robin)",
  wait: "Wait",
  time_window: "Continue only in time windows",
  alert_count: "Continue only if alerts keep coming",
  repeat: "Repeat from the first step",
  post_to_channel: "Post to a Teams channel",
  call_webhook: "Call an outgoing webhook",
  resolve: "Resolve the incident",
};
export const STEP_TYPES = Object.keys(STEP_LABELS) as StepType[];

let counter = 0;
/** A key for React lists that survives reordering (steps have no ids of their own). */
export const newKey = (): string => `k${++counter}`;

export function newRange(): DraftRange {
  return { key: newKey(), weekdays: [0, 1, 2, 3, 4], start: "09:00", end: "17:00" };
}

export function newStep(type: StepType, defaults: { teamId?: string; zone?: string } = {}): DraftStep {
  const key = newKey();
  switch (type) {
    case "notify_users":
      return { key, type, user_ids: [], importance: "default", multi_ack: false };
    case "notify_schedule":
      return { key, type, schedule_id: "", which: "current", importance: "default", multi_ack: false };
    case "notify_team":
      return { key, type, team_id: defaults.teamId ?? "", importance: "default", multi_ack: false };
    case "notify_round_robin":
      return { key, type, team_id: defaults.teamId ?? "", importance: "default" };
    case "post_to_channel":
      return { key, type, channel_id: "" };
    case "call_webhook":
      return { key, type, webhook_id: "" };
    case "wait":
      return { key, type, minutes: "5" };
    case "time_window":
      return { key, type, timezone: defaults.zone ?? "UTC", ranges: [newRange()], outside: "stop" };
    case "alert_count":
      return { key, type, threshold: "1", window_minutes: "10" };
    case "repeat":
      return { key, type, times: "1" };
    case "resolve":
      return { key, type };
  }
}

export function emptyDraft(teamId = ""): Draft {
  return { name: "", team_id: teamId, ack_timeout_minutes: "", source_acks_count: false, external_id: null, steps: [newStep("notify_users")] };
}

const text = (n: number | null | undefined): string => (n === null || n === undefined ? "" : String(n));
// The API answers times as HH:MM:SS; the time inputs edit HH:MM.
const hhmm = (t: string): string => t.slice(0, 5);

function fromStep(step: PolicyStep): DraftStep {
  const key = newKey();
  switch (step.type) {
    case "notify_users":
      return { key, type: step.type, user_ids: [...step.user_ids], importance: step.importance ?? "default", multi_ack: !!step.multi_ack };
    case "notify_schedule":
      return { key, type: step.type, schedule_id: step.schedule_id, which: step.which ?? "current", importance: step.importance ?? "default", multi_ack: !!step.multi_ack };
    case "notify_team":
      return { key, type: step.type, team_id: step.team_id, importance: step.importance ?? "default", multi_ack: !!step.multi_ack };
    case "notify_round_robin":
      return { key, type: step.type, team_id: step.team_id, importance: step.importance ?? "default" };
    case "post_to_channel":
      return { key, type: step.type, channel_id: step.channel_id };
    case "call_webhook":
      return { key, type: step.type, webhook_id: step.webhook_id };
    case "wait":
      return { key, type: step.type, minutes: text(step.minutes) };
    case "time_window":
      return {
        key,
        type: step.type,
        timezone: step.timezone,
        outside: step.outside ?? "stop",
        ranges: step.ranges.map((r) => ({ key: newKey(), weekdays: [...(r.weekdays ?? [])].sort(), start: hhmm(r.start), end: hhmm(r.end) })),
      };
    case "alert_count":
      return { key, type: step.type, threshold: text(step.threshold), window_minutes: text(step.window_minutes) };
    case "repeat":
      return { key, type: step.type, times: text(step.times) };
    case "resolve":
      return { key, type: step.type };
  }
}

/** A saved policy (or one of its versions) as an editable draft. */
export function fromPolicy(policy: Policy): Draft {
  return {
    name: policy.name,
    team_id: policy.team_id,
    ack_timeout_minutes: text(policy.ack_timeout_minutes),
    source_acks_count: policy.source_acks_count,
    external_id: policy.external_id,
    steps: policy.steps.map(fromStep),
  };
}

/** A typed number as the API gets it: a number, null when empty (the server says it is
 * required), or the text itself when it is not a number (the server says why). */
function num(value: string): number {
  const t = value.trim();
  if (t === "") return null as unknown as number;
  const n = Number(t);
  return (Number.isNaN(n) ? t : n) as number;
}

function toStep(step: DraftStep): PolicyStep {
  switch (step.type) {
    case "notify_users":
      return { type: step.type, user_ids: step.user_ids, importance: step.importance, multi_ack: step.multi_ack };
    case "notify_schedule":
      return { type: step.type, schedule_id: step.schedule_id, which: step.which, importance: step.importance, multi_ack: step.multi_ack };
    case "notify_team":
      return { type: step.type, team_id: step.team_id, importance: step.importance, multi_ack: step.multi_ack };
    case "notify_round_robin":
      return { type: step.type, team_id: step.team_id, importance: step.importance };
    case "post_to_channel":
      return { type: step.type, channel_id: step.channel_id.trim() };
    case "call_webhook":
      return { type: step.type, webhook_id: step.webhook_id };
    case "wait":
      return { type: step.type, minutes: num(step.minutes) };
    case "time_window":
      return {
        type: step.type,
        timezone: step.timezone.trim(),
        outside: step.outside,
        ranges: step.ranges.map((r) => ({ weekdays: [...r.weekdays].sort(), start: r.start, end: r.end })),
      };
    case "alert_count":
      return { type: step.type, threshold: num(step.threshold), window_minutes: num(step.window_minutes) };
    case "repeat":
      return { type: step.type, times: num(step.times) };
    case "resolve":
      return { type: step.type };
  }
}

/** The draft as PUT / POST / preview take it. */
export function toBody(draft: Draft): PolicyBody {
  return {
    name: draft.name.trim(),
    team_id: draft.team_id,
    ack_timeout_minutes: draft.ack_timeout_minutes.trim() === "" ? null : num(draft.ack_timeout_minutes),
    source_acks_count: draft.source_acks_count,
    external_id: draft.external_id,
    steps: draft.steps.map(toStep),
  };
}

/** The server's message for one field of step `index`. Body validation names the step's type in
 * the path (`steps.0.wait.minutes`); the reference checks do not (`steps.0.schedule_id`). */
export function stepMessage(error: unknown, index: number, type: StepType, field: string): string | undefined {
  return fieldMessage(error, `steps.${index}.${type}.${field}`) ?? fieldMessage(error, `steps.${index}.${field}`);
}

/** Move the step at `from` by `by` places (−1 up, +1 down); unchanged at either end. */
export function moveStep<T>(steps: T[], from: number, by: number): T[] {
  const to = from + by;
  if (to < 0 || to >= steps.length) return steps;
  const next = [...steps];
  next.splice(to, 0, ...next.splice(from, 1));
  return next;
}
