// The form fields of one step, by type. Each field shows the server's message for its path.
import { Checkbox, Dropdown, Field, Input, Option, Select, makeStyles, tokens } from "@fluentui/react-components";
import type { ListedSchedule, WebhookView } from "../../api/policies";
import type { Team, UserView } from "../../api/catalog";
import { stepMessage, type DraftStep } from "./draft";
import { TimeWindowFields } from "./TimeWindowFields";

export interface Choices {
  users: UserView[];
  schedules: ListedSchedule[];
  teams: Team[];
  webhooks: WebhookView[];
}

const useStyles = makeStyles({
  row: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalM, alignItems: "flex-end" },
  grow: { flexGrow: 1, minWidth: "min(100%, 220px)", maxWidth: "100%" },
  fill: { minWidth: 0, width: "100%" },
});

interface Props<S extends DraftStep = DraftStep> {
  step: S;
  index: number;
  error: unknown;
  choices: Choices;
  onChange: (step: DraftStep) => void;
}

type Importance = "default" | "important";

function ImportanceField({ value, onChange }: { value: Importance; onChange: (v: Importance) => void }) {
  return (
    <Field label="Importance" hint="Important pages use each person's high-urgency rules.">
      <Select value={value} onChange={(_, d) => onChange(d.value as Importance)}>
        <option value="default">Default</option>
        <option value="important">Important (high urgency)</option>
      </Select>
    </Field>
  );
}

function MultiAck({ checked, onChange }: { checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <Checkbox
      checked={checked}
      onChange={(_, d) => onChange(!!d.checked)}
      label="Multi-ack: keep paging each person until they acknowledge themselves"
    />
  );
}

/** A picker over named things; an id no longer listed still shows (by id) rather than vanish. */
function Pick({ label, value, options, message, onChange }: {
  label: string;
  value: string;
  options: { id: string; name: string }[];
  message: string | undefined;
  onChange: (id: string) => void;
}) {
  const s = useStyles();
  const listed = options.some((o) => o.id === value) || !value ? options : [{ id: value, name: value }, ...options];
  return (
    <Field label={label} validationMessage={message} className={s.grow}>
      <Select className={s.fill} select={{ className: s.fill }} value={value} onChange={(_, d) => onChange(d.value)}>
        <option value="">Choose…</option>
        {listed.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </Select>
    </Field>
  );
}

function NumberField({ label, hint, value, message, onChange }: { label: string; hint?: string; value: string; message: string | undefined; onChange: (v: string) => void }) {
  return (
    <Field label={label} hint={hint} validationMessage={message}>
      <Input type="number" inputMode="decimal" value={value} onChange={(_, d) => onChange(d.value)} />
    </Field>
  );
}

export function StepFields({ step, index, error, choices, onChange }: Props) {
  const s = useStyles();
  const msg = (field: string) => stepMessage(error, index, step.type, field);
  const teamName = new Map(choices.teams.map((t) => [t.id, t.name]));
  switch (step.type) {
    case "notify_users": {
      const names = new Map(choices.users.map((u) => [u.id, u.name || u.email || u.id]));
      return (
        <div className={s.row}>
          <Field label="People" validationMessage={msg("user_ids")} className={s.grow}>
            <Dropdown
              multiselect
              placeholder="Choose people"
              selectedOptions={step.user_ids}
              value={step.user_ids.map((id) => names.get(id) ?? id).join(", ")}
              onOptionSelect={(_, d) => onChange({ ...step, user_ids: d.selectedOptions })}
            >
              {choices.users.map((u) => (
                <Option key={u.id} value={u.id}>
                  {names.get(u.id)!}
                </Option>
              ))}
            </Dropdown>
          </Field>
          <ImportanceField value={step.importance} onChange={(importance) => onChange({ ...step, importance })} />
          <MultiAck checked={step.multi_ack} onChange={(multi_ack) => onChange({ ...step, multi_ack })} />
        </div>
      );
    }
    case "notify_schedule":
      return (
        <div className={s.row}>
          <Pick
            label="Schedule"
            value={step.schedule_id}
            message={msg("schedule_id")}
            options={choices.schedules.map((x) => ({ id: x.id, name: `${x.name} (${teamName.get(x.team_id) ?? x.team_id})` }))}
            onChange={(schedule_id) => onChange({ ...step, schedule_id })}
          />
          <Field label="Whose shift">
            <Select value={step.which} onChange={(_, d) => onChange({ ...step, which: d.value as typeof step.which })}>
              <option value="current">On call now</option>
              <option value="next">Next shift</option>
              <option value="previous">Previous shift</option>
            </Select>
          </Field>
          <ImportanceField value={step.importance} onChange={(importance) => onChange({ ...step, importance })} />
          <MultiAck checked={step.multi_ack} onChange={(multi_ack) => onChange({ ...step, multi_ack })} />
        </div>
      );
    case "notify_team":
    case "notify_round_robin":
      return (
        <div className={s.row}>
          <Pick
            label="Team"
            value={step.team_id}
            message={msg("team_id")}
            options={choices.teams.map((t) => ({ id: t.id, name: t.name }))}
            onChange={(team_id) => onChange({ ...step, team_id })}
          />
          <ImportanceField value={step.importance} onChange={(importance) => onChange({ ...step, importance })} />
          {step.type === "notify_team" && <MultiAck checked={step.multi_ack} onChange={(multi_ack) => onChange({ ...step, multi_ack })} />}
        </div>
      );
    case "post_to_channel":
      return (
        <Field label="Channel id" hint="A Microsoft Teams channel linked to OpenAlert." validationMessage={msg("channel_id")}>
          <Input value={step.channel_id} onChange={(_, d) => onChange({ ...step, channel_id: d.value })} />
        </Field>
      );
    case "call_webhook":
      return (
        <Pick
          label="Outgoing webhook"
          value={step.webhook_id}
          message={msg("webhook_id")}
          options={choices.webhooks.map((w) => ({ id: w.id, name: w.name }))}
          onChange={(webhook_id) => onChange({ ...step, webhook_id })}
        />
      );
    case "wait":
      return (
        <NumberField
          label="Minutes to wait"
          hint="Before the next step; up to 1440 (a day)."
          value={step.minutes}
          message={msg("minutes")}
          onChange={(minutes) => onChange({ ...step, minutes })}
        />
      );
    case "time_window":
      return <TimeWindowFields step={step} index={index} error={error} onChange={onChange} />;
    case "alert_count":
      return (
        <div className={s.row}>
          <NumberField
            label="More than this many alerts"
            value={step.threshold}
            message={msg("threshold")}
            onChange={(threshold) => onChange({ ...step, threshold })}
          />
          <NumberField
            label="Within the last minutes"
            value={step.window_minutes}
            message={msg("window_minutes")}
            onChange={(window_minutes) => onChange({ ...step, window_minutes })}
          />
        </div>
      );
    case "repeat":
      return (
        <NumberField
          label="Times to repeat"
          hint="Back to the first step, at most this many times (1 to 10); needs a wait before it."
          value={step.times}
          message={msg("times")}
          onChange={(times) => onChange({ ...step, times })}
        />
      );
    case "resolve":
      return null;
  }
}
