// Who is on call now and until when, and "Take over now": the running shift (or gap) becomes mine
// from now until its end or a time I choose. The API picks the shift and checks the rights.
import {
  Body1,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Radio,
  RadioGroup,
  Subtitle1,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { PersonArrowLeftRegular } from "@fluentui/react-icons";
import { useState } from "react";
import { useSession } from "../../../api/context";
import { canConfigure } from "../../../api/rights";
import { fieldMessage } from "../../../api/problem";
import { nameOf, useCurrentShift, useTakeOver, type Override, type Shift } from "../../../api/scheduleOps";
import { useMembers } from "../../../api/people";
import type { Schedule } from "../../../pages/schedule/types";
import { formatTime, viewerZone } from "../../../time";
import { Loading, ProblemBar } from "../../States";
import { localInputToIso, toLocalInput } from "../../../time";
import { ZonedTime } from "./ZonedTime";

const useStyles = makeStyles({
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, alignItems: "flex-start", minWidth: 0 },
  fields: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
});

export function TakeOver({ schedule }: { schedule: Schedule }) {
  const s = useStyles();
  const { me } = useSession();
  const shift = useCurrentShift(schedule.id);
  const members = useMembers(schedule.team_id);
  const [confirming, setConfirming] = useState(false);
  const [taken, setTaken] = useState<Override | null>(null);
  const current = shift.data;
  const mine = current?.user?.split(",").includes(me.id) ?? false;
  return (
    <section className={s.section} aria-labelledby="oncall-now-title">
      <Subtitle1 as="h2" id="oncall-now-title">
        On call now
      </Subtitle1>
      <ProblemBar error={shift.error} />
      {shift.isPending ? (
        <Loading label="Loading who is on call…" />
      ) : current ? (
        <Body1 aria-live="polite">
          <strong>{current.user ? nameOf(members.data, current.user) : "Nobody (a gap)"}</strong> until{" "}
          <ZonedTime iso={current.end} zone={schedule.time_zone} />
        </Body1>
      ) : (
        <Body1>No shift is running now.</Body1>
      )}
      {taken && (
        <MessageBar intent="success" politeness="polite">
          <MessageBarBody>You are on call until {formatTime(taken.end)}.</MessageBarBody>
        </MessageBar>
      )}
      {canConfigure(me, schedule.team_id) && current && !mine && (
        <Button icon={<PersonArrowLeftRegular />} onClick={() => setConfirming(true)}>
          Take over now
        </Button>
      )}
      <Dialog open={confirming} onOpenChange={(_, d) => setConfirming(d.open)}>
        <DialogSurface>
          {confirming && current && (
            <TakeOverForm
              scheduleId={schedule.id}
              shift={current}
              holder={current.user ? nameOf(members.data, current.user) : "nobody (a gap)"}
              onDone={(made) => {
                setTaken(made);
                setConfirming(false);
              }}
              onCancel={() => setConfirming(false)}
            />
          )}
        </DialogSurface>
      </Dialog>
    </section>
  );
}

function TakeOverForm({
  scheduleId,
  shift,
  holder,
  onDone,
  onCancel,
}: {
  scheduleId: string;
  shift: Shift;
  holder: string;
  onDone: (made: Override) => void;
  onCancel: () => void;
}) {
  const s = useStyles();
  const take = useTakeOver(scheduleId);
  const [until, setUntil] = useState<"shift" | "chosen">("shift");
  const [chosen, setChosen] = useState(toLocalInput(new Date(shift.end)));
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        take.mutate(until === "shift" ? null : (localInputToIso(chosen) ?? ""), { onSuccess: onDone });
      }}
    >
      <DialogBody>
        <DialogTitle>Take over now?</DialogTitle>
        <DialogContent className={s.fields}>
          <Body1>
            You go on call instead of {holder} from now. Pages to this schedule reach you.
          </Body1>
          <Field label="Until">
            <RadioGroup value={until} onChange={(_, d) => setUntil(d.value as "shift" | "chosen")}>
              <Radio value="shift" label={`The end of this shift (${formatTime(shift.end)})`} />
              <Radio value="chosen" label="A time I choose" />
            </RadioGroup>
          </Field>
          {until === "chosen" && (
            <Field label={`Hand back at (your zone, ${viewerZone()})`} validationMessage={fieldMessage(take.error, "until")}>
              <Input type="datetime-local" value={chosen} onChange={(_, d) => setChosen(d.value)} />
            </Field>
          )}
          <ProblemBar error={fieldMessage(take.error, "until") ? null : take.error} />
        </DialogContent>
        <DialogActions>
          <Button appearance="secondary" onClick={onCancel}>
            Cancel
          </Button>
          <Button appearance="primary" type="submit" disabled={take.isPending}>
            Take over
          </Button>
        </DialogActions>
      </DialogBody>
    </form>
  );
}
