// "Test against a sample alert": a pasted body (as the sender posts it) or an alert a recent
// incident recorded, sent to the API, which answers which route it takes and why.
import { Button, Field, Radio, RadioGroup, Select, Textarea, makeStyles, tokens } from "@fluentui/react-components";
import { BeakerRegular } from "@fluentui/react-icons";
import { useState, type FormEvent } from "react";
import { fieldMessage } from "../../api/problem";
import { useConfigNames, useRecentIncidents, useTestRoutes } from "../../api/services";
import { ProblemBar } from "../States";
import { RouteTestResultView } from "./RouteTestResultView";

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, minWidth: 0 },
  code: { fontFamily: tokens.fontFamilyMonospace },
});

export function RouteTester({ integrationId, serviceId }: { integrationId: string; serviceId: string }) {
  const s = useStyles();
  const name = useConfigNames();
  const [mode, setMode] = useState<"paste" | "pick">("paste");
  const [text, setText] = useState("");
  const [notJson, setNotJson] = useState<string | undefined>();
  const [incidentId, setIncidentId] = useState("");
  const recent = useRecentIncidents(serviceId, mode === "pick");
  const run = useTestRoutes(integrationId);
  const incidents = recent.data ?? [];
  const chosen = incidentId || incidents[0]?.id || "";

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (mode === "pick") {
      run.mutate({ incident_id: chosen, payload: null, alert_id: null });
      return;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      setNotJson("Not JSON: paste the body as the sender posts it.");
      return;
    }
    setNotJson(undefined);
    run.mutate({ payload: payload as Record<string, unknown>, incident_id: null, alert_id: null });
  };
  return (
    <form className={s.form} onSubmit={submit} aria-label="Test routes against a sample alert">
      <RadioGroup layout="horizontal" value={mode} onChange={(_, d) => setMode(d.value as "paste" | "pick")} aria-label="Sample alert">
        <Radio value="paste" label="Paste a body" />
        <Radio value="pick" label="Pick a recent incident's alert" />
      </RadioGroup>
      {mode === "paste" ? (
        <Field label="Sample alert (JSON)" validationMessage={notJson ?? fieldMessage(run.error, "payload")}>
          <Textarea className={s.code} resize="vertical" rows={6} value={text} onChange={(_, d) => setText(d.value)} />
        </Field>
      ) : (
        <Field
          label="Incident"
          hint="Its newest alert from this integration is tested."
          validationMessage={recent.data && incidents.length === 0 ? "No incidents of this service yet." : undefined}
        >
          <Select value={chosen} onChange={(_, d) => setIncidentId(d.value)}>
            {incidents.map((i) => (
              <option key={i.id} value={i.id}>
                #{i.number} {i.title}
              </option>
            ))}
          </Select>
        </Field>
      )}
      <div>
        <Button type="submit" icon={<BeakerRegular />} disabled={run.isPending || (mode === "pick" && !chosen)}>
          Test routes
        </Button>
      </div>
      <ProblemBar error={run.error && !fieldMessage(run.error, "payload") ? run.error : null} />
      {run.data && <RouteTestResultView result={run.data} name={name} />}
    </form>
  );
}
