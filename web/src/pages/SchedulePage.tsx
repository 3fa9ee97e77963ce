import { Title2 } from "@fluentui/react-components";

export function SchedulePage() {
  return <Title2 as="h1">Schedule</Title2>;
}
