// Add or change a route: conditions, all/any, where its alerts go, severity, record-only.
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  Select,
  Switch,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useState, type FormEvent } from "react";
import { useServices } from "../../api/catalog";
import { fieldMessage } from "../../api/problem";
import { useSaveRoute, type Route, type RouteBody } from "../../api/services";
import { usePolicies } from "../../api/policies";
import { ProblemBar } from "../States";
import { ConditionsEditor, NEW_CONDITION, fromDraft, toDraft, type ConditionDraft } from "./ConditionsEditor";

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
});

const SEVERITIES = ["P1", "P2", "P3", "P4", "P5"] as const;

interface Props {
  integrationId: string;
  /** The integration's team: its incidents' team unless the route sends them to another's service. */
  teamId: string;
  /** Absent: a new route, placed at `position`. */
  route?: Route;
  position: number;
  open: boolean;
  onClose: () => void;
}

export function RouteDialog({ integrationId, teamId, route, position, open, onClose }: Props) {
  const s = useStyles();
  const services = useServices().data ?? [];
  const policies = usePolicies().data ?? [];
  const save = useSaveRoute(integrationId, route?.id);
  const err = save.error;
  const [name, setName] = useState(route?.name ?? "");
  const [match, setMatch] = useState<RouteBody["match"]>(route?.match ?? "all");
  const [conditions, setConditions] = useState<ConditionDraft[]>(route ? route.conditions.map(toDraft) : [{ ...NEW_CONDITION }]);
  const [serviceId, setServiceId] = useState(route?.service_id ?? "");
  const [policyId, setPolicyId] = useState(route?.escalation_policy_id ?? "");
  const [severity, setSeverity] = useState(route?.severity ?? "");
  const [recordOnly, setRecordOnly] = useState(route ? !route.page : false);
  // A route's policy must be of the team its incidents land in (the API refuses others).
  const targetTeam = services.find((svc) => svc.id === serviceId)?.team_id ?? teamId;

  const close = () => {
    save.reset();
    onClose();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(
      {
        name,
        position: route?.position ?? position,
        conditions: conditions.map(fromDraft),
        match,
        service_id: serviceId || null,
        escalation_policy_id: policyId || null,
        page: !recordOnly,
        severity: (severity || null) as RouteBody["severity"],
        // Not edited here; kept as they are.
        active: route?.active ?? null,
        external_id: route?.external_id ?? null,
      },
      { onSuccess: close },
    );
  };
  const shown = ["name", "conditions", "service_id", "escalation_policy_id"];
  return (
    <Dialog open={open} onOpenChange={(_, d) => !d.open && close()}>
      <DialogSurface>
        <form onSubmit={submit}>
          <DialogBody>
            <DialogTitle>{route ? "Edit route" : "Add route"}</DialogTitle>
            <DialogContent className={s.form}>
              <ProblemBar error={err && !shown.some((f) => fieldMessage(err, f)) ? err : null} />
              <Field label="Name" validationMessage={fieldMessage(err, "name")}>
                <Input value={name} onChange={(_, d) => setName(d.value)} />
              </Field>
              <Field label="The alert must meet">
                <Select value={match} onChange={(_, d) => setMatch(d.value as RouteBody["match"])}>
                  <option value="all">all conditions</option>
                  <option value="any">any condition</option>
                </Select>
              </Field>
              <ConditionsEditor value={conditions} onChange={setConditions} error={err} />
              <Field label="Send to service" validationMessage={fieldMessage(err, "service_id")}>
                <Select value={serviceId} onChange={(_, d) => setServiceId(d.value)}>
                  <option value="">The integration's service</option>
                  {services.map((svc) => (
                    <option key={svc.id} value={svc.id}>
                      {svc.name}
                    </option>
                  ))}
                </Select>
              </Field>
              <Field label="Escalation policy" validationMessage={fieldMessage(err, "escalation_policy_id")}>
                <Select value={policyId} onChange={(_, d) => setPolicyId(d.value)}>
                  <option value="">The service's policy</option>
                  {policies
                    .filter((p) => p.team_id === targetTeam || p.id === policyId)
                    .map((p) => (
                      <option key={p.id} value={p.id}>
                        {p.name}
                      </option>
                    ))}
                </Select>
              </Field>
              <Field label="Severity">
                <Select value={severity} onChange={(_, d) => setSeverity(d.value)}>
                  <option value="">The alert's own</option>
                  {SEVERITIES.map((p) => (
                    <option key={p} value={p}>
                      {p}
                    </option>
                  ))}
                </Select>
              </Field>
              <Switch
                checked={recordOnly}
                onChange={(_, d) => setRecordOnly(d.checked)}
                label="Record, don't page (the incident is kept, nobody is notified)"
              />
            </DialogContent>
            <DialogActions>
              <Button onClick={close}>Cancel</Button>
              <Button appearance="primary" type="submit" disabled={save.isPending}>
                Save route
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
