// Shaping between the API's rule sets (a flat list of notify and wait steps) and the editor's
// steps ("after N minutes, notify these contacts"). Only shape: what a rule set does is the
// server's preview, and what is valid is the server's 422.
import type { components } from "../../api/schema";

export type Rules = components["schemas"]["NotificationRules"];
export type RuleStep = Rules["default"][number];
export type RuleSetName = "default" | "important";
export type QuietHours = components["schemas"]["QuietHours"];
export type TimeRange = components["schemas"]["TimeRange"];

/** One editor step: wait `after` minutes after the previous step (the first goes out on arrival),
 * then notify every contact (method ids or kinds) at once. */
export interface DraftStep {
  after: number;
  contacts: string[];
}

export interface Draft {
  default: DraftStep[];
  important: DraftStep[];
  quietHours: QuietHours | null;
  notifyOnAcknowledged: boolean;
  notifyOnResolved: boolean;
}

/** Consecutive notify steps become one step; the waits before them its delay. */
export function toSteps(steps: readonly RuleStep[]): DraftStep[] {
  const out: DraftStep[] = [];
  let wait = 0;
  for (const step of steps) {
    if (step.type === "wait") {
      wait += step.minutes;
      continue;
    }
    const last = out[out.length - 1];
    if (last && wait === 0) last.contacts.push(step.contact);
    else out.push({ after: out.length === 0 ? 0 : wait, contacts: [step.contact] });
    wait = 0;
  }
  return out;
}

/** The API's list for editor steps, and for each editor step the indices of the list entries it
 * became (to put the server's `default.3.minutes` message on the right step). */
export function fromSteps(steps: readonly DraftStep[]): { rules: RuleStep[]; positions: number[][] } {
  const rules: RuleStep[] = [];
  const positions: number[][] = [];
  steps.forEach((step, n) => {
    const mine: number[] = [];
    // The first step goes out on arrival; a delay there would mean nothing to the delivery.
    if (n > 0 && step.after !== 0) {
      mine.push(rules.length);
      rules.push({ type: "wait", minutes: step.after });
    }
    for (const contact of step.contacts) {
      mine.push(rules.length);
      rules.push({ type: "notify", contact });
    }
    positions.push(mine);
  });
  return { rules, positions };
}

export function toDraft(rules: Rules): Draft {
  return {
    default: toSteps(rules.default ?? []),
    important: toSteps(rules.important ?? []),
    quietHours: rules.quiet_hours ?? null,
    notifyOnAcknowledged: rules.notify_on_acknowledged ?? false,
    notifyOnResolved: rules.notify_on_resolved ?? false,
  };
}

export function fromDraft(draft: Draft): Rules {
  return {
    default: fromSteps(draft.default).rules,
    important: fromSteps(draft.important).rules,
    quiet_hours: draft.quietHours,
    notify_on_acknowledged: draft.notifyOnAcknowledged,
    notify_on_resolved: draft.notifyOnResolved,
  };
}

/** The dotted paths of the server's messages that belong to editor step `n` of `set`. */
export function stepFields(draft: Draft, set: RuleSetName, n: number): string[] {
  return (fromSteps(draft[set]).positions[n] ?? []).map((i) => `${set}.${i}`);
}

export const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;

/** "22:00:00" -> "22:00" for a time input; the API accepts either. */
export const hhmm = (t: string) => t.slice(0, 5);
