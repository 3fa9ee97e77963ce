// The day ruler above the rows: each day as wide as it is long (a DST day says "23 h" / "25 h").
import { Caption1, makeStyles, tokens } from "@fluentui/react-components";
import type { DaySlot, RangeKind } from "./geometry";

const useStyles = makeStyles({
  ruler: { position: "relative", height: "40px", margin: 0, padding: 0 },
  day: {
    position: "absolute",
    top: 0,
    bottom: 0,
    listStyleType: "none",
    boxSizing: "border-box",
    overflow: "hidden",
    borderLeft: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    paddingInline: tokens.spacingHorizontalXS,
    display: "flex",
    flexDirection: "column",
  },
  odd: { color: tokens.colorNeutralForeground1, fontWeight: tokens.fontWeightBold },
  tick: { position: "absolute", top: 0, listStyleType: "none", paddingInline: tokens.spacingHorizontalXXS, color: tokens.colorNeutralForeground2 },
  ticks: { position: "relative", height: "20px", margin: 0, padding: 0 },
});

const HOUR = 3_600_000;

/** Every third real hour of a day, labelled with the local time it reads (a DST day skips or
 * repeats one). */
function HourTicks({ day, zone }: { day: DaySlot; zone: string }) {
  const s = useStyles();
  const fmt = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const total = day.end.getTime() - day.start.getTime();
  const ticks: number[] = [];
  for (let t = 0; t < total; t += 3 * HOUR) ticks.push(t);
  return (
    <ol className={s.ticks} aria-hidden>
      {ticks.map((t) => (
        <li key={t} className={s.tick} style={{ left: `${(t / total) * 100}%` }}>
          <Caption1>{fmt.format(new Date(day.start.getTime() + t))}</Caption1>
        </li>
      ))}
    </ol>
  );
}

export function DayHeader({ days, kind, zone }: { days: DaySlot[]; kind: RangeKind; zone: string }) {
  const s = useStyles();
  const fmt = new Intl.DateTimeFormat(undefined, {
    timeZone: zone,
    ...(kind === "month" ? { day: "numeric" } : { weekday: "short", day: "numeric", month: "short" }),
  });
  const long = new Intl.DateTimeFormat(undefined, { timeZone: zone, dateStyle: "full" });
  return (
    <>
      <ol className={s.ruler} aria-label="Days">
        {days.map((d) => (
          <li
            key={d.start.toISOString()}
            className={s.day}
            style={{ left: `${d.left * 100}%`, width: `${d.width * 100}%` }}
            aria-label={`${long.format(d.start)}, ${d.hours} hours`}
          >
            <Caption1>{fmt.format(d.start)}</Caption1>
            {d.hours !== 24 && <Caption1 className={s.odd}>{d.hours} h</Caption1>}
          </li>
        ))}
      </ol>
      {kind === "day" && days[0] && <HourTicks day={days[0]} zone={zone} />}
    </>
  );
}
