// The schedule's day-to-day changes: who is on call now (and taking over), overrides, swaps.
import { MessageBar, MessageBarBody, Subtitle1, makeStyles, tokens } from "@fluentui/react-components";
import { useState } from "react";
import { canAct, useSession } from "../../api/context";
import { nameOf, type ShiftSwap } from "../../api/scheduleOps";
import { useMembers } from "../../api/people";
import { OverrideList } from "../../components/schedule/ops/OverrideList";
import { SwapList } from "../../components/schedule/ops/SwapList";
import { SwapOffer } from "../../components/schedule/ops/SwapOffer";
import { TakeOver } from "../../components/schedule/ops/TakeOver";
import { formatTime } from "../../time";
import type { ScheduleTabProps } from "./types";

const useStyles = makeStyles({
  tab: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXL, minWidth: 0 },
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, minWidth: 0 },
});

export function ScheduleOpsTab({ schedule }: ScheduleTabProps) {
  const s = useStyles();
  const { me } = useSession();
  const members = useMembers(schedule.team_id);
  const [offered, setOffered] = useState<ShiftSwap | null>(null);
  const viewer = !canAct(me);
  return (
    <div className={s.tab}>
      <TakeOver schedule={schedule} />
      <OverrideList schedule={schedule} />
      <section className={s.section} aria-labelledby="swaps-title">
        <Subtitle1 as="h2" id="swaps-title">
          Shift swaps
        </Subtitle1>
        {!viewer && <SwapOffer schedule={schedule} onOffered={setOffered} />}
        {offered && (
          <MessageBar intent="success" politeness="polite">
            <MessageBarBody>
              Offered {formatTime(offered.start)} – {formatTime(offered.end)} to {offered.taker_id ? nameOf(members.data, offered.taker_id) : "anyone in the team"}.
            </MessageBarBody>
          </MessageBar>
        )}
        <SwapList schedule={schedule} />
      </section>
    </div>
  );
}
