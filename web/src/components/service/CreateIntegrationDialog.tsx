// "Add integration": name, source (every format the API accepts) and, for a heartbeat, its
// interval. The answer (with the key, once) goes to onCreated.
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  DialogTrigger,
  Field,
  Input,
  Select,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { AddRegular } from "@fluentui/react-icons";
import { useState, type FormEvent } from "react";
import type { Service } from "../../api/catalog";
import { fieldMessage } from "../../api/problem";
import { SOURCES, useCreateIntegration, type IntegrationCreated, type SourceFormat } from "../../api/services";
import { ProblemBar } from "../States";

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
});

interface Props {
  /** The services to choose from; one means it is fixed. */
  services: Service[];
  /** Only this source (the heartbeats page). */
  format?: SourceFormat;
  trigger: string;
  onCreated: (created: IntegrationCreated) => void;
}

export function CreateIntegrationDialog({ services, format, trigger, onCreated }: Props) {
  const s = useStyles();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [source, setSource] = useState<SourceFormat>(format ?? "alertmanager");
  const [serviceId, setServiceId] = useState(services[0]?.id ?? "");
  const [minutes, setMinutes] = useState("60");
  const create = useCreateIntegration();
  const err = create.error;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const heartbeat = source === "heartbeat";
    create.mutate(
      {
        name,
        service_id: serviceId || services[0]?.id || "",
        format: source,
        settings: {
          azure_monitor_app_ids: [],
          generic_mapping: null,
          grafana_hmac_header: "X-Grafana-Alerting-Signature",
          grafana_hmac_secret: null,
          sentry_client_secret: null,
          // Minutes in the form, seconds in the API; the API checks the range.
          heartbeat_interval_seconds: heartbeat && minutes ? Math.round(Number(minutes) * 60) : null,
        },
        on_refire: "new_incident",
        rate_limit_per_minute: 300,
        rate_limit_burst: 100,
        enabled: true,
        external_id: null,
      },
      {
        onSuccess: (created) => {
          setOpen(false);
          setName("");
          // The key moves to the page's state only; the mutation cache forgets it.
          create.reset();
          onCreated(created);
        },
      },
    );
  };

  return (
    <Dialog open={open} onOpenChange={(_, d) => setOpen(d.open)}>
      <DialogTrigger disableButtonEnhancement>
        <Button appearance="primary" icon={<AddRegular />}>
          {trigger}
        </Button>
      </DialogTrigger>
      <DialogSurface>
        <form onSubmit={submit}>
          <DialogBody>
            <DialogTitle>{trigger}</DialogTitle>
            <DialogContent className={s.form}>
              <ProblemBar error={err && !fieldMessage(err, "name") && !fieldMessage(err, "settings") ? err : null} />
              <Field label="Name" required validationMessage={fieldMessage(err, "name")}>
                <Input value={name} onChange={(_, d) => setName(d.value)} />
              </Field>
              {services.length > 1 && (
                <Field label="Service" required validationMessage={fieldMessage(err, "service_id")}>
                  <Select value={serviceId || services[0]?.id} onChange={(_, d) => setServiceId(d.value)}>
                    {services.map((svc) => (
                      <option key={svc.id} value={svc.id}>
                        {svc.name}
                      </option>
                    ))}
                  </Select>
                </Field>
              )}
              {!format && (
                <Field label="Source" required hint="Which sender posts to it; the setup shows what to paste there.">
                  <Select value={source} onChange={(_, d) => setSource(d.value as SourceFormat)}>
                    {Object.entries(SOURCES).map(([value, label]) => (
                      <option key={value} value={value}>
                        {label}
                      </option>
                    ))}
                  </Select>
                </Field>
              )}
              {source === "heartbeat" && (
                <Field
                  label="Expected every (minutes)"
                  hint="An incident opens when no ping arrives for this long."
                  validationMessage={fieldMessage(err, "settings.heartbeat_interval_seconds")}
                >
                  <Input type="number" min={1} value={minutes} onChange={(_, d) => setMinutes(d.value)} />
                </Field>
              )}
            </DialogContent>
            <DialogActions>
              <DialogTrigger disableButtonEnhancement>
                <Button>Cancel</Button>
              </DialogTrigger>
              <Button appearance="primary" type="submit" disabled={create.isPending}>
                Create
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
