// Participants in turn: pick people, add gap slots, reorder with up/down.
import { Button, Field, Select, Text, makeStyles, mergeClasses, tokens } from "@fluentui/react-components";
import { AddRegular, ArrowDownRegular, ArrowUpRegular, DeleteRegular } from "@fluentui/react-icons";
import { useId, useState } from "react";
import type { UserView } from "../../../api/catalog";

const useStyles = makeStyles({
  list: { margin: 0, paddingInlineStart: tokens.spacingHorizontalXL, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS },
  item: { display: "flex", flexWrap: "wrap", alignItems: "center", gap: tokens.spacingHorizontalXS },
  who: { flexGrow: 1, minWidth: "8em", overflowWrap: "anywhere" },
  gap: { fontStyle: "italic", color: tokens.colorNeutralForeground2 },
  add: { display: "flex", flexWrap: "wrap", alignItems: "flex-end", gap: tokens.spacingHorizontalS },
});

export interface ParticipantsFieldProps {
  layerName: string;
  value: string[];
  onChange: (next: string[]) => void;
  users: UserView[];
  name: (id: string) => string;
  message?: string;
  disabled?: boolean;
}

export function ParticipantsField({ layerName, value, onChange, users, name, message, disabled }: ParticipantsFieldProps) {
  const s = useStyles();
  const listId = useId();
  const [pick, setPick] = useState("");
  const move = (i: number, by: -1 | 1) => {
    const next = [...value];
    [next[i], next[i + by]] = [next[i + by]!, next[i]!];
    onChange(next);
  };
  const label = (id: string) => (id === "" ? "Gap (nobody)" : name(id));
  return (
    <Field label={`Participants of ${layerName}, in turn`} validationMessage={message} validationState={message ? "error" : "none"}>
      <div>
        {value.length === 0 ? (
          <Text id={listId}>Nobody yet.</Text>
        ) : (
          <ol className={s.list} id={listId} aria-label={`Participants of ${layerName}`}>
            {value.map((id, i) => (
              <li key={`${i}-${id}`}>
                <span className={s.item}>
                  <Text className={mergeClasses(s.who, id === "" && s.gap)}>{label(id)}</Text>
                  {!disabled && (
                    <>
                      <Button size="small" icon={<ArrowUpRegular />} aria-label={`Move ${label(id)} up`} disabled={i === 0} onClick={() => move(i, -1)} />
                      <Button size="small" icon={<ArrowDownRegular />} aria-label={`Move ${label(id)} down`} disabled={i === value.length - 1} onClick={() => move(i, 1)} />
                      <Button size="small" icon={<DeleteRegular />} aria-label={`Remove ${label(id)}`} onClick={() => onChange(value.filter((_, j) => j !== i))} />
                    </>
                  )}
                </span>
              </li>
            ))}
          </ol>
        )}
        {!disabled && (
          <div className={s.add}>
            <Field label="Person to add" size="small">
              <Select value={pick} onChange={(_, d) => setPick(d.value)}>
                <option value="">Choose a person…</option>
                {users.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.name || u.email || u.id}
                  </option>
                ))}
              </Select>
            </Field>
            <Button
              icon={<AddRegular />}
              disabled={!pick}
              onClick={() => {
                onChange([...value, pick]);
                setPick("");
              }}
            >
              Add person
            </Button>
            <Button onClick={() => onChange([...value, ""])}>Add gap slot</Button>
          </div>
        )}
      </div>
    </Field>
  );
}
