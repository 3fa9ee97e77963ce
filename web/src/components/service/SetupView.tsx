// What to paste into each sender, as the API built it: with the key when it was just issued,
// else with the API's placeholder where the key goes.
import { Body1, makeStyles, tokens } from "@fluentui/react-components";
import type { SenderSetup } from "../../api/services";
import { CopyBlock } from "./CopyBlock";

const useStyles = makeStyles({
  setup: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, minWidth: 0 },
});

/** Snippet names as the API keys them, in words; an unknown one shows as it is. */
const SENDERS: Record<string, string> = {
  alertmanager: "Alertmanager receiver",
  grafana: "Grafana contact point (provisioning)",
  azure_action_group: "Azure action group (Bicep)",
  datadog: "Datadog webhook (API body)",
  sentry: "Sentry internal integration",
  pdpyras: "pdpyras (Python)",
  opsgenie_sdk: "opsgenie-sdk (Python)",
  curl: "curl",
};

export function SetupView({ setup, headingLevel = 3 }: { setup: SenderSetup; headingLevel?: 3 | 4 }) {
  const s = useStyles();
  const H = `h${headingLevel}` as const;
  return (
    <div className={s.setup}>
      <CopyBlock label="URL" text={setup.url} inline />
      <Body1>Key goes in: {setup.key_in}</Body1>
      {setup.opsgenie_base_url && <CopyBlock label="Opsgenie API URL" text={setup.opsgenie_base_url} inline />}
      {setup.pagerduty_enqueue_url && setup.pagerduty_enqueue_url !== setup.url && (
        <CopyBlock label="PagerDuty enqueue URL" text={setup.pagerduty_enqueue_url} inline />
      )}
      {setup.routing_key && <CopyBlock label="Routing key" text={setup.routing_key} inline />}
      {Object.entries(setup.snippets ?? {}).map(([name, text]) => (
        <CopyBlock key={name} label={SENDERS[name] ?? name} text={text} heading={H} />
      ))}
    </div>
  );
}
