// How many incidents of each status match the other filters; picking one filters the list to it.
import { Badge, Button, makeStyles, tokens } from "@fluentui/react-components";
import { STATUSES, useIncidentCounts, type IncidentFilters, type IncidentStatus } from "../api/incidents";

const useStyles = makeStyles({
  row: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS },
});

export function StatusCounts({ filters, onPick }: { filters: IncidentFilters; onPick: (s: IncidentStatus) => void }) {
  const s = useStyles();
  const counts = useIncidentCounts(filters).data;
  return (
    <div className={s.row} role="group" aria-label="Incidents per status">
      {STATUSES.map((st) => {
        const n = counts?.[st];
        // A count equal to the cap means "at least that many".
        const shown = n === undefined ? "…" : counts && n >= counts.cap ? `${counts.cap}+` : String(n);
        const only = filters.status.length === 1 && filters.status[0] === st;
        return (
          <Button
            key={st}
            appearance={only ? "primary" : "secondary"}
            aria-pressed={only}
            onClick={() => onPick(st)}
          >
            {st}&nbsp;
            <Badge appearance="tint" color="informative" data-count={st}>
              {shown}
            </Badge>
          </Button>
        );
      })}
    </div>
  );
}
