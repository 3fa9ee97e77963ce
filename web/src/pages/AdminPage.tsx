import { Title2 } from "@fluentui/react-components";

export function AdminPage() {
  return <Title2 as="h1">Administration</Title2>;
}
