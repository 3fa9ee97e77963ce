// The policy-wide settings and the step editor, as one form saved with PUT / POST.
import { Button, Checkbox, Field, Input, Select, Subtitle1, makeStyles, tokens } from "@fluentui/react-components";
import { SaveRegular } from "@fluentui/react-icons";
import type { Team } from "../../api/catalog";
import { fieldMessage } from "../../api/problem";
import { ProblemBar } from "../States";
import type { Draft } from "./draft";
import { StepEditor } from "./StepEditor";
import type { Choices } from "./StepFields";

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, minWidth: 0 },
  row: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalM, alignItems: "flex-end" },
  grow: { flexGrow: 1, minWidth: "min(100%, 240px)" },
  actions: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS },
});

interface Props {
  draft: Draft;
  teams: Team[];
  choices: Choices;
  zone: string;
  error: unknown;
  saving: boolean;
  dirty: boolean;
  onChange: (draft: Draft) => void;
  onSave: () => void;
  onDiscard: (() => void) | null;
}

export function PolicyForm({ draft, teams, choices, zone, error, saving, dirty, onChange, onSave, onDiscard }: Props) {
  const s = useStyles();
  return (
    <form
      className={s.form}
      aria-label="Policy"
      onSubmit={(e) => {
        e.preventDefault();
        onSave();
      }}
    >
      <div className={s.row}>
        <Field label="Name" required validationMessage={fieldMessage(error, "name")} className={s.grow}>
          <Input value={draft.name} onChange={(_, d) => onChange({ ...draft, name: d.value })} />
        </Field>
        <Field label="Team" validationMessage={fieldMessage(error, "team_id")}>
          <Select value={draft.team_id} onChange={(_, d) => onChange({ ...draft, team_id: d.value })}>
            {!draft.team_id && <option value="">Choose…</option>}
            {teams.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      <div className={s.row}>
        <Field
          label="Acknowledgement timeout (minutes)"
          hint="Re-escalate an acknowledged, unresolved incident after this long; empty: never."
          validationMessage={fieldMessage(error, "ack_timeout_minutes")}
        >
          <Input
            type="number"
            inputMode="decimal"
            value={draft.ack_timeout_minutes}
            onChange={(_, d) => onChange({ ...draft, ack_timeout_minutes: d.value })}
          />
        </Field>
        <Checkbox
          checked={draft.source_acks_count}
          onChange={(_, d) => onChange({ ...draft, source_acks_count: !!d.checked })}
          label="A monitoring tool's acknowledgement stops paging"
        />
      </div>
      <Subtitle1 as="h2">Steps</Subtitle1>
      <StepEditor
        steps={draft.steps}
        error={error}
        choices={choices}
        teamId={draft.team_id}
        zone={zone}
        onChange={(steps) => onChange({ ...draft, steps })}
      />
      <ProblemBar error={error} />
      <div className={s.actions}>
        <Button appearance="primary" type="submit" icon={<SaveRegular />} disabled={saving || !dirty}>
          {saving ? "Saving…" : "Save"}
        </Button>
        {onDiscard && (
          <Button onClick={onDiscard} disabled={!dirty || saving}>
            Discard changes
          </Button>
        )}
      </div>
    </form>
  );
}
