// Schedules as an editor sees them: the list, one schedule with its ETag, the final and per-layer
// shifts of a range, overrides, the server's preview of an unsaved body, create and save.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "./context";
import { unwrap } from "./client";
import { toProblemError } from "./problem";
import type { components } from "./schema";

export type Schedule = components["schemas"]["Schedule"];
export type ScheduleBody = components["schemas"]["ScheduleBody"];
export type Layer = components["schemas"]["Layer"];
export type Restriction = components["schemas"]["Restriction"];
export type Shift = components["schemas"]["Shift"];
export type Override = components["schemas"]["Override"];
export type SchedulePreview = components["schemas"]["SchedulePreview"];
export type ListedSchedule = components["schemas"]["ListedSchedule"];


export function useSchedules() {
  const api = useApi();
  return useQuery({
    queryKey: ["schedules"],
    queryFn: async () => unwrap(await api.GET("/schedules", { params: { query: { limit: 200 } } })).items,
  });
}

/** The schedule and the ETag a save must send back (If-Match). */
export function useSchedule(id: string) {
  const api = useApi();
  return useQuery({
    queryKey: ["schedules", id],
    queryFn: async () => {
      const result = await api.GET("/schedules/{schedule_id}", { params: { path: { schedule_id: id } } });
      return { schedule: unwrap(result), etag: result.response.headers.get("ETag") };
    },
  });
}

export interface Range {
  start: Date;
  end: Date;
}

const rangeQuery = (r: Range) => ({ start: r.start.toISOString(), end: r.end.toISOString() });

export function useFinalShifts(id: string, range: Range) {
  const api = useApi();
  return useQuery({
    queryKey: ["schedules", id, "final", range.start.toISOString(), range.end.toISOString()],
    queryFn: async () =>
      unwrap(await api.GET("/schedules/{schedule_id}/final", { params: { path: { schedule_id: id }, query: rangeQuery(range) } })).items,
    placeholderData: keepPreviousData,
  });
}

export function useLayerShifts(id: string, range: Range) {
  const api = useApi();
  return useQuery({
    queryKey: ["schedules", id, "layer-shifts", range.start.toISOString(), range.end.toISOString()],
    queryFn: async () =>
      unwrap(await api.GET("/schedules/{schedule_id}/layer-shifts", { params: { path: { schedule_id: id }, query: rangeQuery(range) } })).layers,
    placeholderData: keepPreviousData,
  });
}

export function useOverrides(id: string, range: Range) {
  const api = useApi();
  return useQuery({
    queryKey: ["schedules", id, "overrides", range.start.toISOString(), range.end.toISOString()],
    queryFn: async () =>
      unwrap(await api.GET("/schedules/{schedule_id}/overrides", { params: { path: { schedule_id: id }, query: rangeQuery(range) } })).items,
    placeholderData: keepPreviousData,
  });
}

export function useCreateSchedule() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: ScheduleBody) => unwrap(await api.POST("/schedules", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["schedules"] }),
  });
}

/** PUT with If-Match: a 412 means someone else saved in between (see isStale). */
export function useSaveSchedule(id: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ body, etag }: { body: ScheduleBody; etag: string | null }) =>
      unwrap(
        await api.PUT("/schedules/{schedule_id}", {
          params: { path: { schedule_id: id } },
          body,
          headers: etag ? { "If-Match": etag } : {},
        }),
      ),
    onSuccess: () => Promise.all([client.invalidateQueries({ queryKey: ["schedules"] }), client.invalidateQueries({ queryKey: ["oncall"] })]),
  });
}

/** The server's final shifts for an unsaved body (`body` null: nothing to preview yet). */
export function useSchedulePreview(id: string, body: ScheduleBody | null, weeks = 2) {
  const api = useApi();
  return useQuery({
    queryKey: ["schedules", id, "preview", weeks, body],
    enabled: body !== null,
    queryFn: async ({ signal }) => {
      const result = await api.POST("/schedules/{schedule_id}/preview", {
        params: { path: { schedule_id: id }, query: { weeks } },
        body: body!,
        signal,
      });
      if (!result.response.ok) throw toProblemError(result.error, result.response);
      return result.data!;
    },
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 30_000,
  });
}
