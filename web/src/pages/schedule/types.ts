// What the schedule page's tabs share.
import type { components } from "../../api/schema";

export type Schedule = components["schemas"]["Schedule"];

export interface ScheduleTabProps {
  schedule: Schedule;
}

/** A stretch of time picked on the timeline (to override) or in a form. */
export interface TimeRange {
  start: Date;
  end: Date;
}
