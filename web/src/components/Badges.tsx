import { Badge } from "@fluentui/react-components";
import type { IncidentStatus } from "../api/incidents";

const STATUS_COLOR = {
  triggered: "danger",
  acknowledged: "warning",
  snoozed: "informative",
  resolved: "success",
} as const;

export function StatusBadge({ status }: { status: IncidentStatus }) {
  return (
    <Badge appearance="filled" color={STATUS_COLOR[status]} shape="rounded">
      {status}
    </Badge>
  );
}

const SEVERITY_COLOR = { P1: "danger", P2: "important", P3: "warning", P4: "informative", P5: "subtle" } as const;

export function SeverityBadge({ severity }: { severity: string }) {
  const color = SEVERITY_COLOR[severity as keyof typeof SEVERITY_COLOR] ?? "informative";
  return (
    <Badge appearance="tint" color={color} shape="rounded">
      {severity}
    </Badge>
  );
}
