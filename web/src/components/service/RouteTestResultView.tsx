// The server's verdict on a sample alert: which route it takes and, per route and condition,
// the value the alert had there and whether the condition held. Nothing is judged here.
import {
  Badge,
  Body1,
  Caption1,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { AlertRouting, RouteCondition, RouteTestResult } from "../../api/services";

const useStyles = makeStyles({
  result: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, minWidth: 0 },
  alert: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, minWidth: 0 },
  route: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
    padding: tokens.spacingVerticalS,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  chosen: { border: `${tokens.strokeWidthThick} solid ${tokens.colorPaletteGreenBorder2}` },
  head: { display: "flex", flexWrap: "wrap", alignItems: "center", gap: tokens.spacingHorizontalS },
  scroll: { overflowX: "auto" },
  cell: { overflowWrap: "anywhere" },
});

export type NameOf = (id: string | null | undefined) => string;

export function conditionValue(value: RouteCondition["value"]): string {
  if (value === null || value === undefined) return "—";
  return Array.isArray(value) ? value.join(", ") : value;
}

const OPS: Record<RouteCondition["op"], string> = {
  eq: "equals",
  ne: "does not equal",
  regex: "matches",
  in: "is one of",
  not_in: "is none of",
  exists: "exists",
  not_exists: "does not exist",
};
export const opLabel = (op: RouteCondition["op"]): string => OPS[op] ?? op;

function Decision({ alert, name }: { alert: AlertRouting; name: NameOf }) {
  const d = alert.decision;
  const at = alert.routes.findIndex((r) => r.route_id === d.route_id);
  const route = alert.routes[at];
  return (
    <Body1 role="status">
      {route
        ? `Takes route ${at + 1}${route.name ? ` “${route.name}”` : ""}`
        : "No route matched: the integration's own service and policy"}
      {` → ${name(d.service_id)}, ${d.escalation_policy_id ? `policy ${name(d.escalation_policy_id)}` : "the service's policy"}, ${d.severity}, `}
      {d.page ? "pages" : "recorded, does not page"}.
    </Body1>
  );
}

function AlertView({ alert, name, index }: { alert: AlertRouting; name: NameOf; index: number }) {
  const s = useStyles();
  return (
    <section className={s.alert} aria-label={`Alert ${index + 1}: ${alert.title}`}>
      <Subtitle2 as="h4">
        {alert.title} ({alert.severity})
      </Subtitle2>
      {Object.keys(alert.labels).length > 0 && (
        <Caption1>
          Labels: {Object.entries(alert.labels).map(([k, v]) => `${k}=${v}`).join(", ")}
        </Caption1>
      )}
      <Decision alert={alert} name={name} />
      {alert.routes.length === 0 && <Caption1>This integration has no routes.</Caption1>}
      {alert.routes.map((r, at) => {
        const chosen = r.route_id === alert.decision.route_id;
        return (
          <div key={r.route_id} className={chosen ? `${s.route} ${s.chosen}` : s.route}>
            <div className={s.head}>
              <Body1>
                Route {at + 1}
                {r.name ? ` “${r.name}”` : ""} (match {r.match === "all" ? "all conditions" : "any condition"})
              </Body1>
              {chosen ? (
                <Badge color="success">Taken</Badge>
              ) : r.matched ? (
                <Badge color="informative">Matched, an earlier route won</Badge>
              ) : (
                <Badge color="subtle">Not matched</Badge>
              )}
            </div>
            <div className={s.scroll}>
              <Table size="extra-small" aria-label={`Conditions of route ${at + 1}`}>
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell>Condition</TableHeaderCell>
                    <TableHeaderCell>The alert has</TableHeaderCell>
                    <TableHeaderCell>Result</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {r.conditions.map((c, i) => (
                    <TableRow key={i}>
                      <TableCell className={s.cell}>
                        {c.field} {opLabel(c.op as RouteCondition["op"])} {c.value === null ? "" : conditionValue(c.value)}
                      </TableCell>
                      <TableCell className={s.cell}>{c.actual ?? "(nothing)"}</TableCell>
                      <TableCell>{c.result ? "✓ holds" : "✗ fails"}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </div>
          </div>
        );
      })}
    </section>
  );
}

export function RouteTestResultView({ result, name }: { result: RouteTestResult; name: NameOf }) {
  const s = useStyles();
  return (
    <div className={s.result}>
      {result.alerts.length === 0 && <Body1>The sample holds no alert.</Body1>}
      {result.alerts.map((a, i) => (
        <AlertView key={i} alert={a} name={name} index={i} />
      ))}
    </div>
  );
}
