// The layer editor: create, edit, reorder and delete layers, with the server's preview of the
// draft (debounced) and a save guarded by the schedule's ETag.
import {
  Button,
  Card,
  CardHeader,
  Caption1,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Subtitle2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { AddRegular, ArrowDownRegular, ArrowUpRegular, DeleteRegular, EditRegular, SaveRegular } from "@fluentui/react-icons";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { useNames, useUsers } from "../../../api/catalog";
import { ProblemError } from "../../../api/problem";
import { useSaveSchedule, useSchedulePreview, type Schedule } from "../../../api/scheduleEditor";
import { Empty, ProblemBar } from "../../States";
import { exactMessage, fromLayer, newLayer, toBody, type DraftLayer } from "./draft";
import { LayerForm } from "./LayerForm";
import { PreviewPanel } from "./PreviewPanel";
import { useDebounced } from "../../../hooks/useDebounced";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, minWidth: 0 },
  list: { margin: 0, padding: 0, listStyleType: "none", display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  card: { minWidth: 0 },
  tools: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalXS },
  bar: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "center" },
  layerError: { color: tokens.colorPaletteRedForeground1 },
});

const FREQ_LABEL = { hourly: "hour", daily: "day", weekly: "week", monthly: "month" } as const;

function summary(l: DraftLayer, name: (id: string) => string): string {
  const every = l.frequency === "rrule" ? `rule ${l.rrule}` : `every ${l.interval} ${FREQ_LABEL[l.frequency]}${l.interval === "1" ? "" : "s"}`;
  const who = l.participants.map((p) => (p === "" ? "gap" : name(p))).join(" → ") || "nobody yet";
  return `${who}; hands off ${every} from ${l.start.replace("T", " ")}${l.restrictions.length ? `; ${l.restrictions.length} restriction(s)` : ""}`;
}

export interface LayersEditorProps {
  schedule: Schedule;
  etag: string | null;
  editable: boolean;
}

export function LayersEditor({ schedule, etag, editable }: LayersEditorProps) {
  const s = useStyles();
  const name = useNames();
  const users = useUsers().data ?? [];
  const client = useQueryClient();
  const initial = useMemo(() => schedule.layers.map(fromLayer), [schedule]);
  const [layers, setLayers] = useState<DraftLayer[]>(initial);
  const [open, setOpen] = useState<string | null>(initial.length === 1 ? initial[0]!.key : null);
  const body = useMemo(() => toBody(schedule, layers), [schedule, layers]);
  const dirty = JSON.stringify(body) !== JSON.stringify(toBody(schedule, initial));
  const debounced = useDebounced(body, 400);
  const preview = useSchedulePreview(schedule.id, editable && debounced.layers.length > 0 ? debounced : null);
  const save = useSaveSchedule(schedule.id);
  const stale = save.error instanceof ProblemError && save.error.status === 412;
  const { reset } = save;
  useEffect(() => {
    // An edit makes the last save's refusal stale (a 412 stands: only a reload clears it).
    if (!stale) reset();
  }, [body, reset, stale]);
  // Field messages: the save's when it failed, else the preview's (the same rules).
  const error = save.error ?? preview.error;

  const patch = (key: string, p: Partial<DraftLayer>) => setLayers((ls) => ls.map((l) => (l.key === key ? { ...l, ...p } : l)));
  const move = (i: number, by: -1 | 1) =>
    setLayers((ls) => {
      const next = [...ls];
      [next[i], next[i + by]] = [next[i + by]!, next[i]!];
      return next;
    });
  const add = () => {
    const layer = newLayer(layers.length + 1, schedule.time_zone);
    setLayers((ls) => [...ls, layer]);
    setOpen(layer.key);
  };

  return (
    <div className={s.root}>
      <Caption1>
        Lowest priority first: a later layer wins wherever it has someone on call. Hand-offs and restrictions are in the schedule's zone ({schedule.time_zone}).
      </Caption1>
      {stale ? (
        <MessageBar intent="warning" role="alert">
          <MessageBarBody>
            <MessageBarTitle>Changed by someone else</MessageBarTitle>
            This schedule was changed by someone else since you opened it. Reload: if they changed the layers, you see their version (your unsaved edits are dropped).
          </MessageBarBody>
          <MessageBarActions>
            <Button
              onClick={async () => {
                // A new version of the layers re-mounts this editor from it; a newer ETag alone
                // (an override added meanwhile) keeps the draft, now saved against that ETag.
                await client.invalidateQueries({ queryKey: ["schedules", schedule.id] });
                reset();
              }}
            >
              Reload
            </Button>
          </MessageBarActions>
        </MessageBar>
      ) : (
        <ProblemBar error={save.error} />
      )}
      {layers.length === 0 ? (
        <Empty>No layers yet: nobody is ever on call in this schedule.</Empty>
      ) : (
        <ol className={s.list} aria-label="Layers">
          {layers.map((l, i) => (
            <li key={l.key}>
              <Card className={s.card}>
                <CardHeader
                  header={<Subtitle2 as="h3">{`Layer ${i + 1}: ${l.name || "(unnamed)"}`}</Subtitle2>}
                  description={<Caption1>{summary(l, name)}</Caption1>}
                  action={
                    editable ? (
                      <div className={s.tools}>
                        <Button size="small" icon={<EditRegular />} aria-expanded={open === l.key} onClick={() => setOpen(open === l.key ? null : l.key)}>
                          {open === l.key ? "Close" : "Edit"}
                        </Button>
                        <Button size="small" icon={<ArrowUpRegular />} aria-label={`Move layer ${l.name} up`} disabled={i === 0} onClick={() => move(i, -1)} />
                        <Button size="small" icon={<ArrowDownRegular />} aria-label={`Move layer ${l.name} down`} disabled={i === layers.length - 1} onClick={() => move(i, 1)} />
                        <Button size="small" icon={<DeleteRegular />} aria-label={`Delete layer ${l.name}`} onClick={() => setLayers((ls) => ls.filter((x) => x.key !== l.key))} />
                      </div>
                    ) : undefined
                  }
                />
                {exactMessage(error, `layers.${i}`) && <Caption1 className={s.layerError}>{exactMessage(error, `layers.${i}`)}</Caption1>}
                {(open === l.key || !editable) && (
                  <LayerForm index={i} layer={l} onChange={(p) => patch(l.key, p)} error={error} users={users} name={name} zone={schedule.time_zone} disabled={!editable} />
                )}
              </Card>
            </li>
          ))}
        </ol>
      )}
      {editable && (
        <div className={s.bar}>
          <Button icon={<AddRegular />} onClick={add}>
            Add layer
          </Button>
          <Button appearance="primary" icon={<SaveRegular />} disabled={!dirty || save.isPending} onClick={() => save.mutate({ body, etag })}>
            Save layers
          </Button>
          <Button disabled={!dirty} onClick={() => setLayers(initial)}>
            Discard changes
          </Button>
        </div>
      )}
      {editable && layers.length > 0 && (
        <PreviewPanel preview={preview.data} error={preview.error} updating={preview.isFetching} name={name} scheduleZone={schedule.time_zone} />
      )}
    </div>
  );
}
