// One rule set's steps: "after N minutes, notify these contacts". The server says what is valid
// (its messages land on the step they belong to) and what the steps do (the preview).
import { Button, Caption1, Dropdown, Field, Input, Option, Subtitle2, makeStyles, tokens } from "@fluentui/react-components";
import { AddRegular, DeleteRegular } from "@fluentui/react-icons";
import type { ContactKind, ContactMethod } from "../../api/people";
import { fieldMessage } from "../../api/problem";
import { KIND_LABELS } from "./ContactMethods";
import { type Draft, type DraftStep, type RuleSetName, stepFields } from "./rules";

const useStyles = makeStyles({
  set: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, minWidth: 0 },
  list: { listStyleType: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  step: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "flex-end",
    gap: tokens.spacingHorizontalM,
    padding: tokens.spacingVerticalS,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  minutes: { width: "180px" },
  contacts: { flexGrow: 1, minWidth: "200px" },
  dropdown: { minWidth: "0", width: "100%" },
});

/** What a notify step may name: one of my methods (by id) or every method of a kind. */
export function contactChoices(methods: ContactMethod[]): { value: string; text: string }[] {
  const own = methods.map((m) => ({
    value: m.id,
    text: `${KIND_LABELS[m.kind]} ${m.label || m.address}${m.verified ? "" : " (not verified)"}`.trim(),
  }));
  const kinds = (Object.keys(KIND_LABELS) as ContactKind[]).map((k) => ({ value: k, text: `Every ${KIND_LABELS[k]} method` }));
  return [...own, ...kinds];
}

interface Props {
  set: RuleSetName;
  title: string;
  help: string;
  draft: Draft;
  methods: ContactMethod[];
  error: unknown;
  readOnly: boolean;
  onChange: (steps: DraftStep[]) => void;
}

export function StepsEditor({ set, title, help, draft, methods, error, readOnly, onChange }: Props) {
  const s = useStyles();
  const steps = draft[set];
  const choices = contactChoices(methods);
  const text = (v: string) => choices.find((c) => c.value === v)?.text ?? v;
  const update = (n: number, patch: Partial<DraftStep>) => onChange(steps.map((st, i) => (i === n ? { ...st, ...patch } : st)));
  const titleId = `rules-${set}-title`;
  return (
    <section className={s.set} aria-labelledby={titleId}>
      <Subtitle2 as="h3" id={titleId}>
        {title}
      </Subtitle2>
      <Caption1>{help}</Caption1>
      {steps.length === 0 && <Caption1>No steps: every usable method now, and again after 5 minutes.</Caption1>}
      <ol className={s.list} aria-label={`${title} steps`}>
        {steps.map((step, n) => {
          const message = stepFields(draft, set, n)
            .map((f) => fieldMessage(error, f))
            .find(Boolean);
          const label = `${title} step ${n + 1}`;
          return (
            <li key={n} className={s.step} aria-label={label}>
              {n === 0 ? (
                <Caption1>On arrival</Caption1>
              ) : (
                <Field className={s.minutes} label={`Step ${n + 1}: after (minutes)`}>
                  <Input
                    type="number"
                    min={0}
                    step="any"
                    value={String(step.after)}
                    disabled={readOnly}
                    onChange={(_, d) => update(n, { after: Number(d.value) })}
                  />
                </Field>
              )}
              <Field
                className={s.contacts}
                label={`Step ${n + 1}: notify`}
                validationMessage={message}
              >
                <Dropdown
                  className={s.dropdown}
                  multiselect
                  disabled={readOnly}
                  placeholder="Choose contact methods"
                  value={step.contacts.map(text).join(", ")}
                  selectedOptions={step.contacts}
                  onOptionSelect={(_, d) => update(n, { contacts: d.selectedOptions })}
                >
                  {choices.map((c) => (
                    <Option key={c.value} value={c.value}>
                      {c.text}
                    </Option>
                  ))}
                </Dropdown>
              </Field>
              {!readOnly && (
                <Button
                  icon={<DeleteRegular />}
                  aria-label={`Remove ${label}`}
                  onClick={() => onChange(steps.filter((_, i) => i !== n))}
                />
              )}
            </li>
          );
        })}
      </ol>
      {!readOnly && (
        <div>
          <Button
            icon={<AddRegular />}
            onClick={() => onChange([...steps, { after: steps.length === 0 ? 0 : 5, contacts: [] }])}
          >
            Add step to {title.toLowerCase()}
          </Button>
        </div>
      )}
    </section>
  );
}
