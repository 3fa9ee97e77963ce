// Dialogs for the actions that need input: custom snooze, reassign / add responders, note.
import {
  Button,
  Combobox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  Option,
  Textarea,
} from "@fluentui/react-components";
import { useState } from "react";
import type { UserView } from "../api/catalog";

interface Base {
  open: boolean;
  onClose: () => void;
  busy: boolean;
}

export function SnoozeDialog({ open, onClose, busy, onSubmit }: Base & { onSubmit: (minutes: number) => void }) {
  const [minutes, setMinutes] = useState("90");
  return (
    <Dialog open={open} onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            onSubmit(Number(minutes));
          }}
        >
          <DialogBody>
            <DialogTitle>Snooze for…</DialogTitle>
            <DialogContent>
              <Field label="Minutes" hint="1 minute to 7 days (10080 minutes).">
                <Input type="number" value={minutes} onChange={(_, d) => setMinutes(d.value)} />
              </Field>
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={onClose}>
                Cancel
              </Button>
              <Button appearance="primary" type="submit" disabled={busy}>
                Snooze
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

export function UsersDialog({
  open,
  onClose,
  busy,
  title,
  users,
  onSubmit,
}: Base & { title: string; users: UserView[]; onSubmit: (ids: string[]) => void }) {
  const [picked, setPicked] = useState<string[]>([]);
  const label = (u: UserView) => u.name || u.email || u.id;
  return (
    <Dialog open={open} onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            onSubmit(picked);
          }}
        >
          <DialogBody>
            <DialogTitle>{title}</DialogTitle>
            <DialogContent>
              <Field label="People">
                <Combobox
                  multiselect
                  placeholder="Pick people"
                  selectedOptions={picked}
                  value={users.filter((u) => picked.includes(u.id)).map(label).join(", ")}
                  onOptionSelect={(_, d) => setPicked(d.selectedOptions)}
                >
                  {users.map((u) => (
                    <Option key={u.id} value={u.id} text={label(u)}>
                      {label(u)}
                    </Option>
                  ))}
                </Combobox>
              </Field>
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={onClose}>
                Cancel
              </Button>
              <Button appearance="primary" type="submit" disabled={busy}>
                {title}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

export function NoteDialog({ open, onClose, busy, onSubmit }: Base & { onSubmit: (note: string) => void }) {
  const [note, setNote] = useState("");
  return (
    <Dialog open={open} onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            onSubmit(note);
          }}
        >
          <DialogBody>
            <DialogTitle>Add a note</DialogTitle>
            <DialogContent>
              <Field label="Note">
                <Textarea value={note} onChange={(_, d) => setNote(d.value)} resize="vertical" />
              </Field>
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={onClose}>
                Cancel
              </Button>
              <Button appearance="primary" type="submit" disabled={busy}>
                Add note
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
