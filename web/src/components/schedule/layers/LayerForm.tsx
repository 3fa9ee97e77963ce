// One layer's fields; every message beside a field is the API's (preview or save).
import { Field, Input, Select, makeStyles, tokens } from "@fluentui/react-components";
import type { UserView } from "../../../api/catalog";
import { fieldMessage } from "../../../api/problem";
import type { DraftLayer, Frequency } from "./draft";
import { ParticipantsField } from "./ParticipantsField";
import { RestrictionsField } from "./RestrictionsField";

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, minWidth: 0 },
  line: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalM, "& > *": { minWidth: "10em", flexGrow: 1 } },
});

const FREQUENCIES: { value: Frequency; label: string }[] = [
  { value: "hourly", label: "Hourly" },
  { value: "daily", label: "Daily" },
  { value: "weekly", label: "Weekly" },
  { value: "monthly", label: "Monthly" },
  { value: "rrule", label: "Custom (RRULE)" },
];

const UNIT: Record<Frequency, string> = { hourly: "hour", daily: "day", weekly: "week", monthly: "month", rrule: "occurrence" };

export interface LayerFormProps {
  index: number;
  layer: DraftLayer;
  onChange: (patch: Partial<DraftLayer>) => void;
  error: unknown;
  users: UserView[];
  name: (id: string) => string;
  zone: string;
  disabled?: boolean;
}

export function LayerForm({ index, layer, onChange, error, users, name, zone, disabled }: LayerFormProps) {
  const s = useStyles();
  const path = `layers.${index}`;
  const msg = (field: string) => fieldMessage(error, `${path}.${field}`);
  return (
    <div className={s.form}>
      <div className={s.line}>
        <Field label="Layer name" required validationMessage={msg("name")}>
          <Input value={layer.name} disabled={disabled} onChange={(_, d) => onChange({ name: d.value })} />
        </Field>
        <Field label="Rotation" validationMessage={msg("frequency")}>
          <Select value={layer.frequency} disabled={disabled} onChange={(_, d) => onChange({ frequency: d.value as Frequency })}>
            {FREQUENCIES.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </Select>
        </Field>
        {layer.frequency !== "rrule" && (
          <Field label="Every (interval)" hint={`Hand off every ${layer.interval || "n"} ${UNIT[layer.frequency]}(s)`} validationMessage={msg("interval")}>
            <Input type="number" min={1} value={layer.interval} disabled={disabled} onChange={(_, d) => onChange({ interval: d.value })} />
          </Field>
        )}
        {layer.frequency === "hourly" && (
          <Field label="Hourly clock" validationMessage={msg("hourly_clock")}>
            <Select value={layer.hourlyClock} disabled={disabled} onChange={(_, d) => onChange({ hourlyClock: d.value as DraftLayer["hourlyClock"] })}>
              <option value="">Automatic</option>
              <option value="wall">Same local times every day</option>
              <option value="elapsed">Exact real hours</option>
            </Select>
          </Field>
        )}
      </div>
      {layer.frequency === "rrule" && (
        <Field label="Rule (RFC 5545)" hint="e.g. FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=9" validationMessage={msg("rrule")}>
          <Input value={layer.rrule} disabled={disabled} onChange={(_, d) => onChange({ rrule: d.value })} />
        </Field>
      )}
      <div className={s.line}>
        <Field label={`Hand-off starts (${zone})`} validationMessage={msg("start")}>
          <Input type="datetime-local" value={layer.start} disabled={disabled} onChange={(_, d) => onChange({ start: d.value })} />
        </Field>
        <Field label="Ends (your zone; empty: never)" validationMessage={msg("effective_until")}>
          <Input type="datetime-local" value={layer.until} disabled={disabled} onChange={(_, d) => onChange({ until: d.value })} />
        </Field>
      </div>
      <ParticipantsField
        layerName={layer.name || `layer ${index + 1}`}
        value={layer.participants}
        onChange={(participants) => onChange({ participants })}
        users={users}
        name={name}
        message={msg("participants")}
        disabled={disabled}
      />
      <RestrictionsField
        layerName={layer.name || `layer ${index + 1}`}
        path={`${path}.restrictions`}
        value={layer.restrictions}
        onChange={(restrictions) => onChange({ restrictions })}
        error={error}
        disabled={disabled}
      />
    </div>
  );
}
