// A route's conditions as rows of field / operator / value; the API validates them (a bad
// regex, a missing value) and its message shows on the row's field.
import { Button, Field, Input, Select, makeStyles, tokens } from "@fluentui/react-components";
import { AddRegular, DeleteRegular } from "@fluentui/react-icons";
import { fieldMessage } from "../../api/problem";
import type { RouteCondition } from "../../api/services";
import { opLabel } from "./RouteTestResultView";

const useStyles = makeStyles({
  list: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, margin: 0, padding: 0, listStyleType: "none" },
  row: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "end",
    gap: tokens.spacingHorizontalS,
    paddingBottom: tokens.spacingVerticalS,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  grow: { flexGrow: 1, minWidth: "140px" },
});

const FIELDS = ["severity", "title", "description", "source", "label"] as const;
const OPS: RouteCondition["op"][] = ["eq", "ne", "regex", "in", "not_in", "exists", "not_exists"];

/** A condition as the form edits it: the label name apart, list values as typed text. */
export interface ConditionDraft {
  field: (typeof FIELDS)[number];
  label: string;
  op: RouteCondition["op"];
  value: string;
}

export function toDraft(c: RouteCondition): ConditionDraft {
  const isLabel = c.field.startsWith("label:");
  return {
    field: isLabel ? "label" : (c.field as ConditionDraft["field"]),
    label: isLabel ? c.field.slice("label:".length) : "",
    op: c.op,
    value: Array.isArray(c.value) ? c.value.join(", ") : (c.value ?? ""),
  };
}

/** The API's shape: lists for in / not_in (comma-separated in the form), no value for exists. */
export function fromDraft(d: ConditionDraft): RouteCondition {
  const field = d.field === "label" ? `label:${d.label.trim()}` : d.field;
  if (d.op === "exists" || d.op === "not_exists") return { field, op: d.op, value: null };
  if (d.op === "in" || d.op === "not_in") {
    return { field, op: d.op, value: d.value.split(",").map((v) => v.trim()).filter(Boolean) };
  }
  return { field, op: d.op, value: d.value };
}

export const NEW_CONDITION: ConditionDraft = { field: "severity", label: "", op: "eq", value: "P1" };

interface Props {
  value: ConditionDraft[];
  onChange: (next: ConditionDraft[]) => void;
  error: unknown;
}

export function ConditionsEditor({ value, onChange, error }: Props) {
  const s = useStyles();
  const set = (i: number, patch: Partial<ConditionDraft>) => onChange(value.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  return (
    <>
      <ol className={s.list} aria-label="Conditions">
        {value.map((c, i) => {
          const n = i + 1;
          const noValue = c.op === "exists" || c.op === "not_exists";
          // The API names the field (`conditions.0.field`) or the whole row (a value that does not
          // fit the operator, a bad regex): each message on the control it is about, once.
          const fieldMsg = fieldMessage(error, `conditions.${i}.field`);
          const rowMsg = fieldMessage(error, `conditions.${i}`);
          const valueMsg = rowMsg !== fieldMsg ? rowMsg : undefined;
          return (
            <li key={i} className={s.row}>
              <Field label={`Condition ${n} field`} validationMessage={c.field === "label" ? undefined : fieldMsg}>
                <Select value={c.field} onChange={(_, d) => set(i, { field: d.value as ConditionDraft["field"] })}>
                  {FIELDS.map((f) => (
                    <option key={f} value={f}>
                      {f}
                    </option>
                  ))}
                </Select>
              </Field>
              {c.field === "label" && (
                <Field label={`Condition ${n} label name`} required validationMessage={fieldMsg}>
                  <Input value={c.label} onChange={(_, d) => set(i, { label: d.value })} />
                </Field>
              )}
              <Field label={`Condition ${n} operator`}>
                <Select value={c.op} onChange={(_, d) => set(i, { op: d.value as RouteCondition["op"] })}>
                  {OPS.map((op) => (
                    <option key={op} value={op}>
                      {opLabel(op)}
                    </option>
                  ))}
                </Select>
              </Field>
              {!noValue && (
                <Field
                  className={s.grow}
                  label={`Condition ${n} value`}
                  hint={c.op === "in" || c.op === "not_in" ? "Comma-separated" : undefined}
                  validationMessage={valueMsg}
                >
                  <Input value={c.value} onChange={(_, d) => set(i, { value: d.value })} />
                </Field>
              )}
              <Button
                icon={<DeleteRegular />}
                aria-label={`Remove condition ${n}`}
                disabled={value.length === 1}
                onClick={() => onChange(value.filter((_, j) => j !== i))}
              />
            </li>
          );
        })}
      </ol>
      <div>
        <Button icon={<AddRegular />} onClick={() => onChange([...value, { ...NEW_CONDITION }])}>
          Add condition
        </Button>
      </div>
    </>
  );
}
