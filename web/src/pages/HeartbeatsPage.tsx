// Heartbeats (dead man's switches): each one's last ping, interval and state as the API's timer
// rule sees it; new ones are heartbeat integrations, whose ping URL is shown once.
import {
  Badge,
  Caption1,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Title2,
  makeStyles,
  tokens,
  type BadgeProps,
} from "@fluentui/react-components";
import { useState } from "react";
import { Link as RouterLink } from "react-router";
import { useServices } from "../api/catalog";
import { useSession } from "../api/context";
import { canConfigure } from "../api/rights";
import { useConfigNames, useHeartbeats, type HeartbeatStatus, type IntegrationCreated } from "../api/services";
import { CreateIntegrationDialog } from "../components/service/CreateIntegrationDialog";
import { KeyOnce } from "../components/service/KeyOnce";
import { Empty, Loading, ProblemBar } from "../components/States";
import { formatTime, relative } from "../time";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, minWidth: 0 },
  head: { display: "flex", flexWrap: "wrap", alignItems: "center", justifyContent: "space-between", gap: tokens.spacingHorizontalM },
  scroll: { overflowX: "auto" },
  cell: { overflowWrap: "anywhere" },
  link: { color: tokens.colorBrandForegroundLink },
  created: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingVerticalM,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    minWidth: 0,
  },
});

const STATES: Record<HeartbeatStatus["state"], [string, BadgeProps["color"]]> = {
  ok: ["OK", "success"],
  waiting: ["Never pinged", "informative"],
  missed: ["Missed", "danger"],
  unmonitored: ["Unmonitored", "subtle"],
  disabled: ["Disabled", "subtle"],
};

function interval(seconds: number | null): string {
  if (!seconds) return "—";
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

export function HeartbeatsPage() {
  const s = useStyles();
  const { me } = useSession();
  const name = useConfigNames();
  const beats = useHeartbeats();
  const services = (useServices().data ?? []).filter((svc) => canConfigure(me, svc.team_id));
  const [created, setCreated] = useState<IntegrationCreated | null>(null);
  const list = [...(beats.data ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <section className={s.page} aria-labelledby="heartbeats-title">
      <div className={s.head}>
        <Title2 as="h1" id="heartbeats-title">
          Heartbeats
        </Title2>
        {services.length > 0 && (
          <CreateIntegrationDialog services={services} format="heartbeat" trigger="New heartbeat" onCreated={setCreated} />
        )}
      </div>
      <Caption1>A job pings its heartbeat's URL every run; when no ping arrives within the interval, an incident opens.</Caption1>
      {created && (
        <section className={s.created} aria-label={`Ping URL of ${created.integration.name}`}>
          <KeyOnce created={created} onDone={() => setCreated(null)} />
        </section>
      )}
      <ProblemBar error={beats.error} />
      {beats.isPending ? (
        <Loading label="Loading heartbeats…" />
      ) : list.length === 0 ? (
        <Empty>No heartbeats yet.</Empty>
      ) : (
        <div className={s.scroll} role="region" aria-label="Heartbeats table" tabIndex={0}>
          <Table size="small" aria-labelledby="heartbeats-title">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Heartbeat</TableHeaderCell>
                <TableHeaderCell>State</TableHeaderCell>
                <TableHeaderCell>Last ping</TableHeaderCell>
                <TableHeaderCell>Expected every</TableHeaderCell>
                <TableHeaderCell>Due by</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {list.map((b) => {
                const [label, color] = STATES[b.state] ?? [b.state, "subtle"];
                return (
                  <TableRow key={b.integration_id}>
                    <TableCell className={s.cell}>
                      {b.name}
                      <br />
                      <RouterLink className={s.link} to={`/services/${encodeURIComponent(b.service_id)}`}>
                        {name(b.service_id)}
                      </RouterLink>
                    </TableCell>
                    <TableCell>
                      <Badge color={color}>{label}</Badge>
                    </TableCell>
                    <TableCell className={s.cell}>{b.last_ping ? `${relative(b.last_ping)} (${formatTime(b.last_ping)})` : "Never"}</TableCell>
                    <TableCell>{interval(b.interval_seconds)}</TableCell>
                    <TableCell className={s.cell}>{b.due_at ? formatTime(b.due_at) : "—"}</TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </div>
      )}
    </section>
  );
}
