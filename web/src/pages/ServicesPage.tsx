// Services by team: each links to its page (integrations, routes); admins create new ones here.
import {
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
import { Link as RouterLink, useNavigate } from "react-router";
import { useServices, useTeams, type Service } from "../api/catalog";
import { useSession } from "../api/context";
import { canConfigureAny } from "../api/rights";
import { usePolicies } from "../api/policies";
import { ServiceDialog } from "../components/service/ServiceDialog";
import { Empty, Loading, ProblemBar } from "../components/States";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, minWidth: 0 },
  head: { display: "flex", flexWrap: "wrap", alignItems: "center", justifyContent: "space-between", gap: tokens.spacingHorizontalM },
  team: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, minWidth: 0 },
  cell: { overflowWrap: "anywhere" },
  link: { color: tokens.colorBrandForegroundLink },
});

export function ServicesPage() {
  const s = useStyles();
  const { me } = useSession();
  const navigate = useNavigate();
  const services = useServices();
  const teams = useTeams();
  const policies = usePolicies();
  const policyName = new Map((policies.data ?? []).map((p) => [p.id, p.name]));
  const byTeam = new Map<string, Service[]>();
  for (const svc of [...(services.data ?? [])].sort((a, b) => a.name.localeCompare(b.name))) {
    byTeam.set(svc.team_id, [...(byTeam.get(svc.team_id) ?? []), svc]);
  }
  const teamName = new Map((teams.data ?? []).map((t) => [t.id, t.name]));
  const mayCreate = canConfigureAny(me);
  return (
    <section className={s.page} aria-labelledby="services-title">
      <div className={s.head}>
        <Title2 as="h1" id="services-title">
          Services
        </Title2>
        {mayCreate && <ServiceDialog onSaved={(svc) => navigate(`/services/${svc.id}`)} />}
      </div>
      <Caption1>A service owns integrations (where alerts come in) and names the escalation policy that pages for them.</Caption1>
      <ProblemBar error={services.error ?? teams.error} />
      {services.isPending ? (
        <Loading label="Loading services…" />
      ) : byTeam.size === 0 ? (
        <Empty>No services yet.</Empty>
      ) : (
        [...byTeam.entries()]
          .sort(([a], [b]) => (teamName.get(a) ?? a).localeCompare(teamName.get(b) ?? b))
          .map(([teamId, items]) => (
            <section key={teamId} className={s.team} aria-labelledby={`team-${teamId}`}>
              <Subtitle1 as="h2" id={`team-${teamId}`}>
                {teamName.get(teamId) ?? teamId}
              </Subtitle1>
              <Table size="small" aria-labelledby={`team-${teamId}`}>
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell>Service</TableHeaderCell>
                    <TableHeaderCell>Escalation policy</TableHeaderCell>
                    <TableHeaderCell>Description</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {items.map((svc) => (
                    <TableRow key={svc.id}>
                      <TableCell className={s.cell}>
                        <RouterLink className={s.link} to={`/services/${encodeURIComponent(svc.id)}`}>
                          {svc.name}
                        </RouterLink>
                      </TableCell>
                      <TableCell className={s.cell}>
                        {svc.escalation_policy_id ? (policyName.get(svc.escalation_policy_id) ?? svc.escalation_policy_id) : "None"}
                      </TableCell>
                      <TableCell className={s.cell}>{svc.description}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </section>
          ))
      )}
    </section>
  );
}
