import { Title2 } from "@fluentui/react-components";

export function PoliciesPage() {
  return <Title2 as="h1">Escalation policies</Title2>;
}
