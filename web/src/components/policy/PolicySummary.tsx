// A policy read-only, step by step in words (a saved version, before restoring it).
import { Body1, makeStyles, tokens } from "@fluentui/react-components";
import type { Policy, PolicyStep } from "../../api/policies";
import { STEP_LABELS } from "./draft";

const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

const useStyles = makeStyles({
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
  wrap: { overflowWrap: "anywhere" },
});

function extras(step: PolicyStep): string {
  if (!("importance" in step)) return "";
  const multi = "multi_ack" in step && step.multi_ack ? ", multi-ack" : "";
  return step.importance === "important" ? ` (important${multi})` : multi ? ` (${multi.slice(2)})` : "";
}

export function describeStep(step: PolicyStep, name: (id: string) => string): string {
  switch (step.type) {
    case "notify_users":
      return `Notify ${step.user_ids.map(name).join(", ")}${extras(step)}`;
    case "notify_schedule": {
      const which = step.which === "next" ? "next on call" : step.which === "previous" ? "previously on call" : "on call";
      return `Notify who is ${which} in ${name(step.schedule_id)}${extras(step)}`;
    }
    case "notify_team":
      return `Notify team ${name(step.team_id)}${extras(step)}`;
    case "notify_round_robin":
      return `Notify one member of ${name(step.team_id)} in turn${extras(step)}`;
    case "post_to_channel":
      return `Post to channel ${step.channel_id}`;
    case "call_webhook":
      return `Call webhook ${name(step.webhook_id)}`;
    case "wait":
      return `Wait ${step.minutes} min`;
    case "time_window": {
      const ranges = step.ranges
        .map((r) => `${(r.weekdays ?? []).map((d) => DAYS[d]).join(" ")} ${r.start.slice(0, 5)}–${r.end.slice(0, 5)}`)
        .join("; ");
      return `Only ${ranges} (${step.timezone}); outside: ${step.outside === "wait" ? "wait for the window" : "stop"}`;
    }
    case "alert_count":
      return `Only if more than ${step.threshold} alert(s) in ${step.window_minutes} min`;
    case "repeat":
      return `Repeat from step 1, ${step.times} time(s)`;
    case "resolve":
      return STEP_LABELS.resolve;
  }
}

export function PolicySummary({ policy, name }: { policy: Policy; name: (id: string) => string }) {
  const s = useStyles();
  return (
    <>
      <Body1 as="p">
        Team {name(policy.team_id)}; acknowledgements{" "}
        {policy.ack_timeout_minutes ? `time out after ${policy.ack_timeout_minutes} min` : "never time out"}; a monitoring tool's
        acknowledgement {policy.source_acks_count ? "stops" : "does not stop"} paging.
      </Body1>
      <ol className={s.list} aria-label={`Steps of version ${policy.version}`}>
        {policy.steps.map((step, i) => (
          <li key={i} className={s.wrap}>
            {describeStep(step, name)}
          </li>
        ))}
      </ol>
    </>
  );
}
