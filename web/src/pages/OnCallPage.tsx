// On call now: per team and schedule, who is on call now and next, hand-offs in two zones.
import { Body1, Caption1, Card, CardHeader, Link, Subtitle1, Subtitle2, Title2, makeStyles, tokens } from "@fluentui/react-components";
import { MailRegular, ChatRegular } from "@fluentui/react-icons";
import { useNames, useUsers, type UserView } from "../api/catalog";
import { nowAndNext, useSchedules, useShifts, type ListedSchedule, type Shift } from "../api/schedules";
import { Empty, Loading, ProblemBar } from "../components/States";
import { formatTime, viewerZone } from "../time";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, minWidth: 0 },
  grid: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fill, minmax(min(100%, 320px), 1fr))",
    gap: tokens.spacingHorizontalM,
  },
  card: { minWidth: 0, overflowWrap: "anywhere" },
  who: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS },
  reach: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalM },
});

function Reach({ user }: { user: UserView | undefined }) {
  const s = useStyles();
  if (!user?.email) return null;
  return (
    <span className={s.reach}>
      <Link href={`mailto:${user.email}`}>
        <MailRegular aria-hidden /> {user.email}
      </Link>
      <Link href={`https://teams.microsoft.com/l/chat/0/0?users=${encodeURIComponent(user.email)}`} target="_blank" rel="noreferrer">
        <ChatRegular aria-hidden /> Teams chat
      </Link>
    </span>
  );
}

function Slot({ label, shift, zone, users }: { label: string; shift: Shift | null; zone: string; users: UserView[] }) {
  const s = useStyles();
  const name = useNames();
  const here = viewerZone();
  if (!shift || !shift.user) {
    return (
      <div className={s.who}>
        <Subtitle2>{label}</Subtitle2>
        <Body1>Nobody</Body1>
      </div>
    );
  }
  const until = label === "Now" ? shift.end : shift.start;
  return (
    <div className={s.who}>
      <Subtitle2>
        {label}: {name(shift.user)}
      </Subtitle2>
      <Caption1>
        {label === "Now" ? "Hands off" : "Takes over"} {formatTime(until, here)}
        {zone !== here ? ` (${formatTime(until, zone)})` : ""}
      </Caption1>
      <Reach user={users.find((u) => u.id === shift.user)} />
    </div>
  );
}

function ScheduleCard({ schedule, shifts, users }: { schedule: ListedSchedule; shifts: Shift[] | undefined; users: UserView[] }) {
  const s = useStyles();
  const name = useNames();
  const { now, next } = nowAndNext(shifts ?? []);
  return (
    <Card className={s.card}>
      <CardHeader header={<Subtitle1 as="h2">{schedule.name}</Subtitle1>} description={<Caption1>{name(schedule.team_id)} · {schedule.time_zone}</Caption1>} />
      {shifts === undefined ? (
        <Loading />
      ) : (
        <>
          <Slot label="Now" shift={now} zone={schedule.time_zone} users={users} />
          <Slot label="Next" shift={next} zone={schedule.time_zone} users={users} />
        </>
      )}
    </Card>
  );
}

export function OnCallPage() {
  const s = useStyles();
  const schedules = useSchedules();
  const list = schedules.data ?? [];
  const shifts = useShifts(list, 14);
  const users = useUsers().data ?? [];
  return (
    <section className={s.page} aria-labelledby="oncall-title">
      <Title2 as="h1" id="oncall-title">
        On call now
      </Title2>
      <Caption1>Times in your zone ({viewerZone()}); the schedule's zone in brackets when it differs.</Caption1>
      <ProblemBar error={schedules.error ?? shifts.find((q) => q.error)?.error} />
      {schedules.isPending ? (
        <Loading label="Loading schedules…" />
      ) : list.length === 0 ? (
        <Empty>No schedules yet.</Empty>
      ) : (
        <div className={s.grid}>
          {[...list]
            .sort((a, b) => a.team_id.localeCompare(b.team_id) || a.name.localeCompare(b.name))
            .map((sch, i) => (
              <ScheduleCard key={sch.id} schedule={sch} shifts={shifts[i]?.data} users={users} />
            ))}
        </div>
      )}
    </section>
  );
}
