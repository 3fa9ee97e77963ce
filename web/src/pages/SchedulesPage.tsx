import { Title2 } from "@fluentui/react-components";

export function SchedulesPage() {
  return <Title2 as="h1">Schedules</Title2>;
}
