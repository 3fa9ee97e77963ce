// API keys: create with scopes (and a team limit), the secret shown once, list, revoke.
import {
  Badge,
  Button,
  Caption1,
  Checkbox,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { KeyRegular } from "@fluentui/react-icons";
import { useState } from "react";
import { useNames, useTeams } from "../../../api/catalog";
import { useSession } from "../../../api/context";
import { type ApiKey, type ApiKeyScope, useApiKeys, useCreateApiKey, useRevokeApiKey } from "../../../api/people";
import { fieldMessage } from "../../../api/problem";
import { formatTime } from "../../../time";
import { Empty, Loading, ProblemBar } from "../../States";
import { ConfirmDialog } from "../ConfirmDialog";
import { CopyField } from "../../CopyField";
import { ScrollRegion } from "./ScrollRegion";
import { adminTeams, canConfigureAny, isAdmin } from "../../../api/rights";

const useStyles = makeStyles({
  tab: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, minWidth: 0 },
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, maxWidth: "640px" },
  group: { display: "flex", flexWrap: "wrap", columnGap: tokens.spacingHorizontalM, border: "none", margin: 0, padding: 0, minWidth: 0 },
  legend: { padding: 0, fontSize: tokens.fontSizeBase300, marginBottom: tokens.spacingVerticalXXS },
  error: { color: tokens.colorPaletteRedForeground1, flexBasis: "100%" },
});

// Every scope of the API's key model (a Record over the generated type: a new scope fails the
// typecheck until it is described here).
const SCOPE_LABELS: Record<ApiKeyScope, string> = {
  read: "read — read configuration and incidents",
  incidents: "incidents — read incidents and act on them",
  write: "write — read and change configuration",
};

function CreateForm({ onCreated }: { onCreated: (secret: string, name: string) => void }) {
  const s = useStyles();
  const { me } = useSession();
  const teams = useTeams().data ?? [];
  const create = useCreateApiKey();
  const mine = isAdmin(me) ? teams.map((t) => t.id) : adminTeams(me);
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<ApiKeyScope[]>(["read"]);
  const [limit, setLimit] = useState<string[]>([]);
  const [expires, setExpires] = useState("");
  const toggle = <T,>(list: T[], item: T, on: boolean) => (on ? [...list, item] : list.filter((x) => x !== item));
  const teamName = (id: string) => teams.find((t) => t.id === id)?.name ?? id;
  return (
    <form
      className={s.form}
      aria-label="Create an API key"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate(
          {
            name: name.trim(),
            scopes,
            team_ids: limit.length ? limit : null,
            // The end of the chosen day where the admin is.
            expires_at: expires ? new Date(`${expires}T23:59:59`).toISOString() : null,
          },
          {
            onSuccess: (created) => {
              onCreated(created.secret, created.key.name);
              setName("");
              setExpires("");
            },
          },
        );
      }}
    >
      <Field label="Key name" hint="What the key is for, e.g. the CI pipeline's name." validationMessage={fieldMessage(create.error, "name")}>
        <Input value={name} onChange={(_, d) => setName(d.value)} />
      </Field>
      <fieldset className={s.group}>
        <legend className={s.legend}>Scopes</legend>
        {(Object.keys(SCOPE_LABELS) as ApiKeyScope[]).map((scope) => (
          <Checkbox
            key={scope}
            label={SCOPE_LABELS[scope]}
            checked={scopes.includes(scope)}
            onChange={(_, d) => setScopes((x) => toggle(x, scope, !!d.checked))}
          />
        ))}
        {fieldMessage(create.error, "scopes") && <span className={s.error}>{fieldMessage(create.error, "scopes")}</span>}
      </fieldset>
      <fieldset className={s.group}>
        <legend className={s.legend}>{isAdmin(me) ? "Limit to teams (none: every team and global configuration)" : "Limit to teams (required: teams you administer)"}</legend>
        {mine.map((id) => (
          <Checkbox key={id} label={teamName(id)} checked={limit.includes(id)} onChange={(_, d) => setLimit((x) => toggle(x, id, !!d.checked))} />
        ))}
        {fieldMessage(create.error, "team_ids") && <span className={s.error}>{fieldMessage(create.error, "team_ids")}</span>}
      </fieldset>
      <Field label="Expires (optional)" hint="The key stops working at the end of that day." validationMessage={fieldMessage(create.error, "expires_at")}>
        <Input type="date" value={expires} onChange={(_, d) => setExpires(d.value)} />
      </Field>
      <div>
        <Button type="submit" appearance="primary" icon={<KeyRegular />} disabled={create.isPending}>
          Create key
        </Button>
      </div>
      {!fieldMessage(create.error, "name") && !fieldMessage(create.error, "scopes") && !fieldMessage(create.error, "team_ids") && (
        <ProblemBar error={create.error} />
      )}
    </form>
  );
}

export function KeysTab() {
  const s = useStyles();
  const { me } = useSession();
  const keys = useApiKeys();
  const revoke = useRevokeApiKey();
  const names = useNames();
  const [created, setCreated] = useState<{ secret: string; name: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const mayCreate = canConfigureAny(me);
  return (
    <div className={s.tab}>
      {mayCreate && <CreateForm onCreated={(secret, name) => setCreated({ secret, name })} />}
      {created && (
        <MessageBar intent="success" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>Key “{created.name}” created</MessageBarTitle>
            This is the only time the key is shown: copy it now. OpenAlert keeps only its hash.
            <CopyField label="API key" value={created.secret} />
            <Button onClick={() => setCreated(null)}>I have copied it</Button>
          </MessageBarBody>
        </MessageBar>
      )}
      <ProblemBar error={keys.error} />
      {keys.isPending ? (
        <Loading label="Loading API keys…" />
      ) : !keys.data?.length ? (
        <Empty>No API keys you may manage.</Empty>
      ) : (
        <ScrollRegion label="API keys table">
          <Table aria-label="API keys" size="small">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>Prefix</TableHeaderCell>
                <TableHeaderCell>Scopes</TableHeaderCell>
                <TableHeaderCell>Teams</TableHeaderCell>
                <TableHeaderCell>Created</TableHeaderCell>
                <TableHeaderCell>Last used</TableHeaderCell>
                <TableHeaderCell>Status</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {keys.data.map((k) => {
                return (
                  <TableRow key={k.id}>
                    <TableCell>{k.name}</TableCell>
                    <TableCell>
                      <code>{k.prefix}</code>
                    </TableCell>
                    <TableCell>{[...k.scopes].sort().join(", ")}</TableCell>
                    <TableCell>{k.team_ids ? k.team_ids.map(names).join(", ") : "All teams"}</TableCell>
                    <TableCell>
                      {formatTime(k.created_at)} by {names(k.created_by)}
                    </TableCell>
                    <TableCell>{k.last_used_at ? formatTime(k.last_used_at) : "Never"}</TableCell>
                    <TableCell>
                      {/* Revocation is a fact; whether an expiry has passed is the API's call. */}
                      {k.revoked_at ? (
                        <Badge appearance="tint" color="danger">
                          Revoked {formatTime(k.revoked_at)}
                        </Badge>
                      ) : (
                        <Caption1>{k.expires_at ? `Expires ${formatTime(k.expires_at)}` : "Does not expire"}</Caption1>
                      )}{" "}
                      {!k.revoked_at && (
                        <Button size="small" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
                          Revoke
                        </Button>
                      )}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </ScrollRegion>
      )}
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke ${revoking?.name ?? "key"}?`}
        action="Revoke"
        busy={revoke.isPending}
        error={revoke.error}
        onClose={() => {
          setRevoking(null);
          revoke.reset();
        }}
        onConfirm={() => revoking && revoke.mutate(revoking.id, { onSuccess: () => setRevoking(null) })}
      >
        The key, and every key minted with it, stops working within 30 seconds. This cannot be undone.
      </ConfirmDialog>
    </div>
  );
}
