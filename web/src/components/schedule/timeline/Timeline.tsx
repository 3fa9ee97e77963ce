// The schedule's timeline: a row per layer, the overrides, and the final schedule the API resolves,
// over a day, week or month in the viewer's zone. Range and date live in the URL.
import { Button, Caption1, Subtitle2, ToggleButton, Toolbar, makeStyles, mergeClasses, tokens } from "@fluentui/react-components";
import { ChevronLeftRegular, ChevronRightRegular, WarningRegular } from "@fluentui/react-icons";
import { useSearchParams } from "react-router";
import { useNames } from "../../../api/catalog";
import { useFinalShifts, useLayerShifts, useOverrides, type Schedule, type Shift } from "../../../api/scheduleEditor";
import type { TimeRange } from "../../../pages/schedule/types";
import { isoDate, viewerZone } from "../../../time";
import { Loading, ProblemBar } from "../../States";
import { DayHeader } from "./DayHeader";
import { daySlots, place, rangeAround, shiftAnchor, type RangeKind } from "./geometry";
import type { Bar } from "./ShiftBar";
import { TimelineRow } from "./TimelineRow";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, minWidth: 0 },
  controls: { display: "flex", flexWrap: "wrap", alignItems: "center", gap: tokens.spacingHorizontalS },
  scroller: {
    overflowX: "auto",
    maxWidth: "100%",
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: tokens.spacingHorizontalS,
    ":focus-visible": { outline: `${tokens.strokeWidthThick} solid ${tokens.colorStrokeFocus2}` },
  },
  canvas: { position: "relative", display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  now: {
    position: "absolute",
    top: 0,
    bottom: 0,
    width: 0,
    borderLeft: `${tokens.strokeWidthThick} solid ${tokens.colorBrandStroke1}`,
    pointerEvents: "none",
    zIndex: 1,
  },
  day: { minWidth: "720px" },
  week: { minWidth: "840px" },
  month: { minWidth: "1400px" },
  gaps: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalXS, color: tokens.colorPaletteRedForeground1 },
});

/** How an override came about, when not typed in by hand. */
const SOURCE: Record<string, string> = { swap: " (swap)", ical: " (imported)" };

const KINDS: RangeKind[] = ["day", "week", "month"];
const KIND_LABEL: Record<RangeKind, string> = { day: "Day", week: "Week", month: "Month" };

function rangeTitle(kind: RangeKind, range: TimeRange, zone: string): string {
  if (kind === "day") return new Intl.DateTimeFormat(undefined, { timeZone: zone, dateStyle: "full" }).format(range.start);
  if (kind === "month") return new Intl.DateTimeFormat(undefined, { timeZone: zone, month: "long", year: "numeric" }).format(range.start);
  const last = new Date(range.end.getTime() - 1);
  return `Week of ${new Intl.DateTimeFormat(undefined, { timeZone: zone, dateStyle: "medium" }).formatRange(range.start, last)}`;
}

export interface TimelineProps {
  schedule: Schedule;
  /** Set when the person may override: shift menus and dragging on the final row. */
  onOverride?: (range: TimeRange) => void;
}

export function Timeline({ schedule, onOverride }: TimelineProps) {
  const s = useStyles();
  const zone = viewerZone();
  const name = useNames();
  const [params, setParams] = useSearchParams();
  const kind = (KINDS as string[]).includes(params.get("range") ?? "") ? (params.get("range") as RangeKind) : "week";
  const at = params.get("at");
  // A bare date is that day in the viewer's zone (noon, clear of any DST change).
  const anchor = at && /^\d{4}-\d{2}-\d{2}$/.test(at) ? new Date(`${at}T12:00:00`) : new Date();
  const range = rangeAround(kind, anchor, zone);
  const days = daySlots(range.start, range.end, zone);

  const final = useFinalShifts(schedule.id, range);
  const layers = useLayerShifts(schedule.id, range);
  const overrides = useOverrides(schedule.id, range);

  const go = (next: { range?: RangeKind; at?: Date | null }) =>
    setParams(
      (p) => {
        const q = new URLSearchParams(p);
        if (next.range) q.set("range", next.range);
        if (next.at === null) q.delete("at");
        else if (next.at) q.set("at", isoDate(next.at, zone));
        return q;
      },
      { replace: true },
    );

  const people = (user: string | null) => (user === null ? null : user.split(",").map(name).join(", "));
  const toBars = (prefix: string, shifts: Shift[], keepGaps: boolean): Bar[] =>
    shifts
      .filter((x) => keepGaps || x.user !== null)
      .map((x) => ({ key: `${prefix}-${x.start}`, who: people(x.user), colorKey: x.user ?? "", start: new Date(x.start), end: new Date(x.end) }));

  const finalBars = toBars("final", final.data ?? [], true);
  const gaps = finalBars.filter((b) => b.who === null).length;
  const overrideBars: Bar[] = (overrides.data ?? []).map((o) => ({
    key: o.id,
    who: `${people(o.user)}${SOURCE[o.source] ?? ""}`,
    colorKey: o.user,
    start: new Date(o.start),
    end: new Date(o.end),
  }));
  const rowProps = { range, kind, days, viewerZone: zone, scheduleZone: schedule.time_zone, onOverride };
  const title = rangeTitle(kind, range, zone);
  const now = Date.now();
  const nowAt = now >= range.start.getTime() && now < range.end.getTime() ? place(new Date(now), new Date(now + 1), range.start, range.end).left : null;

  return (
    <section className={s.root} aria-labelledby="timeline-range">
      <Toolbar aria-label="Timeline range" className={s.controls}>
        {KINDS.map((k) => (
          <ToggleButton key={k} checked={k === kind} onClick={() => go({ range: k })}>
            {KIND_LABEL[k]}
          </ToggleButton>
        ))}
        <Button icon={<ChevronLeftRegular />} aria-label={`Previous ${kind}`} onClick={() => go({ at: shiftAnchor(kind, anchor, -1, zone) })} />
        <Button onClick={() => go({ at: null })}>Today</Button>
        <Button icon={<ChevronRightRegular />} aria-label={`Next ${kind}`} onClick={() => go({ at: shiftAnchor(kind, anchor, 1, zone) })} />
      </Toolbar>
      <Subtitle2 as="h2" id="timeline-range">
        {title}
      </Subtitle2>
      <Caption1>
        Times in your zone ({zone}); hover a shift for the schedule's zone ({schedule.time_zone}).
        {onOverride ? " Drag across the final row, or open a shift, to override." : ""}
      </Caption1>
      {gaps > 0 && (
        <Caption1 className={s.gaps} role="status">
          <WarningRegular aria-hidden /> {gaps === 1 ? "1 gap" : `${gaps} gaps`}: nobody is on call there.
        </Caption1>
      )}
      <ProblemBar error={final.error ?? layers.error ?? overrides.error} />
      {final.isPending ? (
        <Loading label="Loading the timeline…" />
      ) : (
        <div className={s.scroller} role="region" aria-label={`Timeline, ${title}`} tabIndex={0}>
          <div className={mergeClasses(s.canvas, s[kind])}>
            <DayHeader days={days} kind={kind} zone={zone} />
            {nowAt !== null && <div className={s.now} style={{ left: `${nowAt * 100}%` }} title="Now" aria-hidden />}
            {(layers.data ?? []).map((row) => (
              <TimelineRow key={row.index} label={`Layer ${row.index + 1}: ${row.name}`} bars={toBars(`l${row.index}`, row.shifts, false)} {...rowProps} />
            ))}
            <TimelineRow label="Overrides" bars={overrideBars} empty="No overrides or swaps in this range" {...rowProps} />
            <TimelineRow label={gaps ? `Final schedule (${gaps === 1 ? "1 gap" : `${gaps} gaps`})` : "Final schedule"} bars={finalBars} selectable {...rowProps} />
          </div>
        </div>
      )}
    </section>
  );
}
