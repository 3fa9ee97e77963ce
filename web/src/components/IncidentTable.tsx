// The incident list as a table with row selection (for bulk actions); narrow screens drop columns.
import {
  Checkbox,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Link } from "react-router";
import type { Incident } from "../api/incidents";
import { SeverityBadge, StatusBadge } from "./Badges";
import { formatTime } from "../time";

const useStyles = makeStyles({
  table: { width: "100%", tableLayout: "fixed" },
  select: { width: "44px" },
  status: { width: "120px", "@media (max-width: 600px)": { width: "96px" } },
  severity: { width: "56px" },
  wide: { width: "160px", "@media (max-width: 700px)": { display: "none" } },
  title: { overflowWrap: "anywhere" },
  link: { color: tokens.colorBrandForegroundLink },
});

interface Props {
  items: Incident[];
  selected: Set<string>;
  onSelect: (ids: Set<string>) => void;
  selectable: boolean;
  name: (id: string) => string;
}

export function IncidentTable({ items, selected, onSelect, selectable, name }: Props) {
  const s = useStyles();
  const all = items.length > 0 && items.every((i) => selected.has(i.id));
  const some = items.some((i) => selected.has(i.id));
  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    onSelect(next);
  };
  return (
    <Table className={s.table} aria-label="Incidents" size="small">
      <TableHeader>
        <TableRow>
          {selectable && (
            <TableHeaderCell className={s.select}>
              <Checkbox
                aria-label="Select all incidents on this page"
                checked={all ? true : some ? "mixed" : false}
                onChange={(_, d) => onSelect(d.checked ? new Set(items.map((i) => i.id)) : new Set())}
              />
            </TableHeaderCell>
          )}
          <TableHeaderCell>Incident</TableHeaderCell>
          <TableHeaderCell className={s.status}>Status</TableHeaderCell>
          <TableHeaderCell className={s.severity}>Sev</TableHeaderCell>
          <TableHeaderCell className={s.wide}>Service</TableHeaderCell>
          <TableHeaderCell className={s.wide}>Opened</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {items.map((i) => (
          <TableRow key={i.id} data-incident-id={i.id}>
            {selectable && (
              <TableCell className={s.select}>
                <Checkbox
                  aria-label={`Select #${i.number} ${i.title}`}
                  checked={selected.has(i.id)}
                  onChange={(_, d) => toggle(i.id, !!d.checked)}
                />
              </TableCell>
            )}
            <TableCell className={s.title}>
              <Link className={s.link} to={`/incidents/${encodeURIComponent(i.id)}`}>
                #{i.number} {i.title}
              </Link>
            </TableCell>
            <TableCell className={s.status}>
              <StatusBadge status={i.status ?? "triggered"} />
            </TableCell>
            <TableCell className={s.severity}>
              <SeverityBadge severity={i.severity ?? "P3"} />
            </TableCell>
            <TableCell className={s.wide}>{name(i.service_id)}</TableCell>
            <TableCell className={s.wide}>{formatTime(i.created_at)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
