// The server's preview of the draft: the next two weeks' final shifts, gaps and hours per person.
import { Caption1, Spinner, Subtitle2, Text, makeStyles, tokens } from "@fluentui/react-components";
import { WarningRegular } from "@fluentui/react-icons";
import type { SchedulePreview } from "../../../api/scheduleEditor";
import { viewerZone } from "../../../time";
import { ProblemBar } from "../../States";
import { daySlots } from "../timeline/geometry";
import { shiftLabel } from "../timeline/labels";
import { TimelineRow } from "../timeline/TimelineRow";

const useStyles = makeStyles({
  panel: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    minWidth: 0,
    padding: tokens.spacingHorizontalM,
    backgroundColor: tokens.colorNeutralBackground2,
    borderRadius: tokens.borderRadiusMedium,
  },
  head: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
  strip: { overflowX: "auto", maxWidth: "100%" },
  canvas: { minWidth: "560px" },
  list: { margin: 0, paddingInlineStart: tokens.spacingHorizontalXXXL, maxHeight: "16em", overflowY: "auto" },
  gap: { color: tokens.colorPaletteRedForeground1, fontWeight: tokens.fontWeightSemibold },
});

export interface PreviewPanelProps {
  preview: SchedulePreview | undefined;
  error: unknown;
  updating: boolean;
  name: (id: string) => string;
  scheduleZone: string;
}

export function PreviewPanel({ preview, error, updating, name, scheduleZone }: PreviewPanelProps) {
  const s = useStyles();
  const zone = viewerZone();
  const who = (user: string | null) => (user === null ? null : user.split(",").map(name).join(", "));
  const range = preview ? { start: new Date(preview.start), end: new Date(preview.end) } : null;
  const hours = preview ? Object.entries(preview.hours).map(([id, h]) => `${name(id)} ${Math.round(h * 10) / 10} h`) : [];
  return (
    <section className={s.panel} aria-labelledby="preview-title">
      <div className={s.head}>
        <Subtitle2 as="h3" id="preview-title">
          Preview: the next 2 weeks (computed by the server)
        </Subtitle2>
        {updating && <Spinner size="extra-tiny" label="Updating…" />}
      </div>
      <ProblemBar error={error} />
      {preview && range && (
        <>
          <Text aria-live="polite" data-testid="preview-summary">
            {preview.gaps > 0 ? (
              <span className={s.gap}>
                <WarningRegular aria-hidden /> {preview.gaps} gap{preview.gaps === 1 ? "" : "s"} ({Math.round(preview.gap_hours * 10) / 10} h nobody on call).{" "}
              </span>
            ) : (
              "No gaps. "
            )}
            {hours.length ? `On call: ${hours.join(", ")}.` : "Nobody on call."}
          </Text>
          <div className={s.strip} role="region" aria-label="Preview strip" tabIndex={0}>
            <div className={s.canvas}>
              <TimelineRow
                label="Preview"
                bars={preview.shifts.map((x) => ({ key: x.start, who: who(x.user), colorKey: x.user ?? "", start: new Date(x.start), end: new Date(x.end) }))}
                range={range}
                kind="month"
                days={daySlots(range.start, range.end, zone)}
                viewerZone={zone}
                scheduleZone={scheduleZone}
              />
            </div>
          </div>
          <Caption1>Shifts in your zone ({zone}):</Caption1>
          <ol className={s.list} aria-label="Preview shifts" tabIndex={0}>
            {preview.shifts.map((x) => (
              <li key={x.start} className={x.gap ? s.gap : undefined}>
                {shiftLabel(who(x.user) ?? "Gap: nobody on call", new Date(x.start), new Date(x.end), zone, "month")}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
