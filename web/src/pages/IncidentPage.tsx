// One incident at /incidents/:id — the page every notification links to.
import { Subtitle1, Title2, makeStyles, tokens } from "@fluentui/react-components";
import { useParams } from "react-router";
import { canAct, useSession } from "../api/context";
import { useAlerts, useDeliveries, useIncident, useTimeline } from "../api/incidents";
import { useNames } from "../api/catalog";
import { ProblemError } from "../api/problem";
import { AlertsList } from "../components/AlertsList";
import { Deliveries } from "../components/Deliveries";
import { IncidentActions } from "../components/IncidentActions";
import { IncidentSummary } from "../components/IncidentSummary";
import { Loading, ProblemBar } from "../components/States";
import { Timeline } from "../components/Timeline";
import { NotFoundPage } from "./NotFoundPage";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, minWidth: 0 },
  title: { overflowWrap: "anywhere" },
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, minWidth: 0 },
});

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  const s = useStyles();
  const id = `section-${title.toLowerCase().replace(/\W+/g, "-")}`;
  return (
    <section className={s.section} aria-labelledby={id}>
      <Subtitle1 as="h2" id={id}>
        {title}
      </Subtitle1>
      {children}
    </section>
  );
}

export function IncidentPage() {
  const s = useStyles();
  const id = useParams().id ?? "";
  const { me } = useSession();
  const incident = useIncident(id);
  const timeline = useTimeline(id);
  const alerts = useAlerts(id);
  const deliveries = useDeliveries(id);
  const name = useNames();
  if (incident.error instanceof ProblemError && incident.error.status === 404) return <NotFoundPage />;
  if (incident.isPending) return <Loading label="Loading incident…" />;
  if (!incident.data) return <ProblemBar error={incident.error} />;
  const inc = incident.data;
  return (
    <article className={s.page} aria-labelledby="incident-title">
      <Title2 as="h1" id="incident-title" className={s.title}>
        #{inc.number} {inc.title}
      </Title2>
      <ProblemBar error={incident.error} />
      {canAct(me) && <IncidentActions incident={inc} />}
      <IncidentSummary incident={inc} name={name} />
      <Section title="Timeline">
        {timeline.isPending ? <Loading /> : <Timeline entries={timeline.data ?? []} />}
        <ProblemBar error={timeline.error} />
      </Section>
      <Section title="Alerts">
        {alerts.isPending ? <Loading /> : <AlertsList alerts={alerts.data ?? []} />}
        <ProblemBar error={alerts.error} />
      </Section>
      <Section title="Deliveries">
        {deliveries.isPending ? <Loading /> : <Deliveries items={deliveries.data ?? []} name={name} />}
        <ProblemBar error={deliveries.error} />
      </Section>
    </article>
  );
}
