// One schedule: its timeline, its layers (the editor), overrides and swaps, and calendars. The
// selected tab lives in the URL (?tab=).
import { Caption1, Tab, TabList, Title2, makeStyles, tokens } from "@fluentui/react-components";
import { useState } from "react";
import { useParams, useSearchParams } from "react-router";
import { useNames } from "../api/catalog";
import { useSession } from "../api/context";
import { canConfigure } from "../api/rights";
import { useSchedule } from "../api/scheduleEditor";
import { LayersEditor } from "../components/schedule/layers/LayersEditor";
import { OverrideDialog } from "../components/schedule/OverrideDialog";
import { Timeline } from "../components/schedule/timeline/Timeline";
import { Loading, ProblemBar } from "../components/States";
import { ScheduleCalendarTab } from "./schedule/CalendarTab";
import { ScheduleOpsTab } from "./schedule/OpsTab";
import type { TimeRange } from "./schedule/types";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, minWidth: 0 },
  head: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS, overflowWrap: "anywhere" },
  tabs: { overflowX: "auto", maxWidth: "100%" },
  panel: { minWidth: 0 },
});

const TABS = [
  { value: "timeline", label: "Timeline" },
  { value: "layers", label: "Layers" },
  { value: "ops", label: "Overrides and swaps" },
  { value: "calendar", label: "Calendar" },
] as const;
type TabValue = (typeof TABS)[number]["value"];

export function SchedulePage() {
  const s = useStyles();
  const { id = "" } = useParams();
  const { me } = useSession();
  const name = useNames();
  const [params, setParams] = useSearchParams();
  const wanted = params.get("tab");
  const tab: TabValue = TABS.some((t) => t.value === wanted) ? (wanted as TabValue) : "timeline";
  const query = useSchedule(id);
  const [overrideRange, setOverrideRange] = useState<TimeRange | null>(null);

  if (query.isPending) return <Loading label="Loading the schedule…" />;
  if (query.error || !query.data) {
    return (
      <section className={s.page}>
        <Title2 as="h1">Schedule</Title2>
        <ProblemBar error={query.error} />
      </section>
    );
  }
  const { schedule, etag } = query.data;
  const mayEdit = canConfigure(me, schedule.team_id);
  const select = (value: TabValue) =>
    setParams(
      (p) => {
        const q = new URLSearchParams(p);
        q.set("tab", value);
        return q;
      },
      { replace: true },
    );

  return (
    <section className={s.page} aria-labelledby="schedule-title">
      <div className={s.head}>
        <Title2 as="h1" id="schedule-title">
          {schedule.name}
        </Title2>
        <Caption1>
          {name(schedule.team_id)} · {schedule.time_zone}
        </Caption1>
      </div>
      <TabList className={s.tabs} selectedValue={tab} onTabSelect={(_, d) => select(d.value as TabValue)} aria-label="Schedule views">
        {TABS.map((t) => (
          <Tab key={t.value} value={t.value} id={`tab-${t.value}`} aria-controls={t.value === tab ? `panel-${t.value}` : undefined}>
            {t.label}
          </Tab>
        ))}
      </TabList>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className={s.panel}>
        {tab === "timeline" && <Timeline schedule={schedule} onOverride={mayEdit ? setOverrideRange : undefined} />}
        {tab === "layers" && <LayersEditor key={`${schedule.id}-${schedule.version}`} schedule={schedule} etag={etag} editable={mayEdit} />}
        {tab === "ops" && <ScheduleOpsTab schedule={schedule} />}
        {tab === "calendar" && <ScheduleCalendarTab schedule={schedule} />}
      </div>
      <OverrideDialog scheduleId={schedule.id} range={overrideRange} onClose={() => setOverrideRange(null)} />
    </section>
  );
}
