// The schedule's shifts for calendar apps: a secret subscription link (copy button) and a
// one-off .ics download.
import { Body1, Button, Subtitle1, makeStyles, tokens } from "@fluentui/react-components";
import { ArrowDownloadRegular, CalendarLtrRegular } from "@fluentui/react-icons";
import { useSession } from "../../../api/context";
import { canConfigure } from "../../../api/rights";
import { useIcalExport, useIcalLink } from "../../../api/scheduleOps";
import type { Schedule } from "../../../pages/schedule/types";
import { ProblemBar } from "../../States";
import { CopyField } from "../../CopyField";

const EXPORT_DAYS = 60;

const useStyles = makeStyles({
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, maxWidth: "720px", minWidth: 0 },
});

export function IcalLinks({ schedule }: { schedule: Schedule }) {
  const s = useStyles();
  const { me } = useSession();
  const link = useIcalLink(schedule.id);
  const download = useIcalExport(schedule.id);
  const save = (text: string) => {
    const url = URL.createObjectURL(new Blob([text], { type: "text/calendar" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `${schedule.name || schedule.id}.ics`;
    a.click();
    // Revoked after the click has been handled: revoking at once can cancel the download.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  };
  return (
    <>
      <section className={s.section} aria-labelledby="ical-link-title">
        <Subtitle1 as="h2" id="ical-link-title">
          Subscription link
        </Subtitle1>
        <Body1>
          Outlook, Google Calendar or any calendar app can subscribe to this schedule&apos;s shifts. Anyone with the link can read them;
          a new link replaces the previous one.
        </Body1>
        {canConfigure(me, schedule.team_id) && (
          <div>
            <Button icon={<CalendarLtrRegular />} disabled={link.isPending} onClick={() => link.mutate()}>
              {link.data ? "Replace the link" : "Get the subscription link"}
            </Button>
          </div>
        )}
        {link.data && <CopyField label="Subscription URL (keep it secret)" value={link.data} />}
        <ProblemBar error={link.error} />
      </section>
      <section className={s.section} aria-labelledby="ical-export-title">
        <Subtitle1 as="h2" id="ical-export-title">
          Export
        </Subtitle1>
        <Body1>The next {EXPORT_DAYS} days of shifts as an .ics file.</Body1>
        <div>
          <Button icon={<ArrowDownloadRegular />} disabled={download.isPending} onClick={() => download.mutate(EXPORT_DAYS, { onSuccess: save })}>
            Download .ics
          </Button>
        </div>
        <ProblemBar error={download.error} />
      </section>
    </>
  );
}
