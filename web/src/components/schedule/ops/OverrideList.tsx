// Current and upcoming overrides: who, when (viewer's zone; the schedule's on hover), where each
// came from, and delete. "Add override" opens the same dialog the timeline opens.
import {
  Badge,
  Button,
  Subtitle1,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { AddRegular, DeleteRegular } from "@fluentui/react-icons";
import { useRef, useState } from "react";
import { useSession } from "../../../api/context";
import { canConfigure } from "../../../api/rights";
import { AHEAD_DAYS, nameOf, useDeleteOverride, useOverrides, type Override } from "../../../api/scheduleOps";
import { useMembers } from "../../../api/people";
import type { Schedule, TimeRange } from "../../../pages/schedule/types";
import { formatTime } from "../../../time";
import { Empty, Loading, ProblemBar } from "../../States";
import { OverrideDialog } from "../OverrideDialog";
import { nextHour } from "../../../time";
import { ZonedRange } from "./ZonedTime";

const useStyles = makeStyles({
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, minWidth: 0 },
  head: { display: "flex", flexWrap: "wrap", alignItems: "center", justifyContent: "space-between", gap: tokens.spacingHorizontalM },
  // Narrow screens: the table scrolls inside its own labelled region, never the page.
  scroll: { overflowX: "auto", maxWidth: "100%" },
  table: { minWidth: "520px" },
});

const SOURCE_LABEL: Record<string, string> = { manual: "Manual", swap: "Swap", ical: "Calendar import" };

export function OverrideList({ schedule }: { schedule: Schedule }) {
  const s = useStyles();
  const { me } = useSession();
  const overrides = useOverrides(schedule.id);
  const members = useMembers(schedule.team_id);
  const remove = useDeleteOverride(schedule.id);
  const [range, setRange] = useState<TimeRange | null>(null);
  const addButton = useRef<HTMLButtonElement>(null);
  const editor = canConfigure(me, schedule.team_id);
  const rows: Override[] = overrides.data ?? [];
  return (
    <section className={s.section} aria-labelledby="overrides-title">
      <div className={s.head}>
        <Subtitle1 as="h2" id="overrides-title">
          Overrides
        </Subtitle1>
        {editor && (
          <Button ref={addButton} icon={<AddRegular />} onClick={() => setRange(nextHour())}>
            Add override
          </Button>
        )}
      </div>
      <ProblemBar error={overrides.error ?? remove.error} />
      {overrides.isPending ? (
        <Loading label="Loading overrides…" />
      ) : rows.length === 0 ? (
        <Empty>No overrides now or in the next {AHEAD_DAYS} days.</Empty>
      ) : (
        <div className={s.scroll} role="region" aria-label="Overrides table" tabIndex={0}>
          <Table className={s.table} aria-labelledby="overrides-title" size="small">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Who</TableHeaderCell>
                <TableHeaderCell>When</TableHeaderCell>
                <TableHeaderCell>Source</TableHeaderCell>
                {editor && <TableHeaderCell>Actions</TableHeaderCell>}
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((o) => {
                const who = nameOf(members.data, o.user);
                return (
                  <TableRow key={o.id}>
                    <TableCell>{who}</TableCell>
                    <TableCell>
                      <ZonedRange start={o.start} end={o.end} zone={schedule.time_zone} />
                    </TableCell>
                    <TableCell>
                      <Badge appearance="tint" color={o.source === "manual" ? "brand" : "informative"}>
                        {SOURCE_LABEL[o.source] ?? o.source}
                      </Badge>
                    </TableCell>
                    {editor && (
                      <TableCell>
                        <Button
                          appearance="subtle"
                          icon={<DeleteRegular />}
                          aria-label={`Delete the override for ${who} from ${formatTime(o.start)}`}
                          disabled={remove.isPending}
                          onClick={() => remove.mutate(o.id)}
                        />
                      </TableCell>
                    )}
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </div>
      )}
      <OverrideDialog
        scheduleId={schedule.id}
        range={range}
        onClose={() => {
          setRange(null);
          // The dialog was opened without a trigger, so focus goes back by hand to where it was.
          addButton.current?.focus();
        }}
      />
    </section>
  );
}
