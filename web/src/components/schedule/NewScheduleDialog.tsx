// "New schedule": name, team and time zone; the API validates, its messages land on the fields.
import {
  Button,
  Combobox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  DialogTrigger,
  Field,
  Input,
  Option,
  Select,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { AddRegular } from "@fluentui/react-icons";
import { useMemo, useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import type { Team } from "../../api/catalog";
import { fieldMessage } from "../../api/problem";
import { useCreateSchedule } from "../../api/scheduleEditor";
import { viewerZone } from "../../time";
import { ProblemBar } from "../States";

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
});

const FIELDS = ["name", "team_id", "time_zone"];

/** The browser's list of IANA zones (only choices: the API decides what it accepts). */
function allZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] };
  const zones = intl.supportedValuesOf?.("timeZone") ?? [];
  return zones.includes("UTC") ? zones : ["UTC", ...zones];
}

export function NewScheduleDialog({ teams }: { teams: Team[] }) {
  const s = useStyles();
  const navigate = useNavigate();
  const create = useCreateSchedule();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [teamId, setTeamId] = useState(teams[0]?.id ?? "");
  const [zone, setZone] = useState(viewerZone());
  const [typed, setTyped] = useState(zone);
  const zones = useMemo(allZones, []);
  const matches = useMemo(() => {
    const q = typed.toLowerCase().replace(/ /g, "_");
    const hits = zones.filter((z) => z.toLowerCase().includes(q));
    return (hits.length ? hits : zones).slice(0, 60);
  }, [typed, zones]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      { name, team_id: teamId, time_zone: zone, layers: [], external_id: null },
      { onSuccess: (made) => navigate(`/schedules/${made.id}?tab=layers`) },
    );
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(_, d) => {
        setOpen(d.open);
        if (!d.open) create.reset();
      }}
    >
      <DialogTrigger disableButtonEnhancement>
        <Button appearance="primary" icon={<AddRegular />}>
          New schedule
        </Button>
      </DialogTrigger>
      <DialogSurface>
        <form onSubmit={submit}>
          <DialogBody>
            <DialogTitle>New schedule</DialogTitle>
            <DialogContent className={s.form}>
              <ProblemBar error={FIELDS.some((f) => fieldMessage(create.error, f)) ? null : create.error} />
              <Field label="Name" required validationMessage={fieldMessage(create.error, "name")}>
                <Input value={name} onChange={(_, d) => setName(d.value)} />
              </Field>
              <Field label="Team" required validationMessage={fieldMessage(create.error, "team_id")}>
                <Select value={teamId} onChange={(_, d) => setTeamId(d.value)}>
                  {teams.map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.name}
                    </option>
                  ))}
                </Select>
              </Field>
              <Field label="Time zone" required hint="Hand-offs and restrictions are in this zone." validationMessage={fieldMessage(create.error, "time_zone")}>
                <Combobox
                  value={typed}
                  selectedOptions={[zone]}
                  onChange={(e) => setTyped(e.target.value)}
                  onOptionSelect={(_, d) => {
                    if (!d.optionValue) return;
                    setZone(d.optionValue);
                    setTyped(d.optionValue);
                  }}
                  onBlur={() => setTyped(zone)}
                >
                  {matches.map((z) => (
                    <Option key={z} value={z}>
                      {z}
                    </Option>
                  ))}
                </Combobox>
              </Field>
            </DialogContent>
            <DialogActions>
              <DialogTrigger disableButtonEnhancement>
                <Button>Cancel</Button>
              </DialogTrigger>
              <Button type="submit" appearance="primary" disabled={create.isPending || !teamId}>
                Create
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
