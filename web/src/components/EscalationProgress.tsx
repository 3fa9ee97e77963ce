// Where the escalation is: its steps (the policy frozen when the incident opened), which one it is
// on, what fires next and when, and who was paged by which channel.
import { Badge, Body1, Caption1, makeStyles, tokens } from "@fluentui/react-components";
import type { components } from "../api/schema";
import { formatTime, relative } from "../time";
import { Empty } from "./States";

export type Progress = components["schemas"]["EscalationProgress"];

const STATE_TEXT: Record<Progress["state"], string> = {
  waiting: "Escalating",
  holding: "Stopped while acknowledged or snoozed",
  waiting_for_acks: "Waiting for acknowledgement",
  finished: "Stopped",
  not_paging: "Not paging",
};

const useStyles = makeStyles({
  box: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, overflowWrap: "anywhere" },
  steps: { margin: 0, paddingLeft: tokens.spacingHorizontalXL, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS },
  current: { fontWeight: tokens.fontWeightSemibold },
  pages: { listStyleType: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS },
});

export function EscalationProgress({ progress }: { progress: Progress }) {
  const s = useStyles();
  const next = progress.steps.find((st) => st.position === progress.next_step);
  return (
    <div className={s.box} data-state={progress.state}>
      <Body1>
        <Badge appearance="tint" color={progress.state === "finished" || progress.state === "not_paging" ? "subtle" : "warning"}>
          {STATE_TEXT[progress.state]}
        </Badge>
        {progress.repeats_done > 0 ? ` · repeated ${progress.repeats_done}×` : ""}
      </Body1>
      {next && progress.next_at && (
        <Body1>
          {/* Held (acknowledged or snoozed): what is due is the escalation resuming when the
              acknowledgement times out or the snooze ends. */}
          {progress.state === "holding" ? "Resumes with" : "Next:"} step {next.position}, {next.summary} —{" "}
          {formatTime(progress.next_at)} ({relative(progress.next_at)})
        </Body1>
      )}
      {progress.steps.length > 0 && (
        <ol className={s.steps} aria-label="Escalation steps">
          {progress.steps.map((st) => (
            <li key={st.position} className={st.position === progress.current_step ? s.current : undefined} aria-current={st.position === progress.current_step ? "step" : undefined}>
              {st.summary}
            </li>
          ))}
        </ol>
      )}
      {progress.pages.length === 0 ? (
        <Empty>Nobody paged yet.</Empty>
      ) : (
        <ul className={s.pages} aria-label="Paged">
          {progress.pages.map((p, i) => (
            <li key={`${p.at}-${p.user_id}-${p.channel}-${i}`}>
              <Body1>
                {p.user_name} by {p.channel} · {p.status}
              </Body1>{" "}
              <Caption1>{formatTime(p.at)}</Caption1>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
