// Escalation policies of the caller's teams, grouped by team, with the services that use each.
import {
  Button,
  Caption1,
  Subtitle1,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Title2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { AddRegular } from "@fluentui/react-icons";
import { Link, useNavigate } from "react-router";
import { useNames, useServices } from "../api/catalog";
import { useSession } from "../api/context";
import { usePolicies, type Policy } from "../api/policies";
import { canConfigureAny } from "../api/rights";
import { Empty, Loading, ProblemBar } from "../components/States";
import { formatTime } from "../time";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, minWidth: 0 },
  head: { display: "flex", flexWrap: "wrap", alignItems: "center", justifyContent: "space-between", gap: tokens.spacingHorizontalM },
  team: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, minWidth: 0 },
  link: { color: tokens.colorBrandForegroundLink },
  cell: { overflowWrap: "anywhere" },
  // On a phone the secondary columns give way to the name and its services.
  wide: { "@media (max-width: 600px)": { display: "none" } },
});

function TeamPolicies({ teamId, policies, usedBy }: { teamId: string; policies: Policy[]; usedBy: Map<string, string[]> }) {
  const s = useStyles();
  const name = useNames();
  return (
    <section className={s.team} aria-labelledby={`team-${teamId}`}>
      <Subtitle1 as="h2" id={`team-${teamId}`}>
        {name(teamId)}
      </Subtitle1>
      <Table aria-labelledby={`team-${teamId}`} size="small">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Policy</TableHeaderCell>
            <TableHeaderCell>Used by</TableHeaderCell>
            <TableHeaderCell className={s.wide}>Steps</TableHeaderCell>
            <TableHeaderCell className={s.wide}>Version</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {policies.map((p) => (
            <TableRow key={p.id}>
              <TableCell className={s.cell}>
                <Link className={s.link} to={`/escalation-policies/${encodeURIComponent(p.id)}`}>
                  {p.name}
                </Link>
              </TableCell>
              <TableCell className={s.cell}>{(usedBy.get(p.id) ?? []).join(", ") || "No service"}</TableCell>
              <TableCell className={s.wide}>{p.steps.length}</TableCell>
              <TableCell className={s.wide}>
                {p.version}
                {p.updated_at ? <Caption1> ({formatTime(p.updated_at)})</Caption1> : null}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </section>
  );
}

export function PoliciesPage() {
  const s = useStyles();
  const { me } = useSession();
  const navigate = useNavigate();
  const name = useNames();
  const policies = usePolicies();
  const services = useServices().data ?? [];
  const usedBy = new Map<string, string[]>();
  for (const svc of services) {
    if (svc.escalation_policy_id) usedBy.set(svc.escalation_policy_id, [...(usedBy.get(svc.escalation_policy_id) ?? []), svc.name]);
  }
  const teams = new Map<string, Policy[]>();
  for (const p of [...(policies.data ?? [])].sort((a, b) => a.name.localeCompare(b.name))) {
    teams.set(p.team_id, [...(teams.get(p.team_id) ?? []), p]);
  }
  return (
    <section className={s.page} aria-labelledby="policies-title">
      <div className={s.head}>
        <Title2 as="h1" id="policies-title">
          Escalation policies
        </Title2>
        {canConfigureAny(me) && (
          <Button appearance="primary" icon={<AddRegular />} onClick={() => void navigate("/escalation-policies/new")}>
            New policy
          </Button>
        )}
      </div>
      <ProblemBar error={policies.error} />
      {policies.isPending ? (
        <Loading label="Loading policies…" />
      ) : teams.size === 0 ? (
        <Empty>No escalation policies in your teams yet.</Empty>
      ) : (
        [...teams.entries()]
          .sort(([a], [b]) => name(a).localeCompare(name(b)))
          .map(([teamId, list]) => <TeamPolicies key={teamId} teamId={teamId} policies={list} usedBy={usedBy} />)
      )}
    </section>
  );
}
