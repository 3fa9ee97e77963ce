// "Send a test alert": the API posts its vendor sample through the real ingest path (it pages);
// the incident it opens is linked once the pipeline has processed it.
import { Body1, Button, Spinner, makeStyles, tokens } from "@fluentui/react-components";
import { SendRegular } from "@fluentui/react-icons";
import { Link as RouterLink } from "react-router";
import { TEST_ALERT_WAIT_MS, useSendTestAlert, useTestIncident } from "../../api/services";
import { ProblemBar } from "../States";

const useStyles = makeStyles({
  // The button sits in its card's tool row; what follows takes a line of its own.
  line: { flexBasis: "100%", minWidth: 0 },
  link: { color: tokens.colorBrandForegroundLink },
});

export function TestAlert({ integrationId, editable }: { integrationId: string; editable: boolean }) {
  const s = useStyles();
  const send = useSendTestAlert(integrationId);
  const incident = useTestIncident(send.data, send.submittedAt);
  const gaveUp = !incident.data && incident.dataUpdatedAt - send.submittedAt >= TEST_ALERT_WAIT_MS;
  if (!editable) return null;
  return (
    <>
      <Button icon={<SendRegular />} disabled={send.isPending} onClick={() => send.mutate()}>
        Send a test alert
      </Button>
      {(send.error ?? incident.error) && (
        <div className={s.line}>
          <ProblemBar error={send.error ?? incident.error} />
        </div>
      )}
      {send.data && (
        <div role="status" className={s.line}>
          {incident.data ? (
            <Body1>
              Test alert opened{" "}
              <RouterLink className={s.link} to={`/incidents/${encodeURIComponent(incident.data.id)}`}>
                incident #{incident.data.number}: {incident.data.title}
              </RouterLink>
              . It pages whoever the routes and policy say.
            </Body1>
          ) : gaveUp ? (
            <Body1>
              Sent “{send.data.title}”, but no incident showed within a minute: look for it under{" "}
              <RouterLink className={s.link} to="/incidents">
                Incidents
              </RouterLink>
              .
            </Body1>
          ) : (
            <Spinner size="tiny" label={`Sent “${send.data.title}”; waiting for its incident…`} />
          )}
        </div>
      )}
    </>
  );
}
