// One row of the timeline (a layer, the overrides, or the final schedule) as a labelled list of
// shifts on a track. The final row also takes a dragged range to override.
import { Caption1Strong, makeStyles, mergeClasses, tokens } from "@fluentui/react-components";
import { useId, useRef, useState, type PointerEvent } from "react";
import type { TimeRange } from "../../../pages/schedule/types";
import { instantAt, type DaySlot, type RangeKind } from "./geometry";
import { ShiftBar, type Bar } from "./ShiftBar";

const useStyles = makeStyles({
  wrap: { position: "relative" },
  row: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS },
  label: { position: "sticky", left: 0, alignSelf: "flex-start", paddingInline: tokens.spacingHorizontalXS },
  track: {
    position: "relative",
    height: "32px",
    margin: 0,
    padding: 0,
    backgroundColor: tokens.colorNeutralBackground2,
    borderRadius: tokens.borderRadiusMedium,
  },
  empty: {
    listStyleType: "none",
    position: "sticky",
    left: 0,
    display: "inline-block",
    paddingInline: tokens.spacingHorizontalS,
    lineHeight: "32px",
    fontSize: tokens.fontSizeBase200,
    color: tokens.colorNeutralForeground2,
  },
  draggable: { cursor: "crosshair", userSelect: "none" },
  dayLine: {
    position: "absolute",
    top: 0,
    bottom: 0,
    borderLeft: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    pointerEvents: "none",
  },
  selection: {
    position: "absolute",
    top: 0,
    bottom: 0,
    backgroundColor: tokens.colorBrandBackground2,
    border: `${tokens.strokeWidthThick} solid ${tokens.colorBrandStroke1}`,
    pointerEvents: "none",
    opacity: 0.7,
  },
});

export interface TimelineRowProps {
  label: string;
  bars: Bar[];
  range: TimeRange;
  kind: RangeKind;
  days: DaySlot[];
  viewerZone: string;
  scheduleZone: string;
  onOverride?: (range: TimeRange) => void;
  /** Dragging across the row picks a range to override. */
  selectable?: boolean;
  /** Said inside the track when it has no shifts. */
  empty?: string;
}

/** Pixels a pointer must travel before a press becomes a drag (a click still opens the shift). */
const DRAG_PX = 6;

export function TimelineRow(props: TimelineRowProps) {
  const { label, bars, range, kind, days, viewerZone, scheduleZone, onOverride, selectable, empty } = props;
  const s = useStyles();
  const id = useId();
  const track = useRef<HTMLUListElement>(null);
  const drag = useRef<{ x0: number; px0: number; moved: boolean } | null>(null);
  const swallowClick = useRef(false);
  const [sel, setSel] = useState<{ a: number; b: number } | null>(null);
  const dragging = Boolean(selectable && onOverride);

  const fraction = (e: PointerEvent) => {
    const r = track.current!.getBoundingClientRect();
    return (e.clientX - r.left) / r.width;
  };
  const handlers = dragging
    ? {
        onPointerDown: (e: PointerEvent<HTMLUListElement>) => {
          if (e.button !== 0 || e.pointerType === "touch") return;
          drag.current = { x0: fraction(e), px0: e.clientX, moved: false };
        },
        onPointerMove: (e: PointerEvent<HTMLUListElement>) => {
          const d = drag.current;
          if (!d) return;
          if (!d.moved && Math.abs(e.clientX - d.px0) < DRAG_PX) return;
          if (!d.moved) {
            d.moved = true;
            // Captured only once it is a drag: a plain press must still click the shift under it.
            e.currentTarget.setPointerCapture(e.pointerId);
          }
          setSel({ a: d.x0, b: fraction(e) });
        },
        onPointerUp: (e: PointerEvent<HTMLUListElement>) => {
          const d = drag.current;
          drag.current = null;
          setSel(null);
          if (!d?.moved) return;
          swallowClick.current = true;
          const x = fraction(e);
          const start = instantAt(Math.min(d.x0, x), range.start, range.end);
          const end = instantAt(Math.max(d.x0, x), range.start, range.end);
          if (end > start) onOverride!({ start, end });
        },
        onPointerCancel: () => {
          drag.current = null;
          setSel(null);
        },
        onClickCapture: (e: React.MouseEvent) => {
          if (!swallowClick.current) return;
          swallowClick.current = false;
          e.stopPropagation();
          e.preventDefault();
        },
      }
    : {};

  return (
    <div className={s.row}>
      <Caption1Strong id={id} className={s.label}>
        {label}
      </Caption1Strong>
      <div className={s.wrap}>
        <ul ref={track} aria-labelledby={id} className={mergeClasses(s.track, dragging && s.draggable)} {...handlers}>
          {bars.length === 0 && empty && <li className={s.empty}>{empty}</li>}
          {bars.map((bar) => (
            <ShiftBar key={bar.key} bar={bar} range={range} kind={kind} viewerZone={viewerZone} scheduleZone={scheduleZone} onOverride={onOverride} />
          ))}
        </ul>
        {days.map((d) => (
          <div key={d.start.toISOString()} className={s.dayLine} style={{ left: `${d.left * 100}%` }} aria-hidden />
        ))}
        {sel && (
          <div
            className={s.selection}
            aria-hidden
            style={{ left: `${Math.max(0, Math.min(sel.a, sel.b)) * 100}%`, width: `${Math.min(1, Math.abs(sel.b - sel.a)) * 100}%` }}
          />
        )}
      </div>
    </div>
  );
}
