// Quiet hours: windows in my zone when default pages wait (high-urgency ones still go out).
import { Button, Caption1, Checkbox, Field, Input, Select, Subtitle2, Switch, makeStyles, tokens } from "@fluentui/react-components";
import { AddRegular, DeleteRegular } from "@fluentui/react-icons";
import { fieldMessage } from "../../api/problem";
import { viewerZone } from "../../time";
import { type QuietHours, type TimeRange, WEEKDAYS, hhmm } from "./rules";

const useStyles = makeStyles({
  box: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, minWidth: 0 },
  range: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "flex-end",
    gap: tokens.spacingHorizontalM,
    padding: tokens.spacingVerticalS,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  days: { display: "flex", flexWrap: "wrap", border: "none", margin: 0, padding: 0, minWidth: 0 },
  legend: { padding: 0, marginBottom: tokens.spacingVerticalXXS, fontSize: tokens.fontSizeBase300 },
  error: { color: tokens.colorPaletteRedForeground1, flexBasis: "100%" },
  list: { listStyleType: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  zone: { maxWidth: "320px" },
});

const NIGHT: TimeRange = { start: "22:00", end: "07:00", weekdays: [0, 1, 2, 3, 4, 5, 6] };

function zones(current: string): string[] {
  const all = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return [...new Set([current, "UTC", ...all])].sort();
}

interface Props {
  value: QuietHours | null;
  error: unknown;
  readOnly: boolean;
  onChange: (q: QuietHours | null) => void;
}

export function QuietHoursEditor({ value, error, readOnly, onChange }: Props) {
  const s = useStyles();
  const setRange = (n: number, patch: Partial<TimeRange>) =>
    value && onChange({ ...value, ranges: value.ranges.map((r, i) => (i === n ? { ...r, ...patch } : r)) });
  const toggleDay = (n: number, day: number, on: boolean) => {
    const days = new Set(value?.ranges[n]?.weekdays ?? []);
    if (on) days.add(day);
    else days.delete(day);
    setRange(n, { weekdays: [...days].sort() });
  };
  return (
    <section className={s.box} aria-labelledby="quiet-title">
      <Subtitle2 as="h3" id="quiet-title">
        Quiet hours
      </Subtitle2>
      <Caption1>Default pages wait until quiet hours end; high-urgency pages always go out.</Caption1>
      <Switch
        label="Use quiet hours"
        checked={value !== null}
        disabled={readOnly}
        onChange={(_, d) => onChange(d.checked ? { timezone: viewerZone(), ranges: [NIGHT] } : null)}
      />
      {value && (
        <>
          <Field className={s.zone} label="Time zone" validationMessage={fieldMessage(error, "quiet_hours.timezone")}>
            <Select value={value.timezone} disabled={readOnly} onChange={(_, d) => onChange({ ...value, timezone: d.value })}>
              {zones(value.timezone).map((z) => (
                <option key={z}>{z}</option>
              ))}
            </Select>
          </Field>
          <ul className={s.list} aria-label="Quiet hours windows">
            {value.ranges.map((r, n) => (
              <li key={n} className={s.range} aria-label={`Quiet window ${n + 1}`}>
                <Field label={`Window ${n + 1}: from`} validationMessage={fieldMessage(error, `quiet_hours.ranges.${n}.start`)}>
                  <Input type="time" value={hhmm(r.start)} disabled={readOnly} onChange={(_, d) => setRange(n, { start: d.value })} />
                </Field>
                <Field label={`Window ${n + 1}: until`} validationMessage={fieldMessage(error, `quiet_hours.ranges.${n}.end`)}>
                  <Input type="time" value={hhmm(r.end)} disabled={readOnly} onChange={(_, d) => setRange(n, { end: d.value })} />
                </Field>
                <fieldset className={s.days}>
                  <legend className={s.legend}>Window {n + 1}: days</legend>
                  {WEEKDAYS.map((day, i) => (
                    <Checkbox
                      key={day}
                      label={day}
                      disabled={readOnly}
                      checked={(r.weekdays ?? []).includes(i)}
                      onChange={(_, d) => toggleDay(n, i, !!d.checked)}
                    />
                  ))}
                  {fieldMessage(error, `quiet_hours.ranges.${n}.weekdays`) && (
                    <Caption1 className={s.error}>{fieldMessage(error, `quiet_hours.ranges.${n}.weekdays`)}</Caption1>
                  )}
                </fieldset>
                {!readOnly && value.ranges.length > 1 && (
                  <Button
                    icon={<DeleteRegular />}
                    aria-label={`Remove quiet window ${n + 1}`}
                    onClick={() => onChange({ ...value, ranges: value.ranges.filter((_, i) => i !== n) })}
                  />
                )}
              </li>
            ))}
          </ul>
          {!readOnly && (
            <div>
              <Button icon={<AddRegular />} onClick={() => onChange({ ...value, ranges: [...value.ranges, NIGHT] })}>
                Add quiet window
              </Button>
            </div>
          )}
        </>
      )}
    </section>
  );
}
