// One integration on its service's page: setup (with the key only right after it was issued),
// test alert, key rotation, delete, and its routes.
import { Badge, Button, Caption1, Card, CardHeader, Subtitle1, Subtitle2, makeStyles, tokens } from "@fluentui/react-components";
import { ArrowClockwiseRegular, ChevronDownRegular, ChevronUpRegular, DeleteRegular } from "@fluentui/react-icons";
import { useState } from "react";
import { SOURCES, useDeleteIntegration, useRotateKey, useSetup, type Integration, type IntegrationCreated } from "../../api/services";
import { Loading, ProblemBar } from "../States";
import { ConfirmButton } from "./ConfirmButton";
import { IntegrationSettingsDialog } from "./IntegrationSettingsDialog";
import { KeyOnce } from "./KeyOnce";
import { RoutesEditor } from "./RoutesEditor";
import { SetupView } from "./SetupView";
import { TestAlert } from "./TestAlert";

const useStyles = makeStyles({
  card: { minWidth: 0, overflowWrap: "anywhere" },
  tools: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "center" },
  part: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, minWidth: 0 },
});

interface Props {
  integration: Integration;
  /** The answer that issued its key, while this page is open (never stored elsewhere). */
  issued?: IntegrationCreated;
  onIssued: (created: IntegrationCreated | undefined) => void;
  editable: boolean;
}

export function IntegrationCard({ integration: it, issued, onIssued, editable }: Props) {
  const s = useStyles();
  const [showSetup, setShowSetup] = useState(false);
  const setup = useSetup(it.id, showSetup && !issued);
  const rotate = useRotateKey(it.id);
  const remove = useDeleteIntegration(it.id);
  const heartbeat = it.format === "heartbeat";
  return (
    <Card className={s.card}>
      <CardHeader
        header={
          <Subtitle1 as="h3" id={`int-${it.id}`}>
            {it.name}
          </Subtitle1>
        }
        description={
          <Caption1>
            {SOURCES[it.format]} · key {it.key_prefix}… {!it.enabled && <Badge color="danger">Disabled</Badge>}
          </Caption1>
        }
      />
      <ProblemBar error={rotate.error ?? remove.error} />
      {issued ? (
        <section className={s.part} aria-label={`New key of ${it.name}`}>
          <KeyOnce created={issued} onDone={() => onIssued(undefined)} />
        </section>
      ) : (
        <div className={s.tools}>
          <Button
            icon={showSetup ? <ChevronUpRegular /> : <ChevronDownRegular />}
            aria-expanded={showSetup}
            onClick={() => setShowSetup(!showSetup)}
          >
            Setup
          </Button>
          {editable && <IntegrationSettingsDialog integration={it} />}
          {editable && (
            <ConfirmButton
              label={`Rotate the key of ${it.name}`}
              text="Rotate key"
              icon={<ArrowClockwiseRegular />}
              title={`Rotate the key of ${it.name}?`}
              confirm="Rotate"
              disabled={rotate.isPending}
              onConfirm={() =>
                rotate.mutate(undefined, {
                  onSuccess: (created) => {
                    // The key moves to the page's state only; the mutation cache forgets it.
                    rotate.reset();
                    onIssued(created);
                  },
                })
              }
            >
              The current key stops working at once (within a minute everywhere): every sender must get the new one.
            </ConfirmButton>
          )}
          {editable && (
            <ConfirmButton
              label={`Delete ${it.name}`}
              text="Delete"
              icon={<DeleteRegular />}
              title={`Delete ${it.name}?`}
              confirm="Delete"
              onConfirm={() => remove.mutate()}
            >
              Its senders are refused from now on. Its incidents stay.
            </ConfirmButton>
          )}
          {!heartbeat && <TestAlert integrationId={it.id} editable={editable} />}
        </div>
      )}
      {showSetup && !issued && (
        <section className={s.part} aria-label={`Setup of ${it.name}`}>
          <Caption1>The key is shown only when it is issued; paste yours where the setup says {"<integration-key>"}.</Caption1>
          <ProblemBar error={setup.error} />
          {setup.isPending ? <Loading label="Loading setup…" /> : setup.data && <SetupView setup={setup.data} headingLevel={4} />}
        </section>
      )}
      {!heartbeat && (
        <section className={s.part} aria-label={`Routes of ${it.name}`}>
          <Subtitle2 as="h4">Routes</Subtitle2>
          <RoutesEditor integrationId={it.id} serviceId={it.service_id} teamId={it.team_id} editable={editable} />
        </section>
      )}
    </Card>
  );
}
