// Change an integration: name, on/off, what a re-fired key does, rate limits, and the settings
// of its source (heartbeat interval, signing secrets, generic field mapping). Secrets come back
// from the API as a hint; sending the hint back keeps the stored secret.
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
  Switch,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { SettingsRegular } from "@fluentui/react-icons";
import { useState, type FormEvent } from "react";
import { fieldMessage } from "../../api/problem";
import { useUpdateIntegration, type Integration, type IntegrationBody } from "../../api/services";
import { ProblemBar } from "../States";

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  pair: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalM },
});

type Mapping = NonNullable<Integration["settings"]["generic_mapping"]>;
const MAPPED: (keyof Mapping)[] = ["title", "dedup_key", "status", "severity", "description", "labels", "link"];

export function IntegrationSettingsDialog({ integration: it }: { integration: Integration }) {
  const s = useStyles();
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState(it);
  const save = useUpdateIntegration(it.id);
  const err = save.error;
  const settings = draft.settings;
  const set = (patch: Partial<Integration>) => setDraft((d) => ({ ...d, ...patch }));
  const setSettings = (patch: Partial<Integration["settings"]>) => setDraft((d) => ({ ...d, settings: { ...d.settings, ...patch } }));
  const mapping: Mapping = settings.generic_mapping ?? {
    title: null,
    dedup_key: null,
    status: null,
    severity: null,
    description: null,
    labels: null,
    link: null,
  };
  const setMapping = (key: keyof Mapping, value: string) => {
    const next = { ...mapping, [key]: value.trim() || null };
    setSettings({ generic_mapping: MAPPED.some((k) => next[k]) ? next : null });
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body: IntegrationBody = {
      name: draft.name,
      service_id: draft.service_id,
      format: draft.format,
      settings: draft.settings,
      on_refire: draft.on_refire,
      rate_limit_per_minute: Number(draft.rate_limit_per_minute),
      rate_limit_burst: Number(draft.rate_limit_burst),
      enabled: draft.enabled,
      external_id: draft.external_id,
    };
    save.mutate(body, {
      onSuccess: () => {
        setOpen(false);
        save.reset();
      },
    });
  };
  const known = ["name", "settings", "rate_limit_per_minute", "rate_limit_burst"];
  return (
    <Dialog
      open={open}
      onOpenChange={(_, d) => {
        // Opening starts from what the API holds now.
        if (d.open) setDraft(it);
        setOpen(d.open);
      }}
    >
      <DialogTrigger disableButtonEnhancement>
        <Button icon={<SettingsRegular />}>Settings</Button>
      </DialogTrigger>
      <DialogSurface>
        <form onSubmit={submit}>
          <DialogBody>
            <DialogTitle>Settings of {it.name}</DialogTitle>
            <DialogContent className={s.form}>
              <ProblemBar error={err && !known.some((f) => fieldMessage(err, f)) ? err : null} />
              <Field label="Name" required validationMessage={fieldMessage(err, "name")}>
                <Input value={draft.name} onChange={(_, d) => set({ name: d.value })} />
              </Field>
              <Switch
                checked={draft.enabled}
                onChange={(_, d) => set({ enabled: d.checked })}
                label="Enabled (a disabled integration's key is refused everywhere)"
              />
              {it.format === "heartbeat" ? (
                <Field
                  label="Expected every (minutes)"
                  hint="Empty: pings are only recorded."
                  validationMessage={fieldMessage(err, "settings.heartbeat_interval_seconds")}
                >
                  <Input
                    type="number"
                    min={1}
                    value={settings.heartbeat_interval_seconds ? String(settings.heartbeat_interval_seconds / 60) : ""}
                    onChange={(_, d) => setSettings({ heartbeat_interval_seconds: d.value ? Math.round(Number(d.value) * 60) : null })}
                  />
                </Field>
              ) : (
                <>
                  <Field label="When a resolved alert fires again">
                    <Select value={draft.on_refire} onChange={(_, d) => set({ on_refire: d.value as Integration["on_refire"] })}>
                      <option value="new_incident">Open a new incident</option>
                      <option value="reopen">Reopen the incident</option>
                    </Select>
                  </Field>
                  <div className={s.pair}>
                    <Field label="Alerts per minute" validationMessage={fieldMessage(err, "rate_limit_per_minute")}>
                      <Input type="number" min={1} value={String(draft.rate_limit_per_minute)} onChange={(_, d) => set({ rate_limit_per_minute: Number(d.value) })} />
                    </Field>
                    <Field label="Burst" validationMessage={fieldMessage(err, "rate_limit_burst")}>
                      <Input type="number" min={1} value={String(draft.rate_limit_burst)} onChange={(_, d) => set({ rate_limit_burst: Number(d.value) })} />
                    </Field>
                  </div>
                </>
              )}
              {it.format === "grafana" && (
                <>
                  <Field
                    label="HMAC signing secret"
                    hint="The contact point's secret; requests must then be signed. Empty: not checked."
                    validationMessage={fieldMessage(err, "settings.grafana_hmac_secret")}
                  >
                    <Input value={settings.grafana_hmac_secret ?? ""} onChange={(_, d) => setSettings({ grafana_hmac_secret: d.value || null })} />
                  </Field>
                  <Field label="Signature header" validationMessage={fieldMessage(err, "settings.grafana_hmac_header")}>
                    <Input value={settings.grafana_hmac_header} onChange={(_, d) => setSettings({ grafana_hmac_header: d.value })} />
                  </Field>
                </>
              )}
              {it.format === "sentry" && (
                <Field
                  label="Sentry client secret"
                  hint="From the Sentry internal integration; requests must then carry a valid signature."
                  validationMessage={fieldMessage(err, "settings.sentry_client_secret")}
                >
                  <Input value={settings.sentry_client_secret ?? ""} onChange={(_, d) => setSettings({ sentry_client_secret: d.value || null })} />
                </Field>
              )}
              {it.format === "azure_monitor" && (
                <Field
                  label="Secure webhook app ids"
                  hint="Comma-separated application ids allowed to post; empty: only the key authenticates."
                  validationMessage={fieldMessage(err, "settings.azure_monitor_app_ids")}
                >
                  <Input
                    value={settings.azure_monitor_app_ids.join(", ")}
                    onChange={(_, d) => setSettings({ azure_monitor_app_ids: d.value.split(",").map((v) => v.trim()).filter(Boolean) })}
                  />
                </Field>
              )}
              {it.format === "generic" &&
                MAPPED.map((key) => (
                  <Field
                    key={key}
                    label={`Path of the ${key.replace("_", " ")}`}
                    hint={key === "title" ? "e.g. /alert/name or alert.name; empty: the usual field names" : undefined}
                    validationMessage={fieldMessage(err, `settings.generic_mapping.${key}`)}
                  >
                    <Input value={mapping[key] ?? ""} onChange={(_, d) => setMapping(key, d.value)} />
                  </Field>
                ))}
            </DialogContent>
            <DialogActions>
              <DialogTrigger disableButtonEnhancement>
                <Button>Cancel</Button>
              </DialogTrigger>
              <Button appearance="primary" type="submit" disabled={save.isPending}>
                Save
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
