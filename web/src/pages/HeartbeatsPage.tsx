import { Title2 } from "@fluentui/react-components";

export function HeartbeatsPage() {
  return <Title2 as="h1">Heartbeats</Title2>;
}
