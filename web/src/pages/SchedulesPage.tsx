// Schedules grouped by team, who is on call in each now (the API's answer), and "New schedule".
import { Body1, Caption1, Card, CardHeader, Subtitle1, Subtitle2, Title2, makeStyles, tokens } from "@fluentui/react-components";
import { Link as RouterLink } from "react-router";
import { useNames, useTeams } from "../api/catalog";
import { useSession } from "../api/context";
import { canConfigure } from "../api/rights";
import { useSchedules, type ListedSchedule } from "../api/scheduleEditor";
import { useOnCall, type ScheduleOnCall } from "../api/schedules";
import { NewScheduleDialog } from "../components/schedule/NewScheduleDialog";
import { Empty, Loading, ProblemBar } from "../components/States";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, minWidth: 0 },
  head: { display: "flex", flexWrap: "wrap", alignItems: "center", justifyContent: "space-between", gap: tokens.spacingHorizontalM },
  team: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  grid: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fill, minmax(min(100%, 300px), 1fr))",
    gap: tokens.spacingHorizontalM,
    margin: 0,
    padding: 0,
    listStyleType: "none",
  },
  card: { minWidth: 0, overflowWrap: "anywhere", height: "100%" },
  link: { color: tokens.colorBrandForegroundLink, ":hover": { color: tokens.colorBrandForegroundLinkHover } },
  problem: { color: tokens.colorPaletteRedForeground1 },
});

function ScheduleCard({ schedule, now }: { schedule: ListedSchedule; now: ScheduleOnCall | undefined }) {
  const s = useStyles();
  const who = now?.now?.users.map((u) => u.name).join(", ");
  return (
    <Card className={s.card}>
      <CardHeader
        header={
          <Subtitle2 as="h3">
            <RouterLink className={s.link} to={`/schedules/${schedule.id}`}>
              {schedule.name}
            </RouterLink>
          </Subtitle2>
        }
        description={<Caption1>{schedule.time_zone}</Caption1>}
      />
      <Body1>{now ? (who ? `On call now: ${who}` : "On call now: nobody") : `${schedule.layers.length} layer${schedule.layers.length === 1 ? "" : "s"}`}</Body1>
      {schedule.problems.length > 0 && <Caption1 className={s.problem}>Needs repair: {schedule.problems.map((p) => p.detail || p.title).join("; ")}</Caption1>}
    </Card>
  );
}

export function SchedulesPage() {
  const s = useStyles();
  const { me } = useSession();
  const name = useNames();
  const schedules = useSchedules();
  const oncall = useOnCall();
  const teams = useTeams();
  const now = new Map((oncall.data?.schedules ?? []).map((x) => [x.schedule_id, x]));
  const mine = (teams.data ?? []).filter((t) => canConfigure(me, t.id));
  const byTeam = new Map<string, ListedSchedule[]>();
  for (const item of [...(schedules.data ?? [])].sort((a, b) => a.name.localeCompare(b.name))) {
    byTeam.set(item.team_id, [...(byTeam.get(item.team_id) ?? []), item]);
  }
  return (
    <section className={s.page} aria-labelledby="schedules-title">
      <div className={s.head}>
        <Title2 as="h1" id="schedules-title">
          Schedules
        </Title2>
        {mine.length > 0 && <NewScheduleDialog teams={mine} />}
      </div>
      <ProblemBar error={schedules.error} />
      {schedules.isPending ? (
        <Loading label="Loading schedules…" />
      ) : byTeam.size === 0 ? (
        <Empty>No schedules yet.</Empty>
      ) : (
        [...byTeam.entries()]
          .sort(([a], [b]) => name(a).localeCompare(name(b)))
          .map(([teamId, items]) => (
            <section key={teamId} className={s.team} aria-labelledby={`team-${teamId}`}>
              <Subtitle1 as="h2" id={`team-${teamId}`}>
                {name(teamId)}
              </Subtitle1>
              <ul className={s.grid}>
                {items.map((item) => (
                  <li key={item.id}>
                    <ScheduleCard schedule={item} now={now.get(item.id)} />
                  </li>
                ))}
              </ul>
            </section>
          ))
      )}
    </section>
  );
}
