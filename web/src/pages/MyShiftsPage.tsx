// My shifts: my upcoming shifts across schedules, and my calendar subscription link.
import { Body1, Button, Caption1, Field, Input, Subtitle1, Title2, makeStyles, tokens } from "@fluentui/react-components";
import { CalendarLtrRegular } from "@fluentui/react-icons";
import { useMutation } from "@tanstack/react-query";
import { useSession } from "../api/context";
import { unwrap } from "../api/client";
import { useMyShifts } from "../api/schedules";
import { Empty, Loading, ProblemBar } from "../components/States";
import { formatTime, viewerZone } from "../time";

const DAYS = 28;
const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, minWidth: 0 },
  list: { listStyleType: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  item: { display: "flex", flexDirection: "column", overflowWrap: "anywhere" },
  link: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, maxWidth: "640px" },
});

function CalendarLink() {
  const s = useStyles();
  const { api } = useSession();
  const issue = useMutation({ mutationFn: async () => unwrap(await api.POST("/me/calendar-link")).url });
  return (
    <section className={s.link} aria-labelledby="calendar-title">
      <Subtitle1 as="h2" id="calendar-title">
        Calendar subscription
      </Subtitle1>
      <Body1>Subscribe to your shifts in Outlook or any calendar app. A new link replaces the previous one.</Body1>
      <div>
        <Button icon={<CalendarLtrRegular />} onClick={() => issue.mutate()} disabled={issue.isPending}>
          Get my calendar link
        </Button>
      </div>
      {issue.data && (
        <Field label="Subscription URL (keep it secret)">
          <Input readOnly value={issue.data} onFocus={(e) => e.currentTarget.select()} />
        </Field>
      )}
      <ProblemBar error={issue.error} />
    </section>
  );
}

export function MyShiftsPage() {
  const s = useStyles();
  const shifts = useMyShifts(DAYS);
  const mine = shifts.data?.shifts ?? [];
  return (
    <section className={s.page} aria-labelledby="shifts-title">
      <Title2 as="h1" id="shifts-title">
        My shifts
      </Title2>
      <Caption1>The next {DAYS} days, in your zone ({viewerZone()}).</Caption1>
      <ProblemBar error={shifts.error} />
      {shifts.isPending ? (
        <Loading label="Loading shifts…" />
      ) : mine.length === 0 ? (
        <Empty>You have no shifts in the next {DAYS} days.</Empty>
      ) : (
        <ul className={s.list} aria-label="My upcoming shifts">
          {mine.map((shift) => (
            <li key={`${shift.schedule_id}-${shift.start}`} className={s.item}>
              <Body1>
                {formatTime(shift.start)} – {formatTime(shift.end)}
              </Body1>
              <Caption1>
                {shift.schedule_name} ({formatTime(shift.start, shift.time_zone)} in {shift.time_zone})
              </Caption1>
            </li>
          ))}
        </ul>
      )}
      <CalendarLink />
    </section>
  );
}
