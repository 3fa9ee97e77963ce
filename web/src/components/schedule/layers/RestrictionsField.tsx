// Restrictions: windows (weekdays + local start/end time) in which the layer may page; several.
import { Button, Caption1, Checkbox, Field, Input, Label, makeStyles, tokens } from "@fluentui/react-components";
import { AddRegular, DeleteRegular } from "@fluentui/react-icons";
import { fieldMessage } from "../../../api/problem";
import type { DraftRestriction } from "./draft";

const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

const useStyles = makeStyles({
  list: { margin: 0, padding: 0, listStyleType: "none", display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  window: {
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: tokens.spacingHorizontalS,
    margin: 0,
    display: "flex",
    flexWrap: "wrap",
    alignItems: "flex-end",
    gap: tokens.spacingHorizontalS,
    minWidth: 0,
  },
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS, alignItems: "flex-start" },
  days: { display: "flex", flexWrap: "wrap" },
});

export interface RestrictionsFieldProps {
  layerName: string;
  /** Dotted path of the layer's restrictions in the body, e.g. "layers.0.restrictions". */
  path: string;
  value: DraftRestriction[];
  onChange: (next: DraftRestriction[]) => void;
  error: unknown;
  disabled?: boolean;
}

export function RestrictionsField({ layerName, path, value, onChange, error, disabled }: RestrictionsFieldProps) {
  const s = useStyles();
  const set = (i: number, patch: Partial<DraftRestriction>) => onChange(value.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <div className={s.root}>
      <Label>Restrictions</Label>
      <Caption1>When this layer may page, in the schedule's zone; none: at all times.</Caption1>
      <ul className={s.list} aria-label={`Restrictions of ${layerName}`}>
        {value.map((r, i) => (
          <li key={i}>
            <fieldset className={s.window}>
              <legend>Window {i + 1}</legend>
              <Field label="Weekdays" validationMessage={fieldMessage(error, `${path}.${i}.weekdays`) ?? fieldMessage(error, `${path}.${i}`)}>
                <div className={s.days}>
                  {DAYS.map((d, n) => (
                    <Checkbox
                      key={d}
                      label={d}
                      disabled={disabled}
                      checked={r.weekdays.includes(n)}
                      onChange={(_, c) => set(i, { weekdays: c.checked ? [...r.weekdays, n].sort() : r.weekdays.filter((x) => x !== n) })}
                    />
                  ))}
                </div>
              </Field>
              <Field label="From" validationMessage={fieldMessage(error, `${path}.${i}.start`)}>
                <Input type="time" value={r.start} disabled={disabled} onChange={(_, d) => set(i, { start: d.value })} />
              </Field>
              <Field label="Until" hint="Earlier than From: runs past midnight" validationMessage={fieldMessage(error, `${path}.${i}.end`)}>
                <Input type="time" value={r.end} disabled={disabled} onChange={(_, d) => set(i, { end: d.value })} />
              </Field>
              {!disabled && (
                <Button icon={<DeleteRegular />} aria-label={`Remove window ${i + 1}`} onClick={() => onChange(value.filter((_, j) => j !== i))} />
              )}
            </fieldset>
          </li>
        ))}
      </ul>
      {!disabled && (
        <Button icon={<AddRegular />} onClick={() => onChange([...value, { weekdays: [0, 1, 2, 3, 4], start: "09:00", end: "17:00" }])}>
          Add restriction
        </Button>
      )}
    </div>
  );
}
