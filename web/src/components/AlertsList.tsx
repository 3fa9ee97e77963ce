// The incident's alerts: title, description, labels and links as the source sent them.
import { Badge, Body1, Caption1, Link, Subtitle2, makeStyles, tokens } from "@fluentui/react-components";
import { formatTime } from "../time";
import { Empty } from "./States";

const useStyles = makeStyles({
  list: { listStyleType: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  item: {
    padding: tokens.spacingHorizontalS,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground2,
    overflowWrap: "anywhere",
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
  },
  labels: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalXS },
  label: { maxWidth: "100%", height: "auto", whiteSpace: "normal", overflowWrap: "anywhere" },
  desc: { whiteSpace: "pre-wrap" },
});

type Alert = Record<string, unknown>;
interface AlertLink {
  url: string;
  text?: string;
}

const str = (v: unknown) => (typeof v === "string" ? v : "");

function links(a: Alert): AlertLink[] {
  const raw = a.links;
  if (!Array.isArray(raw)) return [];
  return raw.filter((l): l is AlertLink => typeof l === "object" && l !== null && typeof (l as AlertLink).url === "string");
}

// Only http(s) links become anchors: a source could send javascript: URLs.
const safe = (url: string) => /^https?:\/\//i.test(url);

export function AlertsList({ alerts }: { alerts: Alert[] }) {
  const s = useStyles();
  if (!alerts.length) return <Empty>No alerts recorded.</Empty>;
  return (
    <ul className={s.list} aria-label="Alerts">
      {alerts.map((a, i) => {
        const labels = typeof a.labels === "object" && a.labels ? Object.entries(a.labels as Record<string, unknown>) : [];
        return (
          <li key={str(a.id) || i} className={s.item}>
            <Subtitle2>{str(a.title) || "(untitled alert)"}</Subtitle2>
            <Caption1>
              {formatTime(str(a.received_at) || str(a.occurred_at))}
              {str(a.action) ? ` · ${str(a.action)}` : ""}
              {str(a.severity) ? ` · ${str(a.severity)}` : ""}
            </Caption1>
            {str(a.description) && <Body1 className={s.desc}>{str(a.description)}</Body1>}
            {labels.length > 0 && (
              <div className={s.labels} aria-label="Labels">
                {labels.map(([k, v]) => (
                  <Badge key={k} className={s.label} appearance="outline" color="informative">
                    {k}={String(v)}
                  </Badge>
                ))}
              </div>
            )}
            {links(a).map((l) =>
              safe(l.url) ? (
                <Link key={l.url} href={l.url} target="_blank" rel="noreferrer noopener">
                  {l.text || l.url}
                </Link>
              ) : (
                <Caption1 key={l.url}>{l.text || l.url}</Caption1>
              ),
            )}
          </li>
        );
      })}
    </ul>
  );
}
