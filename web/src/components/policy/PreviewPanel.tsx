// "Who would be paged now, and when": the server walks the policy (saved, or the unsaved draft)
// from a chosen moment; this panel only picks the moment and lays the answer out.
import { Body1, Button, Caption1, Field, Input, Subtitle1, Text, makeStyles, tokens } from "@fluentui/react-components";
import { useState } from "react";
import { usePolicyPreview, type FiredStep, type PolicyBody, type StepType } from "../../api/policies";
import { formatTime, viewerZone } from "../../time";
import { Loading, ProblemBar } from "../States";
import { STEP_LABELS } from "./draft";
import { useDebounced } from "../../hooks/useDebounced";

const useStyles = makeStyles({
  panel: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, minWidth: 0 },
  row: { display: "flex", flexWrap: "wrap", alignItems: "flex-end", gap: tokens.spacingHorizontalM },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  people: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
  muted: { color: tokens.colorNeutralForeground3 },
  wrap: { overflowWrap: "anywhere" },
});

function after(from: string, at: string): string {
  const minutes = Math.round((new Date(at).getTime() - new Date(from).getTime()) / 60_000);
  if (minutes <= 0) return "at once";
  return minutes < 120 ? `after ${minutes} min` : `after ${Math.round(minutes / 6) / 10} h`;
}

function Fired({ item, start, zone }: { item: FiredStep; start: string; zone: string }) {
  const s = useStyles();
  const label = STEP_LABELS[item.type as StepType] ?? item.type;
  const people = item.people ?? [];
  return (
    <li className={s.wrap}>
      <Text weight="semibold">{formatTime(item.at, zone)}</Text> <Caption1>({after(start, item.at)})</Caption1>
      <Body1>
        {" "}
        — step {item.step}: {label}
        {item.round > 0 ? ` (repeat ${item.round})` : ""}
        {item.target ? ` → ${item.target}` : ""}
      </Body1>
      {people.length > 0 && (
        <ul className={s.people} aria-label={`Paged at step ${item.step}`}>
          {people.map((p) => (
            <li key={p.user_id}>
              <Text weight="semibold">{p.name}</Text>
              <Caption1>
                {": "}
                {p.plan.deliveries.length === 0
                  ? p.plan.note
                  : p.plan.deliveries
                      .map((d) => `${d.methods.map((m) => m.label).join(", ")} ${after(item.at, d.at)}${d.held_by_quiet_hours ? " (quiet hours)" : ""}`)
                      .join("; ")}
              </Caption1>
            </li>
          ))}
          {item.more_people > 0 && <li>and {item.more_people} more</li>}
        </ul>
      )}
      {(item.skipped ?? []).map((why) => (
        <Caption1 key={why} as="p" className={s.muted}>
          Not paged: {why}
        </Caption1>
      ))}
    </li>
  );
}

/** `draft`: the unsaved policy to preview (debounced here); null previews the saved `policyId`. */
export function PreviewPanel({ policyId, draft }: { policyId: string | undefined; draft: PolicyBody | null }) {
  const s = useStyles();
  const zone = viewerZone();
  const [moment, setMoment] = useState(""); // datetime-local in the viewer's zone; empty: now
  const body = useDebounced(draft, 600);
  const at = moment ? new Date(moment).toISOString() : null;
  const preview = usePolicyPreview(policyId, body, at);
  const data = preview.data;
  return (
    <section className={s.panel} aria-labelledby="preview-title">
      <Subtitle1 as="h2" id="preview-title">
        Who would be paged, and when
      </Subtitle1>
      <Caption1>
        Worked out by the server from the {draft ? "unsaved draft" : "saved policy"} if an incident opened at the chosen moment, with
        nobody acknowledging. Times in your zone ({zone}).
      </Caption1>
      <div className={s.row}>
        <Field label="Incident opens at" hint="Empty: now.">
          <Input type="datetime-local" value={moment} onChange={(_, d) => setMoment(d.value)} />
        </Field>
        <Button onClick={() => setMoment("")} disabled={!moment}>
          Now
        </Button>
      </div>
      {preview.isFetching && data && (
        <Caption1 aria-live="polite" className={s.muted}>
          Updating…
        </Caption1>
      )}
      <ProblemBar error={preview.error} />
      {preview.isPending && !preview.error ? (
        <Loading label="Working out who would be paged…" />
      ) : data ? (
        <>
          <ol className={s.list} aria-label="Steps that would fire">
            {data.fired.map((item, n) => (
              <Fired key={n} item={item} start={data.at} zone={zone} />
            ))}
          </ol>
          {data.fired.length === 0 && <Body1>Nothing would fire.</Body1>}
          {data.truncated && <Body1>The walk stopped after {data.fired.length} steps.</Body1>}
          {data.notes.length > 0 && (
            <ul className={s.people} aria-label="How the walk went">
              {data.notes.map((note, n) => (
                <li key={n}>
                  <Caption1>{note}</Caption1>
                </li>
              ))}
            </ul>
          )}
        </>
      ) : null}
    </section>
  );
}
