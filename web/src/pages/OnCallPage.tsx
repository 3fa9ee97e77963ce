// On call now: per team and schedule, who is on call now and next, hand-offs in two zones.
import { Body1, Caption1, Card, CardHeader, Link, Subtitle1, Subtitle2, Title2, makeStyles, tokens } from "@fluentui/react-components";
import { ChatRegular, MailRegular } from "@fluentui/react-icons";
import { useNames } from "../api/catalog";
import { useOnCall, type OnCallShift, type ScheduleOnCall } from "../api/schedules";
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
  team: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  who: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS },
  reach: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalM },
});

/** A moment in the viewer's zone, and in the schedule's when that differs. */
export function twoZones(iso: string, scheduleZone: string, here: string = viewerZone()): string {
  const mine = formatTime(iso, here);
  return scheduleZone === here ? mine : `${mine} (${formatTime(iso, scheduleZone)})`;
}

function Slot({ label, shift, zone }: { label: "Now" | "Next"; shift: OnCallShift | null; zone: string }) {
  const s = useStyles();
  if (!shift || shift.users.length === 0) {
    return (
      <div className={s.who}>
        <Subtitle2>{label}: nobody</Subtitle2>
      </div>
    );
  }
  return (
    <div className={s.who}>
      <Subtitle2>
        {label}: {shift.users.map((u) => u.name).join(", ")}
      </Subtitle2>
      <Caption1>
        {label === "Now" ? `Hands off ${twoZones(shift.end, zone)}` : `Takes over ${twoZones(shift.start, zone)}`}
      </Caption1>
      {shift.users
        .filter((u) => u.email)
        .map((u) => (
          <span key={u.id} className={s.reach}>
            <Link href={`mailto:${u.email}`}>
              <MailRegular aria-hidden /> {u.email}
            </Link>
            <Link href={`https://teams.microsoft.com/l/chat/0/0?users=${encodeURIComponent(u.email!)}`} target="_blank" rel="noreferrer">
              <ChatRegular aria-hidden /> Chat with {u.name} in Teams
            </Link>
          </span>
        ))}
    </div>
  );
}

function ScheduleCard({ item }: { item: ScheduleOnCall }) {
  const s = useStyles();
  return (
    <Card className={s.card}>
      <CardHeader header={<Subtitle2 as="h3">{item.schedule_name}</Subtitle2>} description={<Caption1>{item.time_zone}</Caption1>} />
      {item.problem && <Body1>{item.problem}</Body1>}
      <Slot label="Now" shift={item.now} zone={item.time_zone} />
      <Slot label="Next" shift={item.next} zone={item.time_zone} />
    </Card>
  );
}

export function OnCallPage() {
  const s = useStyles();
  const name = useNames();
  const oncall = useOnCall();
  const list = oncall.data?.schedules ?? [];
  const teams = new Map<string, ScheduleOnCall[]>();
  for (const item of [...list].sort((a, b) => a.schedule_name.localeCompare(b.schedule_name))) {
    teams.set(item.team_id, [...(teams.get(item.team_id) ?? []), item]);
  }
  return (
    <section className={s.page} aria-labelledby="oncall-title">
      <Title2 as="h1" id="oncall-title">
        On call now
      </Title2>
      <Caption1>Times in your zone ({viewerZone()}); the schedule's zone in brackets when it differs.</Caption1>
      <ProblemBar error={oncall.error} />
      {oncall.isPending ? (
        <Loading label="Loading who is on call…" />
      ) : list.length === 0 ? (
        <Empty>No schedules in your teams yet.</Empty>
      ) : (
        [...teams.entries()]
          .sort(([a], [b]) => name(a).localeCompare(name(b)))
          .map(([teamId, items]) => (
            <section key={teamId} className={s.team} aria-labelledby={`team-${teamId}`}>
              <Subtitle1 as="h2" id={`team-${teamId}`}>
                {name(teamId)}
              </Subtitle1>
              <div className={s.grid}>
                {items.map((item) => (
                  <ScheduleCard key={item.schedule_id} item={item} />
                ))}
              </div>
            </section>
          ))
      )}
    </section>
  );
}
