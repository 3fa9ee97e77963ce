// A service: its details (edit, delete) and its integrations, each with setup, test alert,
// key rotation and routes. A key just issued lives only in this page's state.
import { Body1, Caption1, Subtitle1, Title2, makeStyles, tokens } from "@fluentui/react-components";
import { DeleteRegular } from "@fluentui/react-icons";
import { useState } from "react";
import { useNavigate, useParams } from "react-router";
import { useSession } from "../api/context";
import { canConfigure } from "../api/rights";
import { useConfigNames, useDeleteService, useIntegrations, useService, type IntegrationCreated } from "../api/services";
import { ConfirmButton } from "../components/service/ConfirmButton";
import { CreateIntegrationDialog } from "../components/service/CreateIntegrationDialog";
import { IntegrationCard } from "../components/service/IntegrationCard";
import { ServiceDialog } from "../components/service/ServiceDialog";
import { Empty, Loading, ProblemBar } from "../components/States";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, minWidth: 0 },
  head: { display: "flex", flexWrap: "wrap", alignItems: "center", justifyContent: "space-between", gap: tokens.spacingHorizontalM },
  tools: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "center" },
  facts: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS, overflowWrap: "anywhere" },
  list: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, minWidth: 0 },
});

export function ServicePage() {
  const s = useStyles();
  const { id = "" } = useParams();
  const { me } = useSession();
  const navigate = useNavigate();
  const name = useConfigNames();
  const service = useService(id);
  const svc = service.data;
  const integrations = useIntegrations(svc?.team_id);
  const remove = useDeleteService(id);
  const [issued, setIssued] = useState<Record<string, IntegrationCreated>>({});
  const editable = canConfigure(me, svc?.team_id);
  const mine = (integrations.data ?? []).filter((i) => i.service_id === id);
  const keep = (integrationId: string) => (created: IntegrationCreated | undefined) =>
    setIssued((all) => {
      const { [integrationId]: _, ...rest } = all;
      return created ? { ...rest, [integrationId]: created } : rest;
    });

  if (service.isPending) return <Loading label="Loading service…" />;
  if (!svc) return <ProblemBar error={service.error} />;
  return (
    <section className={s.page} aria-labelledby="service-title">
      <div className={s.head}>
        <Title2 as="h1" id="service-title">
          {svc.name}
        </Title2>
        {editable && (
          <div className={s.tools}>
            <ServiceDialog key={`${svc.id}-${svc.name}-${svc.escalation_policy_id}`} service={svc} />
            <ConfirmButton
              label={`Delete ${svc.name}`}
              text="Delete"
              icon={<DeleteRegular />}
              title={`Delete ${svc.name}?`}
              confirm="Delete"
              onConfirm={() => remove.mutate(undefined, { onSuccess: () => navigate("/services") })}
            >
              A service with integrations cannot be deleted: delete them first.
            </ConfirmButton>
          </div>
        )}
      </div>
      <div className={s.facts}>
        <Body1>Team: {name(svc.team_id)}</Body1>
        <Body1>Escalation policy: {svc.escalation_policy_id ? name(svc.escalation_policy_id) : "none"}</Body1>
        {svc.description && <Caption1>{svc.description}</Caption1>}
      </div>
      <ProblemBar error={remove.error} />
      <section className={s.list} aria-labelledby="integrations-title">
        <div className={s.head}>
          <Subtitle1 as="h2" id="integrations-title">
            Integrations
          </Subtitle1>
          {editable && (
            <CreateIntegrationDialog
              services={[svc]}
              trigger="Add integration"
              onCreated={(created) => keep(created.integration.id)(created)}
            />
          )}
        </div>
        <ProblemBar error={integrations.error} />
        {integrations.isPending ? (
          <Loading label="Loading integrations…" />
        ) : mine.length === 0 ? (
          <Empty>No integrations yet: add one to receive alerts.</Empty>
        ) : (
          mine.map((it) => (
            <IntegrationCard key={it.id} integration={it} issued={issued[it.id]} onIssued={keep(it.id)} editable={editable} />
          ))
        )}
      </section>
    </section>
  );
}
