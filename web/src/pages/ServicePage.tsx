import { Title2 } from "@fluentui/react-components";

export function ServicePage() {
  return <Title2 as="h1">Service</Title2>;
}
