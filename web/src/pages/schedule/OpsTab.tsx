import type { ScheduleTabProps } from "./types";

export function ScheduleOpsTab({ schedule }: ScheduleTabProps) {
  return <p>{schedule.name}</p>;
}
