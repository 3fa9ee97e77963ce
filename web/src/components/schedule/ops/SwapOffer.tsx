// Offer one of my upcoming shifts on this schedule to a teammate, or to anyone in the team (the
// first to accept takes it). The API checks that the time is mine and the taker is the team's.
import { Button, Field, Select, Subtitle1, makeStyles, tokens } from "@fluentui/react-components";
import { ArrowSwapRegular } from "@fluentui/react-icons";
import { useState } from "react";
import { useSession } from "../../../api/context";
import { fieldMessage } from "../../../api/problem";
import { useRequestSwap, type ShiftSwap } from "../../../api/scheduleOps";
import { useMembers } from "../../../api/people";
import { useMyShifts } from "../../../api/schedules";
import type { Schedule } from "../../../pages/schedule/types";
import { formatTime } from "../../../time";
import { ProblemBar } from "../../States";

const DAYS = 28;
/** The "Offer to" choice that names nobody: the API's null taker. */
const ANYONE = "*";

const useStyles = makeStyles({
  form: { display: "flex", flexWrap: "wrap", alignItems: "flex-end", gap: tokens.spacingHorizontalM, rowGap: tokens.spacingVerticalS },
  // A native select is as wide as its longest option: let it shrink with the phone's width.
  field: { flexGrow: 1, flexBasis: "220px", minWidth: 0, maxWidth: "420px" },
  select: { minWidth: 0, width: "100%" },
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, minWidth: 0 },
});

export function SwapOffer({ schedule, onOffered }: { schedule: Schedule; onOffered: (swap: ShiftSwap) => void }) {
  const s = useStyles();
  const { me } = useSession();
  const shifts = useMyShifts(DAYS);
  const members = useMembers(schedule.team_id);
  const offer = useRequestSwap(schedule.id);
  const now = Date.now();
  // Upcoming only: a swap cannot start in the past (a running shift is handed over with "Take over now").
  const mine = (shifts.data?.shifts ?? []).filter((x) => x.schedule_id === schedule.id && new Date(x.start).getTime() > now);
  const others = (members.data ?? []).filter((m) => m.id !== me.id);
  const [picked, setPicked] = useState("");
  const [taker, setTaker] = useState("");
  const shift = mine.find((x) => x.start === picked) ?? mine[0];
  const to = taker || ANYONE;
  const general = ["start", "end", "taker_id"].some((f) => fieldMessage(offer.error, f)) ? null : offer.error;
  return (
    <section className={s.section} aria-labelledby="swap-offer-title">
      <Subtitle1 as="h3" id="swap-offer-title">
        Offer one of my shifts
      </Subtitle1>
      <form
        className={s.form}
        onSubmit={(e) => {
          e.preventDefault();
          if (shift) offer.mutate({ start: shift.start, end: shift.end, taker_id: to === ANYONE ? null : to }, { onSuccess: onOffered });
        }}
      >
        <Field
          className={s.field}
          label="My shift"
          hint={mine.length === 0 && !shifts.isPending ? `You have no upcoming shifts here in the next ${DAYS} days.` : undefined}
          validationMessage={fieldMessage(offer.error, "start") ?? fieldMessage(offer.error, "end")}
        >
          <Select className={s.select} value={shift?.start ?? ""} onChange={(_, d) => setPicked(d.value)} disabled={mine.length === 0}>
            {mine.map((x) => (
              <option key={x.start} value={x.start}>
                {formatTime(x.start)} – {formatTime(x.end)}
              </option>
            ))}
          </Select>
        </Field>
        <Field className={s.field} label="Offer to" validationMessage={fieldMessage(offer.error, "taker_id")}>
          <Select className={s.select} value={to} onChange={(_, d) => setTaker(d.value)}>
            <option value={ANYONE}>Anyone in the team</option>
            {others.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name || m.email || m.id}
              </option>
            ))}
          </Select>
        </Field>
        <Button type="submit" icon={<ArrowSwapRegular />} disabled={!shift || offer.isPending}>
          Offer swap
        </Button>
      </form>
      <ProblemBar error={shifts.error ?? members.error ?? general} />
    </section>
  );
}
