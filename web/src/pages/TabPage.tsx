import { Title2 } from "@fluentui/react-components";

export function TabPage() {
  return <Title2 as="h1">OpenAlert</Title2>;
}
