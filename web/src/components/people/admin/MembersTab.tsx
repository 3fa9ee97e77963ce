// A team's members and their team roles; invite people by e-mail (they join on first sign-in).
import {
  Badge,
  Button,
  Caption1,
  Field,
  Input,
  Select,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { DeleteRegular, PersonAddRegular } from "@fluentui/react-icons";
import { useState } from "react";
import { useTeams } from "../../../api/catalog";
import { useSession } from "../../../api/context";
import { type Member, type TeamRole, useInvite, useMembers, useSetMember } from "../../../api/people";
import { fieldMessage } from "../../../api/problem";
import { Empty, Loading, ProblemBar } from "../../States";
import { ConfirmDialog } from "../ConfirmDialog";
import { ScrollRegion } from "./ScrollRegion";
import { canConfigure } from "../../../api/rights";

const useStyles = makeStyles({
  tab: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, minWidth: 0 },
  form: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalM, alignItems: "flex-end" },
  picker: { maxWidth: "360px" },
});

const ROLE_LABELS: Record<TeamRole, string> = { member: "Member", admin: "Team admin" };
const TEAM_ROLES = Object.keys(ROLE_LABELS) as TeamRole[];

function InviteForm({ teamId }: { teamId: string }) {
  const s = useStyles();
  const invite = useInvite(teamId);
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<TeamRole>("member");
  return (
    <form
      className={s.form}
      aria-label="Invite by e-mail"
      onSubmit={(e) => {
        e.preventDefault();
        invite.mutate(
          { email: email.trim(), name: name.trim(), role },
          {
            onSuccess: () => {
              setEmail("");
              setName("");
            },
          },
        );
      }}
    >
      <Field label="E-mail" hint="They join on their first sign-in." validationMessage={fieldMessage(invite.error, "email")}>
        <Input type="email" value={email} onChange={(_, d) => setEmail(d.value)} />
      </Field>
      <Field label="Name (optional)" validationMessage={fieldMessage(invite.error, "name")}>
        <Input value={name} onChange={(_, d) => setName(d.value)} />
      </Field>
      <Field label="Team role">
        <Select value={role} onChange={(_, d) => setRole(d.value as TeamRole)}>
          {TEAM_ROLES.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABELS[r]}
            </option>
          ))}
        </Select>
      </Field>
      <Button type="submit" appearance="primary" icon={<PersonAddRegular />} disabled={invite.isPending}>
        Invite
      </Button>
      {!fieldMessage(invite.error, "email") && <ProblemBar error={invite.error} />}
      {invite.isSuccess && <Caption1 aria-live="polite">{invite.data.email} added.</Caption1>}
    </form>
  );
}

function MemberRow({ teamId, member, manage }: { teamId: string; member: Member; manage: boolean }) {
  const set = useSetMember(teamId);
  const [confirm, setConfirm] = useState(false);
  const name = member.name || member.email || member.id;
  const role = (member.teams[teamId] ?? "member") as TeamRole;
  return (
    <TableRow>
      <TableCell>
        {name} {member.pending && <Badge appearance="tint" color="warning">Invited, not signed in yet</Badge>}
      </TableCell>
      <TableCell>{member.email ?? "—"}</TableCell>
      <TableCell>
        {manage ? (
          <Select
            aria-label={`Team role of ${name}`}
            value={role}
            disabled={set.isPending}
            onChange={(_, d) => set.mutate({ userId: member.id, role: d.value as TeamRole })}
          >
            {TEAM_ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </Select>
        ) : (
          ROLE_LABELS[role]
        )}
        {!confirm && <ProblemBar error={set.error} />}
      </TableCell>
      {manage && (
        <TableCell>
          <Button size="small" icon={<DeleteRegular />} aria-label={`Remove ${name} from the team`} onClick={() => setConfirm(true)} />
          <ConfirmDialog
            open={confirm}
            title={`Remove ${name}?`}
            action="Remove"
            busy={set.isPending}
            error={set.error}
            onClose={() => {
              setConfirm(false);
              set.reset();
            }}
            onConfirm={() => set.mutate({ userId: member.id, role: null }, { onSuccess: () => setConfirm(false) })}
          >
            {name} leaves the team: no more pages from its policies, and keys they minted lose its rights.
          </ConfirmDialog>
        </TableCell>
      )}
    </TableRow>
  );
}

export function MembersTab({ teamId, onTeam }: { teamId: string | undefined; onTeam: (id: string) => void }) {
  const s = useStyles();
  const { me } = useSession();
  const teams = useTeams();
  const chosen = teamId ?? teams.data?.[0]?.id;
  const members = useMembers(chosen);
  const manage = !!chosen && canConfigure(me, chosen);
  const teamName = teams.data?.find((t) => t.id === chosen)?.name ?? chosen;
  return (
    <div className={s.tab}>
      <ProblemBar error={teams.error} />
      <Field className={s.picker} label="Team">
        <Select value={chosen ?? ""} onChange={(_, d) => onTeam(d.value)}>
          {(teams.data ?? []).map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </Select>
      </Field>
      {chosen && manage && <InviteForm key={chosen} teamId={chosen} />}
      <ProblemBar error={members.error} />
      {!chosen ? (
        teams.isPending ? <Loading label="Loading teams…" /> : <Empty>No teams yet: create one first.</Empty>
      ) : members.isPending ? (
        <Loading label="Loading members…" />
      ) : !members.data?.length ? (
        <Empty>No members yet.</Empty>
      ) : (
        <ScrollRegion label={`Members of ${teamName}`}>
          <Table aria-label={`Members of ${teamName}`} size="small">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>E-mail</TableHeaderCell>
                <TableHeaderCell>Team role</TableHeaderCell>
                {manage && <TableHeaderCell>Remove</TableHeaderCell>}
              </TableRow>
            </TableHeader>
            <TableBody>
              {members.data.map((m) => (
                <MemberRow key={m.id} teamId={chosen} member={m} manage={manage} />
              ))}
            </TableBody>
          </Table>
        </ScrollRegion>
      )}
    </div>
  );
}
