// Teams: list, create, rename, delete (Admin creates and deletes; a team's admins rename it).
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
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { AddRegular, DeleteRegular, EditRegular, PeopleRegular } from "@fluentui/react-icons";
import { useState } from "react";
import { type Team, useTeams } from "../../../api/catalog";
import { useSession } from "../../../api/context";
import { useCreateTeam, useDeleteTeam, useRenameTeam } from "../../../api/people";
import { fieldMessage } from "../../../api/problem";
import { Empty, Loading, ProblemBar } from "../../States";
import { ConfirmDialog } from "../ConfirmDialog";
import { ScrollRegion } from "./ScrollRegion";
import { canConfigure, isAdmin } from "../../../api/rights";

const useStyles = makeStyles({
  tab: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, minWidth: 0 },
  form: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalM, alignItems: "flex-end" },
  actions: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalXS },
});

function RenameDialog({ team, onClose }: { team: Team; onClose: () => void }) {
  const rename = useRenameTeam();
  const [name, setName] = useState(team.name);
  return (
    <Dialog open onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            rename.mutate({ team, name: name.trim() }, { onSuccess: onClose });
          }}
        >
          <DialogBody>
            <DialogTitle>Rename {team.name}</DialogTitle>
            <DialogContent>
              <Field label="Name" validationMessage={fieldMessage(rename.error, "name")}>
                <Input value={name} onChange={(_, d) => setName(d.value)} />
              </Field>
              {!fieldMessage(rename.error, "name") && <ProblemBar error={rename.error} />}
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={onClose}>
                Cancel
              </Button>
              <Button appearance="primary" type="submit" disabled={rename.isPending}>
                Rename
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

export function TeamsTab({ onMembers }: { onMembers: (teamId: string) => void }) {
  const s = useStyles();
  const { me } = useSession();
  const teams = useTeams();
  const create = useCreateTeam();
  const remove = useDeleteTeam();
  const [name, setName] = useState("");
  const [renaming, setRenaming] = useState<Team | null>(null);
  const [deleting, setDeleting] = useState<Team | null>(null);
  return (
    <div className={s.tab}>
      {isAdmin(me) && (
        <form
          className={s.form}
          aria-label="Create a team"
          onSubmit={(e) => {
            e.preventDefault();
            const submitted = name.trim();
            // Cleared only if it still holds what was sent: a name typed meanwhile stays.
            create.mutate(submitted, { onSuccess: () => setName((now) => (now.trim() === submitted ? "" : now)) });
          }}
        >
          <Field label="New team's name" validationMessage={fieldMessage(create.error, "name")}>
            <Input value={name} onChange={(_, d) => setName(d.value)} />
          </Field>
          <Button type="submit" appearance="primary" icon={<AddRegular />} disabled={create.isPending}>
            Create team
          </Button>
          {!fieldMessage(create.error, "name") && <ProblemBar error={create.error} />}
        </form>
      )}
      <ProblemBar error={teams.error} />
      {teams.isPending ? (
        <Loading label="Loading teams…" />
      ) : !teams.data?.length ? (
        <Empty>No teams yet.</Empty>
      ) : (
        <ScrollRegion label="Teams table">
          <Table aria-label="Teams" size="small">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>Description</TableHeaderCell>
                <TableHeaderCell>Actions</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {teams.data.map((t) => (
                <TableRow key={t.id}>
                  <TableCell>{t.name}</TableCell>
                  <TableCell>{t.description || "—"}</TableCell>
                  <TableCell>
                    <div className={s.actions}>
                      <Button size="small" icon={<PeopleRegular />} onClick={() => onMembers(t.id)} aria-label={`Members of ${t.name}`}>
                        Members
                      </Button>
                      {canConfigure(me, t.id) && (
                        <Button size="small" icon={<EditRegular />} onClick={() => setRenaming(t)} aria-label={`Rename ${t.name}`}>
                          Rename
                        </Button>
                      )}
                      {isAdmin(me) && (
                        <Button size="small" icon={<DeleteRegular />} onClick={() => setDeleting(t)} aria-label={`Delete ${t.name}`}>
                          Delete
                        </Button>
                      )}
                    </div>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </ScrollRegion>
      )}
      {renaming && <RenameDialog team={renaming} onClose={() => setRenaming(null)} />}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete ${deleting?.name ?? "team"}?`}
        action="Delete"
        busy={remove.isPending}
        error={remove.error}
        onClose={() => {
          setDeleting(null);
          remove.reset();
        }}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
      >
        The team is removed for good. The API refuses while services still belong to it.
      </ConfirmDialog>
    </div>
  );
}
