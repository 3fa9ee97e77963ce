// Create or change a service: name, owning team, escalation policy (of that team), description.
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
  Textarea,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { AddRegular, EditRegular } from "@fluentui/react-icons";
import { useState, type FormEvent } from "react";
import { useTeams, type Service } from "../../api/catalog";
import { fieldMessage } from "../../api/problem";
import { useSession } from "../../api/context";
import { canConfigure } from "../../api/rights";
import { useSaveService } from "../../api/services";
import { usePolicies } from "../../api/policies";
import { ProblemBar } from "../States";

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
});

const FIELDS = ["name", "team_id", "escalation_policy_id", "description"];

interface Props {
  /** Absent: create. */
  service?: Service;
  /** The team a new service starts in. */
  teamId?: string;
  onSaved?: (saved: Service) => void;
}

export function ServiceDialog({ service, teamId, onSaved }: Props) {
  const s = useStyles();
  const { me } = useSession();
  // Teams the caller may configure (and the service's own, when editing); the API decides.
  const teams = (useTeams().data ?? []).filter((t) => t.id === service?.team_id || canConfigure(me, t.id));
  const policies = usePolicies().data ?? [];
  const [open, setOpen] = useState(false);
  const [name, setName] = useState(service?.name ?? "");
  const [team, setTeam] = useState(service?.team_id ?? teamId ?? "");
  const [policy, setPolicy] = useState(service?.escalation_policy_id ?? "");
  const [description, setDescription] = useState(service?.description ?? "");
  const save = useSaveService(service?.id);
  const err = save.error;
  const chosenTeam = team || teams[0]?.id || "";

  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(
      {
        name,
        team_id: chosenTeam,
        escalation_policy_id: policy || null,
        description,
        external_id: service?.external_id ?? null,
      },
      {
        onSuccess: (saved) => {
          setOpen(false);
          save.reset();
          if (!service) setName("");
          onSaved?.(saved);
        },
      },
    );
  };
  const title = service ? "Edit service" : "New service";
  return (
    <Dialog open={open} onOpenChange={(_, d) => setOpen(d.open)}>
      <DialogTrigger disableButtonEnhancement>
        <Button appearance={service ? "secondary" : "primary"} icon={service ? <EditRegular /> : <AddRegular />}>
          {service ? "Edit" : "New service"}
        </Button>
      </DialogTrigger>
      <DialogSurface>
        <form onSubmit={submit}>
          <DialogBody>
            <DialogTitle>{title}</DialogTitle>
            <DialogContent className={s.form}>
              <ProblemBar error={err && !FIELDS.some((f) => fieldMessage(err, f)) ? err : null} />
              <Field label="Name" required validationMessage={fieldMessage(err, "name")}>
                <Input value={name} onChange={(_, d) => setName(d.value)} />
              </Field>
              <Field label="Team" required validationMessage={fieldMessage(err, "team_id")}>
                <Select
                  value={chosenTeam}
                  onChange={(_, d) => {
                    setTeam(d.value);
                    setPolicy("");
                  }}
                >
                  {teams.map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.name}
                    </option>
                  ))}
                </Select>
              </Field>
              <Field
                label="Escalation policy"
                hint="Who is paged for this service's incidents (routes may choose another)."
                validationMessage={fieldMessage(err, "escalation_policy_id")}
              >
                <Select value={policy} onChange={(_, d) => setPolicy(d.value)}>
                  <option value="">None</option>
                  {policies
                    .filter((p) => p.team_id === chosenTeam)
                    .map((p) => (
                      <option key={p.id} value={p.id}>
                        {p.name}
                      </option>
                    ))}
                </Select>
              </Field>
              <Field label="Description" validationMessage={fieldMessage(err, "description")}>
                <Textarea value={description} onChange={(_, d) => setDescription(d.value)} />
              </Field>
            </DialogContent>
            <DialogActions>
              <DialogTrigger disableButtonEnhancement>
                <Button>Cancel</Button>
              </DialogTrigger>
              <Button appearance="primary" type="submit" disabled={save.isPending}>
                {service ? "Save" : "Create"}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
