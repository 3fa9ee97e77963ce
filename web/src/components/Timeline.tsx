import { Body1, Caption1, makeStyles, tokens } from "@fluentui/react-components";
import type { TimelineEntry } from "../api/incidents";
import { formatTime } from "../time";
import { Empty } from "./States";

const useStyles = makeStyles({
  list: { listStyleType: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  item: {
    borderLeft: `${tokens.strokeWidthThick} solid ${tokens.colorBrandStroke1}`,
    paddingLeft: tokens.spacingHorizontalS,
    overflowWrap: "anywhere",
    display: "flex",
    flexDirection: "column",
  },
});

export function Timeline({ entries }: { entries: TimelineEntry[] }) {
  const s = useStyles();
  if (!entries.length) return <Empty>Nothing has happened yet.</Empty>;
  return (
    <ol className={s.list} aria-label="Timeline">
      {entries.map((e, i) => (
        <li key={`${e.at}-${i}`} className={s.item} data-kind={e.kind}>
          <Caption1>
            {formatTime(e.at)} · {e.kind}
            {e.actor?.display ? ` · ${e.actor.display}` : ""}
            {e.via ? ` · via ${e.via}` : ""}
          </Caption1>
          <Body1>{e.message}</Body1>
        </li>
      ))}
    </ol>
  );
}
