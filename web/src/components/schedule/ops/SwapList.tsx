// A schedule's swaps now and ahead, with their state; the person asked accepts or declines, the
// asker cancels. The API says who may decide what, and refuses the rest.
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
  type BadgeProps,
} from "@fluentui/react-components";
import { useSession } from "../../../api/context";
import { AHEAD_DAYS, nameOf, useDecideSwap, useSwaps, type ShiftSwap, type SwapDecision } from "../../../api/scheduleOps";
import { useMembers } from "../../../api/people";
import type { Schedule } from "../../../pages/schedule/types";
import { Empty, Loading, ProblemBar } from "../../States";
import { ZonedRange } from "./ZonedTime";

const useStyles = makeStyles({
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, minWidth: 0 },
  scroll: { overflowX: "auto", maxWidth: "100%" },
  table: { minWidth: "640px" },
  actions: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS },
});

const STATUS: Record<ShiftSwap["status"], { label: string; color: BadgeProps["color"] }> = {
  requested: { label: "Waiting for an answer", color: "warning" },
  accepted: { label: "Accepted", color: "success" },
  declined: { label: "Declined", color: "danger" },
  cancelled: { label: "Cancelled", color: "subtle" },
  expired: { label: "Expired", color: "subtle" },
};

/** The decisions this person can take on this swap now (the API has the last word). */
function decisions(swap: ShiftSwap, me: string): SwapDecision[] {
  if (swap.status === "requested") {
    if (swap.requester_id === me) return ["cancel"];
    // An offer to anyone is accepted by any teammate and declined by nobody.
    if (swap.taker_id === null) return ["accept"];
    if (swap.taker_id === me) return ["accept", "decline"];
  }
  const party = swap.requester_id === me || swap.taker_id === me;
  if (swap.status === "accepted" && party && new Date(swap.start).getTime() > Date.now()) return ["cancel"];
  return [];
}

const VERB: Record<SwapDecision, string> = { accept: "Accept", decline: "Decline", cancel: "Cancel swap" };

export function SwapList({ schedule }: { schedule: Schedule }) {
  const s = useStyles();
  const { me } = useSession();
  const swaps = useSwaps(schedule.id);
  const members = useMembers(schedule.team_id);
  const decide = useDecideSwap(schedule.id);
  const rows = swaps.data ?? [];
  return (
    <section className={s.section} aria-labelledby="swaps-list-title">
      <Subtitle1 as="h3" id="swaps-list-title">
        Swaps
      </Subtitle1>
      <ProblemBar error={swaps.error ?? decide.error} />
      {swaps.isPending ? (
        <Loading label="Loading swaps…" />
      ) : rows.length === 0 ? (
        <Empty>No swaps now or in the next {AHEAD_DAYS} days.</Empty>
      ) : (
        <div className={s.scroll} role="region" aria-label="Swaps table" tabIndex={0}>
          <Table className={s.table} aria-labelledby="swaps-list-title" size="small">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Offered by</TableHeaderCell>
                <TableHeaderCell>To</TableHeaderCell>
                <TableHeaderCell>When</TableHeaderCell>
                <TableHeaderCell>State</TableHeaderCell>
                <TableHeaderCell>Actions</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((swap) => {
                const status = STATUS[swap.status];
                const from = nameOf(members.data, swap.requester_id);
                return (
                  <TableRow key={swap.id}>
                    <TableCell>{from}</TableCell>
                    <TableCell>{swap.taker_id ? nameOf(members.data, swap.taker_id) : "Anyone in the team"}</TableCell>
                    <TableCell>
                      <ZonedRange start={swap.start} end={swap.end} zone={schedule.time_zone} />
                    </TableCell>
                    <TableCell>
                      <Badge appearance="tint" color={status.color}>
                        {status.label}
                      </Badge>
                    </TableCell>
                    <TableCell>
                      <div className={s.actions}>
                        {decisions(swap, me.id).map((d) => (
                          <Button
                            key={d}
                            size="small"
                            appearance={d === "accept" ? "primary" : "secondary"}
                            aria-label={`${VERB[d]}: ${from}'s shift`}
                            disabled={decide.isPending}
                            onClick={() => decide.mutate({ swapId: swap.id, decision: d })}
                          >
                            {VERB[d]}
                          </Button>
                        ))}
                      </div>
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </div>
      )}
    </section>
  );
}
