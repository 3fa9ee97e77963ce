// Put someone on call for a range: from the timeline (a picked range) or the ops tab's form. The
// inputs are the viewer's wall-clock times; the API checks the person, the team and the length.
import {
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  Select,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useState } from "react";
import { useSession } from "../../api/context";
import { fieldMessage } from "../../api/problem";
import { useCreateOverride, useScheduleBasics } from "../../api/scheduleOps";
import { useMembers } from "../../api/people";
import type { TimeRange } from "../../pages/schedule/types";
import { viewerZone } from "../../time";
import { ProblemBar } from "../States";
import { localInputToIso, toLocalInput } from "../../time";

const useStyles = makeStyles({
  fields: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
});

/** Open while `range` is set; closing (saved or cancelled) calls onClose. */
export function OverrideDialog({ scheduleId, range, onClose }: { scheduleId: string; range: TimeRange | null; onClose: () => void }) {
  return (
    <Dialog open={range !== null} onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface>
        {/* Keyed by the range so each opening starts from the range it was given. */}
        {range && <OverrideForm key={`${range.start.getTime()}-${range.end.getTime()}`} scheduleId={scheduleId} range={range} onClose={onClose} />}
      </DialogSurface>
    </Dialog>
  );
}

function OverrideForm({ scheduleId, range, onClose }: { scheduleId: string; range: TimeRange; onClose: () => void }) {
  const s = useStyles();
  const { me } = useSession();
  const schedule = useScheduleBasics(scheduleId);
  const members = useMembers(schedule.data?.team_id ?? "");
  const create = useCreateOverride(scheduleId);
  const [user, setUser] = useState("");
  const [start, setStart] = useState(toLocalInput(range.start));
  const [end, setEnd] = useState(toLocalInput(range.end));
  const people = schedule.data ? (members.data ?? []) : [];
  // Until the person picks, the caller when they are in the team, else the first member.
  const who = user || people.find((m) => m.id === me.id)?.id || people[0]?.id || "";

  const submit = () => {
    const body = { user: who, start: localInputToIso(start) ?? "", end: localInputToIso(end) ?? "" };
    create.mutate(body, { onSuccess: onClose });
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <DialogBody>
        <DialogTitle>Add override</DialogTitle>
        <DialogContent className={s.fields}>
          <Caption1>
            Times are in your zone ({viewerZone()}){schedule.data ? `; the schedule runs in ${schedule.data.time_zone}` : ""}.
          </Caption1>
          <Field label="Who is on call" required validationMessage={fieldMessage(create.error, "user")}>
            {/* Never disabled while the people load: the dialog's first focus lands here. */}
            <Select value={who} onChange={(_, d) => setUser(d.value)}>
              {people.length === 0 && <option value="">Loading people…</option>}
              {people.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name || m.email || m.id}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Start" required validationMessage={fieldMessage(create.error, "start")}>
            <Input type="datetime-local" value={start} onChange={(_, d) => setStart(d.value)} />
          </Field>
          <Field label="End" required validationMessage={fieldMessage(create.error, "end")}>
            <Input type="datetime-local" value={end} onChange={(_, d) => setEnd(d.value)} />
          </Field>
          <ProblemBar error={schedule.error ?? members.error ?? (fieldOnly(create.error) ? null : create.error)} />
        </DialogContent>
        <DialogActions>
          <Button appearance="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button appearance="primary" type="submit" disabled={create.isPending || !who}>
            Save override
          </Button>
        </DialogActions>
      </DialogBody>
    </form>
  );
}

/** A refusal already shown on a field needs no second message bar. */
function fieldOnly(error: unknown): boolean {
  return ["user", "start", "end"].some((f) => fieldMessage(error, f) !== undefined);
}
