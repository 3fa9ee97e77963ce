// Who and what: status, severity, service, team, assignees, acknowledgers, times.
import { Body1, Caption1, makeStyles, tokens } from "@fluentui/react-components";
import type { Incident } from "../api/incidents";
import { formatTime, relative } from "../time";
import { SeverityBadge, StatusBadge } from "./Badges";

const useStyles = makeStyles({
  grid: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fill, minmax(min(100%, 220px), 1fr))",
    gap: tokens.spacingVerticalM,
    margin: 0,
  },
  item: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS, minWidth: 0, overflowWrap: "anywhere" },
  dd: { margin: 0 },
  desc: { whiteSpace: "pre-wrap", overflowWrap: "anywhere" },
});

export function IncidentSummary({ incident, name }: { incident: Incident; name: (id: string | null | undefined) => string }) {
  const s = useStyles();
  const people = (ids: string[] | undefined) => (ids?.length ? ids.map(name).join(", ") : "—");
  const rows: [string, React.ReactNode][] = [
    ["Status", <StatusBadge status={incident.status ?? "triggered"} />],
    ["Severity", <SeverityBadge severity={incident.severity ?? "P3"} />],
    ["Service", name(incident.service_id)],
    ["Team", name(incident.team_id)],
    ["Assignees", people(incident.assignees)],
    ["Acknowledged by", people(incident.acknowledgers)],
    ["Opened", `${formatTime(incident.created_at)} (${relative(incident.created_at)})`],
    ["Alerts", String(incident.alert_count ?? 1)],
  ];
  if (incident.snoozed_until) rows.push(["Snoozed until", formatTime(incident.snoozed_until)]);
  if (incident.resolved_at) rows.push(["Resolved", formatTime(incident.resolved_at)]);
  return (
    <>
      <dl className={s.grid}>
        {rows.map(([k, v]) => (
          <div key={k} className={s.item}>
            <dt>
              <Caption1>{k}</Caption1>
            </dt>
            <dd className={s.dd}>
              <Body1>{v}</Body1>
            </dd>
          </div>
        ))}
      </dl>
      {incident.description && <Body1 className={s.desc}>{incident.description}</Body1>}
    </>
  );
}
