// A time-window step: its zone, what happens outside the windows, and the weekday/time ranges.
import { Button, Checkbox, Field, FieldContextProvider, Input, Select, Text, makeStyles, tokens } from "@fluentui/react-components";
import { AddRegular, DeleteRegular } from "@fluentui/react-icons";
import { useId } from "react";
import { newRange, stepMessage, type DraftRange, type DraftStep } from "./draft";

type WindowStep = Extract<DraftStep, { type: "time_window" }>;
const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
// The zones this browser knows, offered as suggestions; the server decides what it accepts.
const ZONES: string[] = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];

const useStyles = makeStyles({
  box: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  row: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalM, alignItems: "flex-end" },
  range: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalM,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  days: { display: "flex", flexWrap: "wrap", columnGap: tokens.spacingHorizontalXS },
  legend: { fontWeight: tokens.fontWeightSemibold },
});

function RangeFields({ range, n, index, error, onChange, onRemove }: {
  range: DraftRange;
  n: number;
  index: number;
  error: unknown;
  onChange: (r: DraftRange) => void;
  onRemove: (() => void) | null;
}) {
  const s = useStyles();
  const msg = (field: string) => stepMessage(error, index, "time_window", `ranges.${n}.${field}`);
  const daysMessage = msg("weekdays");
  const legend = useId();
  const toggle = (day: number, on: boolean) =>
    onChange({ ...range, weekdays: on ? [...range.weekdays, day].sort() : range.weekdays.filter((d) => d !== day) });
  return (
    <div className={s.range} role="group" aria-labelledby={legend}>
      <Text id={legend} className={s.legend}>
        Window {n + 1}
      </Text>
      <Field label="Days" validationMessage={daysMessage}>
        {/* Seven controls in one Field: without this each would take the Field's one control
            id, and every day's label would toggle Monday. */}
        <FieldContextProvider value={undefined}>
          <div className={s.days} role="group" aria-label={`Days of window ${n + 1}`}>
            {DAYS.map((day, d) => (
              <Checkbox key={day} label={day} checked={range.weekdays.includes(d)} onChange={(_, data) => toggle(d, !!data.checked)} />
            ))}
          </div>
        </FieldContextProvider>
      </Field>
      <div className={s.row}>
        <Field label="From" validationMessage={msg("start")}>
          <Input type="time" value={range.start} onChange={(_, d) => onChange({ ...range, start: d.value })} />
        </Field>
        <Field label="Until" hint="At or before the start: past midnight." validationMessage={msg("end")}>
          <Input type="time" value={range.end} onChange={(_, d) => onChange({ ...range, end: d.value })} />
        </Field>
        {onRemove && (
          <Button icon={<DeleteRegular />} onClick={onRemove}>
            Remove window {n + 1}
          </Button>
        )}
      </div>
    </div>
  );
}

export function TimeWindowFields({ step, index, error, onChange }: { step: WindowStep; index: number; error: unknown; onChange: (s: DraftStep) => void }) {
  const s = useStyles();
  const zones = useId();
  const setRange = (n: number, r: DraftRange) => onChange({ ...step, ranges: step.ranges.map((x, i) => (i === n ? r : x)) });
  return (
    <div className={s.box}>
      <div className={s.row}>
        <Field label="Time zone" validationMessage={stepMessage(error, index, "time_window", "timezone")}>
          <Input list={zones} value={step.timezone} onChange={(_, d) => onChange({ ...step, timezone: d.value })} />
        </Field>
        <datalist id={zones}>
          {ZONES.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        <Field label="Outside the windows">
          <Select value={step.outside} onChange={(_, d) => onChange({ ...step, outside: d.value as WindowStep["outside"] })}>
            <option value="stop">Stop the escalation</option>
            <option value="wait">Wait until a window opens</option>
          </Select>
        </Field>
      </div>
      {step.ranges.map((r, n) => (
        <RangeFields
          key={r.key}
          range={r}
          n={n}
          index={index}
          error={error}
          onChange={(next) => setRange(n, next)}
          onRemove={step.ranges.length > 1 ? () => onChange({ ...step, ranges: step.ranges.filter((_, i) => i !== n) }) : null}
        />
      ))}
      <div>
        <Button icon={<AddRegular />} onClick={() => onChange({ ...step, ranges: [...step.ranges, newRange()] })}>
          Add a window
        </Button>
      </div>
    </div>
  );
}
