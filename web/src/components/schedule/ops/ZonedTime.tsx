// A time in the viewer's zone; the schedule's zone on hover or focus.
import { Tooltip } from "@fluentui/react-components";
import { formatTime } from "../../../time";

export function ZonedTime({ iso, zone }: { iso: string; zone: string }) {
  return (
    <Tooltip content={`${formatTime(iso, zone)} (${zone})`} relationship="description" withArrow>
      {/* Focusable so keyboard users reach the schedule's zone too. */}
      <time dateTime={iso} tabIndex={0}>
        {formatTime(iso)}
      </time>
    </Tooltip>
  );
}

export function ZonedRange({ start, end, zone }: { start: string; end: string; zone: string }) {
  return (
    <>
      <ZonedTime iso={start} zone={zone} /> – <ZonedTime iso={end} zone={zone} />
    </>
  );
}
