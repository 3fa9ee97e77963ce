// The lifecycle actions of one incident. The API holds the rules: a refused action shows its
// problem+json detail; the status only picks which buttons are worth offering.
import { Button, Menu, MenuDivider, MenuItem, MenuList, MenuPopover, MenuTrigger, makeStyles, tokens } from "@fluentui/react-components";
import {
  AlertSnoozeRegular,
  ArrowForwardRegular,
  ArrowUndoRegular,
  CheckmarkCircleRegular,
  CheckmarkRegular,
  NoteAddRegular,
  PersonAddRegular,
  PersonSwapRegular,
} from "@fluentui/react-icons";
import { useState } from "react";
import { useIncidentAction, type ActionBody, type ActionVerb, type Incident } from "../api/incidents";
import { useUsers } from "../api/catalog";
import { NoteDialog, SnoozeDialog, UsersDialog } from "./ActionDialogs";
import { ProblemBar } from "./States";

const useStyles = makeStyles({
  bar: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS },
});

export const SNOOZE_PRESETS: { label: string; minutes: number }[] = [
  { label: "15 minutes", minutes: 15 },
  { label: "1 hour", minutes: 60 },
  { label: "4 hours", minutes: 240 },
  { label: "Until tomorrow (24 hours)", minutes: 1440 },
];

type Open = null | "snooze" | "reassign" | "responders" | "note";

export function IncidentActions({ incident }: { incident: Incident }) {
  const s = useStyles();
  const action = useIncidentAction(incident.id);
  const users = useUsers().data ?? [];
  const [open, setOpen] = useState<Open>(null);
  const run = (verb: ActionVerb, body?: ActionBody) =>
    action.mutate(body ? { verb, body } : { verb }, { onSuccess: () => setOpen(null) });
  const status = incident.status ?? "triggered";
  const resolved = status === "resolved";
  const busy = action.isPending;
  return (
    <>
      <div role="group" aria-label="Incident actions" className={s.bar}>
        {status === "triggered" && (
          <Button appearance="primary" icon={<CheckmarkRegular />} disabled={busy} onClick={() => run("acknowledge")}>
            Acknowledge
          </Button>
        )}
        {!resolved && (
          <Button icon={<CheckmarkCircleRegular />} disabled={busy} onClick={() => run("resolve")}>
            Resolve
          </Button>
        )}
        {!resolved && (
          <Menu>
            <MenuTrigger disableButtonEnhancement>
              <Button icon={<AlertSnoozeRegular />} disabled={busy}>
                Snooze
              </Button>
            </MenuTrigger>
            <MenuPopover>
              <MenuList>
                {SNOOZE_PRESETS.map((p) => (
                  <MenuItem key={p.minutes} onClick={() => run("snooze", { minutes: p.minutes })}>
                    {p.label}
                  </MenuItem>
                ))}
                <MenuDivider />
                <MenuItem onClick={() => setOpen("snooze")}>Custom…</MenuItem>
              </MenuList>
            </MenuPopover>
          </Menu>
        )}
        {!resolved && (
          <Button icon={<ArrowForwardRegular />} disabled={busy} onClick={() => run("escalate")}>
            Escalate now
          </Button>
        )}
        <Button icon={<PersonSwapRegular />} disabled={busy} onClick={() => setOpen("reassign")}>
          Reassign
        </Button>
        <Button icon={<PersonAddRegular />} disabled={busy} onClick={() => setOpen("responders")}>
          Add responders
        </Button>
        <Button icon={<NoteAddRegular />} disabled={busy} onClick={() => setOpen("note")}>
          Add note
        </Button>
        {resolved && (
          <Button icon={<ArrowUndoRegular />} disabled={busy} onClick={() => run("reopen")}>
            Reopen
          </Button>
        )}
      </div>
      <ProblemBar error={action.error} />
      <SnoozeDialog open={open === "snooze"} busy={busy} onClose={() => setOpen(null)} onSubmit={(minutes) => run("snooze", { minutes })} />
      <UsersDialog
        open={open === "reassign"}
        title="Reassign"
        users={users}
        busy={busy}
        onClose={() => setOpen(null)}
        onSubmit={(ids) => run("reassign", { users: ids })}
      />
      <UsersDialog
        open={open === "responders"}
        title="Add responders"
        users={users}
        busy={busy}
        onClose={() => setOpen(null)}
        onSubmit={(ids) => run("responders", { users: ids })}
      />
      <NoteDialog open={open === "note"} busy={busy} onClose={() => setOpen(null)} onSubmit={(note) => run("notes", { note })} />
    </>
  );
}
