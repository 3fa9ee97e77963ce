// An integration's routes in evaluation order (the first match wins): move, edit, delete, add,
// and test them against a sample alert.
import { Badge, Body1, Button, Caption1, Subtitle2, makeStyles, tokens } from "@fluentui/react-components";
import {
  AddRegular,
  ArrowDownRegular,
  ArrowUpRegular,
  BeakerRegular,
  ChevronUpRegular,
  DeleteRegular,
  EditRegular,
} from "@fluentui/react-icons";
import { useState } from "react";
import { useConfigNames, useDeleteRoute, useReorderRoutes, useRoutes, type Route } from "../../api/services";
import { Loading, ProblemBar } from "../States";
import { ConfirmButton } from "./ConfirmButton";
import { RouteDialog } from "./RouteDialog";
import { RouteTester } from "./RouteTester";
import { conditionValue, opLabel } from "./RouteTestResultView";

const useStyles = makeStyles({
  box: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, minWidth: 0 },
  list: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, margin: 0, padding: 0, listStyleType: "none" },
  item: {
    display: "flex",
    flexWrap: "wrap",
    justifyContent: "space-between",
    gap: tokens.spacingHorizontalS,
    padding: tokens.spacingVerticalS,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  what: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS, minWidth: 0, overflowWrap: "anywhere" },
  tools: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalXS, alignItems: "center" },
});

function summary(r: Route): string {
  const joiner = r.match === "all" ? " and " : " or ";
  return r.conditions.map((c) => `${c.field} ${opLabel(c.op)}${c.value === null ? "" : ` ${conditionValue(c.value)}`}`).join(joiner);
}

interface Props {
  integrationId: string;
  serviceId: string;
  teamId: string;
  editable: boolean;
}

export function RoutesEditor({ integrationId, serviceId, teamId, editable }: Props) {
  const s = useStyles();
  const name = useConfigNames();
  const routes = useRoutes(integrationId);
  const reorder = useReorderRoutes(integrationId);
  const remove = useDeleteRoute(integrationId);
  // "new" or the route being edited; the dialog mounts afresh each time so its form starts clean.
  const [editing, setEditing] = useState<Route | "new" | null>(null);
  const [testing, setTesting] = useState(false);
  const list = routes.data ?? [];
  const move = (from: number, to: number) => {
    const ids = list.map((r) => r.id);
    const [moved] = ids.splice(from, 1);
    ids.splice(to, 0, moved!);
    reorder.mutate(ids);
  };
  const last = list.at(-1);
  return (
    <div className={s.box}>
      <Caption1>Every alert is checked against the routes in order; the first that matches decides. None matches: the service and its policy.</Caption1>
      <ProblemBar error={routes.error ?? reorder.error ?? remove.error} />
      {routes.isPending ? (
        <Loading label="Loading routes…" />
      ) : list.length === 0 ? (
        <Body1>No routes: every alert goes to this service and pages by its policy.</Body1>
      ) : (
        <ol className={s.list} aria-label="Routes in order">
          {list.map((r, i) => {
            const label = r.name || `Route ${i + 1}`;
            return (
              <li key={r.id} className={s.item}>
                <div className={s.what}>
                  <Subtitle2 as="h5">
                    {i + 1}. {label}
                  </Subtitle2>
                  <Body1>If {summary(r)}</Body1>
                  <Caption1>
                    → {r.service_id ? name(r.service_id) : "this service"}
                    {r.escalation_policy_id ? `, policy ${name(r.escalation_policy_id)}` : ""}
                    {r.severity ? `, as ${r.severity}` : ""}
                  </Caption1>
                  {!r.page && (
                    <span>
                      <Badge color="warning">Record, don't page</Badge>
                    </span>
                  )}
                </div>
                {editable && (
                  <div className={s.tools}>
                    <Button size="small" icon={<ArrowUpRegular />} aria-label={`Move ${label} up`} disabled={i === 0 || reorder.isPending} onClick={() => move(i, i - 1)} />
                    <Button
                      size="small"
                      icon={<ArrowDownRegular />}
                      aria-label={`Move ${label} down`}
                      disabled={i === list.length - 1 || reorder.isPending}
                      onClick={() => move(i, i + 1)}
                    />
                    <Button size="small" icon={<EditRegular />} aria-label={`Edit ${label}`} onClick={() => setEditing(r)} />
                    <ConfirmButton
                      label={`Delete ${label}`}
                      size="small"
                      icon={<DeleteRegular />}
                      title={`Delete ${label}?`}
                      confirm="Delete"
                      onConfirm={() => remove.mutate(r.id)}
                    >
                      Alerts it caught go to the next route that matches.
                    </ConfirmButton>
                  </div>
                )}
              </li>
            );
          })}
        </ol>
      )}
      {editable && (
        <div>
          <Button icon={<AddRegular />} onClick={() => setEditing("new")}>
            Add route
          </Button>
        </div>
      )}
      {editing && (
        <RouteDialog
          integrationId={integrationId}
          teamId={teamId}
          route={editing === "new" ? undefined : editing}
          position={last ? last.position + 1 : 0}
          open
          onClose={() => setEditing(null)}
        />
      )}
      <div>
        <Button icon={testing ? <ChevronUpRegular /> : <BeakerRegular />} aria-expanded={testing} onClick={() => setTesting(!testing)}>
          Test against a sample alert
        </Button>
      </div>
      {testing && <RouteTester integrationId={integrationId} serviceId={serviceId} />}
    </div>
  );
}
