// My shifts: my upcoming shifts across schedules, and my calendar subscription link.
import { Body1, Button, Caption1, Field, Input, Subtitle1, Title2, makeStyles, tokens } from "@fluentui/react-components";
import { CalendarLtrRegular } from "@fluentui/react-icons";
import { useMutation } from "@tanstack/react-query";
import { useSession } from "../api/context";
import { unwrap } from "../api/client";
import { useSchedules, useShifts, type ListedSchedule, type Shift } from "../api/schedules";
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
  const { me } = useSession();
  const schedules = useSchedules();
  const list = schedules.data ?? [];
  const results = useShifts(list, DAYS);
  const mine: { schedule: ListedSchedule; shift: Shift }[] = list
    .flatMap((schedule, i) => (results[i]?.data ?? []).filter((sh) => sh.user === me.id).map((shift) => ({ schedule, shift })))
    .sort((a, b) => a.shift.start.localeCompare(b.shift.start));
  const loading = schedules.isPending || results.some((r) => r.isPending);
  return (
    <section className={s.page} aria-labelledby="shifts-title">
      <Title2 as="h1" id="shifts-title">
        My shifts
      </Title2>
      <Caption1>The next {DAYS} days, in your zone ({viewerZone()}).</Caption1>
      <ProblemBar error={schedules.error ?? results.find((r) => r.error)?.error} />
      {loading ? (
        <Loading label="Loading shifts…" />
      ) : mine.length === 0 ? (
        <Empty>You have no shifts in the next {DAYS} days.</Empty>
      ) : (
        <ul className={s.list} aria-label="My upcoming shifts">
          {mine.map(({ schedule, shift }) => (
            <li key={`${schedule.id}-${shift.start}`} className={s.item}>
              <Body1>
                {formatTime(shift.start)} – {formatTime(shift.end)}
              </Body1>
              <Caption1>
                {schedule.name} ({formatTime(shift.start, schedule.time_zone)} in {schedule.time_zone})
              </Caption1>
            </li>
          ))}
        </ul>
      )}
      <CalendarLink />
    </section>
  );
}
