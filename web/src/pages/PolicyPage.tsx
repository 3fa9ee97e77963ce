import { Title2 } from "@fluentui/react-components";

export function PolicyPage() {
  return <Title2 as="h1">Escalation policy</Title2>;
}
