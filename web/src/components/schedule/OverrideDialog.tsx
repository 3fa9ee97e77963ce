import type { TimeRange } from "../../pages/schedule/types";

/** Open while `range` is set; closing (saved or cancelled) calls onClose. */
export function OverrideDialog({ scheduleId, range, onClose }: { scheduleId: string; range: TimeRange | null; onClose: () => void }) {
  return range ? <button onClick={onClose}>{scheduleId}</button> : null;
}
