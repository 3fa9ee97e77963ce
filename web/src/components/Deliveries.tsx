// Who was notified by which channel, and whether it arrived.
import { Body1, Caption1, makeStyles, tokens } from "@fluentui/react-components";
import type { Delivery } from "../api/incidents";
import { formatTime } from "../time";
import { Empty } from "./States";

const useStyles = makeStyles({
  list: { listStyleType: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  item: { overflowWrap: "anywhere", display: "flex", flexDirection: "column" },
  failed: { color: tokens.colorPaletteRedForeground1 },
});

export function Deliveries({ items, name }: { items: Delivery[]; name: (id: string | null | undefined) => string }) {
  const s = useStyles();
  if (!items.length) return <Empty>No notifications sent.</Empty>;
  return (
    <ul className={s.list} aria-label="Deliveries">
      {items.map((d) => (
        <li key={d.id} className={s.item}>
          <Body1>
            {d.channel} → {d.user_id ? name(d.user_id) : d.target} · {d.status}
            {d.attempts > 1 ? ` (${d.attempts} attempts)` : ""}
          </Body1>
          <Caption1>
            {formatTime(d.started_at)}
            {d.finished_at ? ` – ${formatTime(d.finished_at)}` : ""}
          </Caption1>
          {d.error && <Caption1 className={s.failed}>{d.error}</Caption1>}
        </li>
      ))}
    </ul>
  );
}
