import type { ScheduleTabProps } from "./types";

export function ScheduleCalendarTab({ schedule }: ScheduleTabProps) {
  return <p>{schedule.name}</p>;
}
