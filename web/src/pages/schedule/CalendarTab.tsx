// The schedule and calendars: import an external calendar as overrides, subscribe, export.
import { makeStyles, tokens } from "@fluentui/react-components";
import { useSession } from "../../api/context";
import { canConfigure } from "../../api/rights";
import { IcalImport } from "../../components/schedule/ops/IcalImport";
import { IcalLinks } from "../../components/schedule/ops/IcalLinks";
import type { ScheduleTabProps } from "./types";

const useStyles = makeStyles({
  tab: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXL, minWidth: 0 },
});

export function ScheduleCalendarTab({ schedule }: ScheduleTabProps) {
  const s = useStyles();
  const { me } = useSession();
  return (
    <div className={s.tab}>
      <IcalLinks schedule={schedule} />
      {canConfigure(me, schedule.team_id) && <IcalImport schedule={schedule} />}
    </div>
  );
}
