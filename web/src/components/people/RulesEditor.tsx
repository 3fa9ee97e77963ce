// My notification rules: both sets, quiet hours and status updates, edited as a draft that the
// server previews as it changes ("a P1 now") and validates on save (its messages on the fields).
import { Button, Caption1, Checkbox, Subtitle1, makeStyles, tokens } from "@fluentui/react-components";
import { ArrowUndoRegular, SaveRegular } from "@fluentui/react-icons";
import { useMemo, useState } from "react";
import { type ContactMethod, type NotificationRules, useRulesPreview, useSaveRules } from "../../api/people";
import { ProblemBar } from "../States";
import { QuietHoursEditor } from "./QuietHoursEditor";
import { RulesPreview } from "./RulesPreview";
import { StepsEditor, contactChoices } from "./StepsEditor";
import { type Draft, fromDraft, toDraft } from "./rules";
import { useDebounced } from "../../hooks/useDebounced";

const useStyles = makeStyles({
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, minWidth: 0 },
  sets: { display: "grid", gridTemplateColumns: "repeat(auto-fit, minmax(300px, 1fr))", gap: tokens.spacingHorizontalXL },
  actions: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "center" },
  updates: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalM },
});

interface Props {
  saved: NotificationRules;
  methods: ContactMethod[];
  readOnly: boolean;
}

export function RulesEditor({ saved, methods, readOnly }: Props) {
  const s = useStyles();
  const [draft, setDraft] = useState<Draft>(() => toDraft(saved));
  // The saved rules the draft started from: when they change elsewhere (another tab) and nothing
  // was edited here, the draft follows them.
  const [base, setBase] = useState(saved);
  const save = useSaveRules();
  const body = useMemo(() => fromDraft(draft), [draft]);
  const same = (a: NotificationRules, b: NotificationRules) => JSON.stringify(a) === JSON.stringify(b);
  if (base !== saved) {
    setBase(saved);
    if (same(body, fromDraft(toDraft(base)))) setDraft(toDraft(saved));
  }
  const dirty = !same(body, fromDraft(toDraft(saved)));
  const previewed = useDebounced(dirty ? body : null, 300);
  const preview = useRulesPreview(previewed);
  const choices = contactChoices(methods);
  const describe = (c: string) => choices.find((x) => x.value === c)?.text ?? c;
  const edit = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    save.reset();
  };
  return (
    <section className={s.section} aria-labelledby="rules-title">
      <Subtitle1 as="h2" id="rules-title">
        Notification rules
      </Subtitle1>
      <Caption1>How you are paged: each step goes out after the one before unless the incident is acknowledged.</Caption1>
      <form
        className={s.section}
        aria-label="Notification rules"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(body, { onSuccess: (rules) => setDraft(toDraft(rules)) });
        }}
      >
        <div className={s.sets}>
          <StepsEditor
            set="default"
            title="Default rules"
            help="For pages from escalation steps of default urgency."
            draft={draft}
            methods={methods}
            error={save.error}
            readOnly={readOnly}
            onChange={(steps) => edit({ default: steps })}
          />
          <StepsEditor
            set="important"
            title="High-urgency rules"
            help="For steps marked high urgency (P1 policies); empty: the default rules."
            draft={draft}
            methods={methods}
            error={save.error}
            readOnly={readOnly}
            onChange={(steps) => edit({ important: steps })}
          />
        </div>
        <QuietHoursEditor value={draft.quietHours} error={save.error} readOnly={readOnly} onChange={(q) => edit({ quietHours: q })} />
        <div className={s.updates} role="group" aria-label="Status updates">
          <Checkbox
            label="Tell me when someone else acknowledges an incident I was paged for"
            checked={draft.notifyOnAcknowledged}
            disabled={readOnly}
            onChange={(_, d) => edit({ notifyOnAcknowledged: !!d.checked })}
          />
          <Checkbox
            label="Tell me when it is resolved"
            checked={draft.notifyOnResolved}
            disabled={readOnly}
            onChange={(_, d) => edit({ notifyOnResolved: !!d.checked })}
          />
        </div>
        <ProblemBar error={save.error} />
        {!readOnly && (
          <div className={s.actions}>
            <Button type="submit" appearance="primary" icon={<SaveRegular />} disabled={!dirty || save.isPending}>
              Save rules
            </Button>
            <Button icon={<ArrowUndoRegular />} disabled={!dirty} onClick={() => edit(toDraft(saved))}>
              Discard changes
            </Button>
            <Caption1 aria-live="polite">{save.isSuccess && !dirty ? "Saved." : dirty ? "Unsaved changes." : ""}</Caption1>
          </div>
        )}
      </form>
      <ProblemBar error={preview.error} />
      {preview.data && <RulesPreview preview={preview.data} draft={previewed !== null} describe={describe} />}
    </section>
  );
}
