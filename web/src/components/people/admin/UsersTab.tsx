// Everyone OpenAlert knows: their teams and team roles, invited-but-not-signed-in, app roles.
import { Badge, Body1, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, makeStyles, tokens } from "@fluentui/react-components";
import { useNames, useUsers } from "../../../api/catalog";
import { Empty, Loading, ProblemBar } from "../../States";
import { ScrollRegion } from "./ScrollRegion";

const useStyles = makeStyles({
  tab: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, minWidth: 0 },
  badges: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalXS },
});

export function UsersTab() {
  const s = useStyles();
  const users = useUsers();
  const names = useNames();
  return (
    <div className={s.tab}>
      <Body1>
        App roles (Admin, Responder, Viewer) are assigned in Microsoft Entra ID — Enterprise applications › OpenAlert › Users and
        groups — and shown here as of each person&apos;s latest sign-in. Team roles are OpenAlert&apos;s own: change them on the
        Members tab.
      </Body1>
      <ProblemBar error={users.error} />
      {users.isPending ? (
        <Loading label="Loading users…" />
      ) : !users.data?.length ? (
        <Empty>Nobody has signed in yet.</Empty>
      ) : (
        <ScrollRegion label="Users table">
          <Table aria-label="Users" size="small">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>E-mail</TableHeaderCell>
                <TableHeaderCell>Teams</TableHeaderCell>
                <TableHeaderCell>App roles</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {users.data.map((u) => (
                <TableRow key={u.id}>
                  <TableCell>
                    {u.name || u.id}{" "}
                    {u.pending && (
                      <Badge appearance="tint" color="warning">
                        Invited, not signed in yet
                      </Badge>
                    )}
                  </TableCell>
                  <TableCell>{u.email ?? "—"}</TableCell>
                  <TableCell>
                    {Object.entries(u.teams)
                      .map(([team, role]) => `${names(team)} (${role === "admin" ? "team admin" : "member"})`)
                      .join(", ") || "—"}
                  </TableCell>
                  <TableCell>
                    <div className={s.badges}>
                      {(u.app_roles ?? []).length
                        ? (u.app_roles ?? []).map((r) => (
                            <Badge key={r} appearance="outline">
                              {r.replace("OpenAlert.", "")}
                            </Badge>
                          ))
                        : u.pending
                          ? "Not signed in"
                          : "None"}
                    </div>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </ScrollRegion>
      )}
    </div>
  );
}
