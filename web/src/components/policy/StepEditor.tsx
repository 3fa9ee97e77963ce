// The ordered steps of a policy: one form per step; add, remove and reorder by buttons (each
// reachable by Tab, named by its step), so no dragging is needed.
import { Button, Card, Field, Select, Subtitle2, Tooltip, makeStyles, tokens } from "@fluentui/react-components";
import { AddRegular, ArrowDownRegular, ArrowUpRegular, DeleteRegular } from "@fluentui/react-icons";
import { useEffect, useRef, useState } from "react";
import type { StepType } from "../../api/policies";
import { STEP_LABELS, STEP_TYPES, moveStep, newStep, type DraftStep } from "./draft";
import { StepFields, type Choices } from "./StepFields";

const useStyles = makeStyles({
  list: { listStyle: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  card: { minWidth: 0 },
  head: { display: "flex", flexWrap: "wrap", alignItems: "center", gap: tokens.spacingHorizontalS, justifyContent: "space-between" },
  tools: { display: "flex", gap: tokens.spacingHorizontalXS },
  add: { display: "flex", flexWrap: "wrap", alignItems: "flex-end", gap: tokens.spacingHorizontalM },
  // The type names are long: the picker shrinks with the page instead of widening it.
  type: { minWidth: 0, maxWidth: "100%", width: "360px" },
  fill: { minWidth: 0, width: "100%" },
});

interface Props {
  steps: DraftStep[];
  error: unknown;
  choices: Choices;
  teamId: string;
  zone: string;
  onChange: (steps: DraftStep[]) => void;
}

export function stepTitle(index: number, type: StepType): string {
  return `Step ${index + 1}: ${STEP_LABELS[type]}`;
}

export function StepEditor({ steps, error, choices, teamId, zone, onChange }: Props) {
  const s = useStyles();
  const [type, setType] = useState<StepType>("wait");
  const set = (i: number, step: DraftStep) => onChange(steps.map((x, j) => (j === i ? step : x)));
  const list = useRef<HTMLOListElement>(null);
  // A moved step's DOM node may be re-inserted, which drops focus: put it back on the same
  // button (or its twin when the step reached an end and that button is disabled).
  const [moved, setMoved] = useState<{ key: string; dir: "up" | "down" } | null>(null);
  useEffect(() => {
    if (!moved) return;
    const card = list.current?.querySelector(`[data-step="${moved.key}"]`);
    const other = moved.dir === "up" ? "down" : "up";
    const target = card?.querySelector<HTMLButtonElement>(`[data-move="${moved.dir}"]:not(:disabled)`) ?? card?.querySelector<HTMLButtonElement>(`[data-move="${other}"]`);
    target?.focus();
    setMoved(null);
  }, [moved]);
  const move = (i: number, dir: "up" | "down") => {
    onChange(moveStep(steps, i, dir === "up" ? -1 : 1));
    setMoved({ key: steps[i]!.key, dir });
  };
  return (
    <>
      <ol className={s.list} aria-label="Steps" ref={list}>
        {steps.map((step, i) => {
          const title = stepTitle(i, step.type);
          const headingId = `step-${step.key}`;
          return (
            <li key={step.key}>
              <Card className={s.card} role="group" aria-labelledby={headingId} data-step={step.key}>
                <div className={s.head}>
                  <Subtitle2 as="h3" id={headingId}>
                    {title}
                  </Subtitle2>
                  <div className={s.tools}>
                    <Tooltip content={`Move step ${i + 1} up`} relationship="label">
                      <Button icon={<ArrowUpRegular />} appearance="subtle" data-move="up" disabled={i === 0} onClick={() => move(i, "up")} />
                    </Tooltip>
                    <Tooltip content={`Move step ${i + 1} down`} relationship="label">
                      <Button
                        icon={<ArrowDownRegular />}
                        appearance="subtle"
                        data-move="down"
                        disabled={i === steps.length - 1}
                        onClick={() => move(i, "down")}
                      />
                    </Tooltip>
                    <Tooltip content={`Remove step ${i + 1}`} relationship="label">
                      <Button icon={<DeleteRegular />} appearance="subtle" onClick={() => onChange(steps.filter((_, j) => j !== i))} />
                    </Tooltip>
                  </div>
                </div>
                <StepFields step={step} index={i} error={error} choices={choices} onChange={(next) => set(i, next)} />
              </Card>
            </li>
          );
        })}
      </ol>
      <div className={s.add}>
        <Field label="New step" className={s.type}>
          <Select className={s.fill} select={{ className: s.fill }} value={type} onChange={(_, d) => setType(d.value as StepType)}>
            {STEP_TYPES.map((t) => (
              <option key={t} value={t}>
                {STEP_LABELS[t]}
              </option>
            ))}
          </Select>
        </Field>
        <Button icon={<AddRegular />} onClick={() => onChange([...steps, newStep(type, { teamId, zone })])}>
          Add step
        </Button>
      </div>
    </>
  );
}
