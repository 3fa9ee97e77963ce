// A schedule's day-to-day changes: overrides, "take over now", swaps, and its calendars. The API
// resolves who is on call and checks every rule; these hooks only fetch and send.
import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useApi } from "./context";
import { unwrap } from "./client";
import type { components } from "./schema";

export type Override = components["schemas"]["Override"];
export type ShiftSwap = components["schemas"]["ShiftSwap"];
export type Shift = components["schemas"]["Shift"];
export type Member = components["schemas"]["UserView"];
export type ImportResult = components["schemas"]["ImportResult"];
export type IcalImportBody = components["schemas"]["IcalImportBody"];
export type SwapDecision = components["schemas"]["SwapDecision"]["decision"];

/** How far ahead the ops tab lists overrides and swaps (the API allows up to 93 days). */
export const AHEAD_DAYS = 31;

function ahead(days = AHEAD_DAYS): { start: string; end: string } {
  const now = Date.now();
  return { start: new Date(now).toISOString(), end: new Date(now + days * 86_400_000).toISOString() };
}

/** Everything cached about this schedule (the timeline's queries too, whatever their key shape),
 * plus the cross-schedule views an override changes. */
export function invalidateSchedule(client: QueryClient, scheduleId: string) {
  return Promise.all([
    client.invalidateQueries({ predicate: (q) => q.queryKey.includes(scheduleId) }),
    client.invalidateQueries({ queryKey: ["oncall"] }),
    client.invalidateQueries({ queryKey: ["me", "shifts"] }),
  ]);
}

/** The schedule itself, for its team and zone where only its id is at hand (the override dialog). */
export function useScheduleBasics(scheduleId: string) {
  const api = useApi();
  return useQuery({
    queryKey: ["schedules", scheduleId, "basics"],
    queryFn: async () => {
      const s = unwrap(await api.GET("/schedules/{schedule_id}", { params: { path: { schedule_id: scheduleId } } }));
      return { id: s.id, name: s.name, team_id: s.team_id, time_zone: s.time_zone };
    },
    staleTime: 60_000,
  });
}

/** A name for a user id (or comma-joined ids of a shared shift), falling back to the id. */
export function nameOf(members: Member[] | undefined, ids: string | null | undefined): string {
  if (!ids) return "Nobody";
  return ids
    .split(",")
    .map((id) => members?.find((m) => m.id === id)?.name || id)
    .join(", ");
}

export function useOverrides(scheduleId: string) {
  const api = useApi();
  return useQuery({
    queryKey: ["schedules", scheduleId, "overrides"],
    queryFn: async () =>
      unwrap(await api.GET("/schedules/{schedule_id}/overrides", { params: { path: { schedule_id: scheduleId }, query: ahead() } })).items,
  });
}

export function useCreateOverride(scheduleId: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: components["schemas"]["OverrideBody"]) =>
      unwrap(await api.POST("/schedules/{schedule_id}/overrides", { params: { path: { schedule_id: scheduleId } }, body })),
    onSuccess: () => invalidateSchedule(client, scheduleId),
  });
}

export function useDeleteOverride(scheduleId: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (overrideId: string) =>
      unwrap(
        await api.DELETE("/schedules/{schedule_id}/overrides/{override_id}", {
          params: { path: { schedule_id: scheduleId, override_id: overrideId } },
        }),
      ),
    onSuccess: () => invalidateSchedule(client, scheduleId),
  });
}

/** The final schedule from now for a day: its first shift is the one running now (or a gap). */
export function useCurrentShift(scheduleId: string) {
  const api = useApi();
  return useQuery({
    queryKey: ["schedules", scheduleId, "current-shift"],
    queryFn: async () => {
      const { items } = unwrap(
        await api.GET("/schedules/{schedule_id}/final", { params: { path: { schedule_id: scheduleId }, query: ahead(1) } }),
      );
      return items[0] ?? null;
    },
    refetchInterval: 60_000,
  });
}

export function useTakeOver(scheduleId: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (until: string | null) =>
      unwrap(await api.POST("/schedules/{schedule_id}/take-over", { params: { path: { schedule_id: scheduleId } }, body: { until } })),
    onSuccess: () => invalidateSchedule(client, scheduleId),
  });
}

export function useSwaps(scheduleId: string) {
  const api = useApi();
  return useQuery({
    queryKey: ["schedules", scheduleId, "swaps"],
    queryFn: async () =>
      unwrap(await api.GET("/schedules/{schedule_id}/swaps", { params: { path: { schedule_id: scheduleId }, query: ahead() } })).items,
    refetchInterval: 30_000,
  });
}

export function useRequestSwap(scheduleId: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: components["schemas"]["SwapBody"]) =>
      unwrap(await api.POST("/schedules/{schedule_id}/swaps", { params: { path: { schedule_id: scheduleId } }, body })),
    onSuccess: () => invalidateSchedule(client, scheduleId),
  });
}

export function useDecideSwap(scheduleId: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ swapId, decision }: { swapId: string; decision: SwapDecision }) =>
      unwrap(
        await api.POST("/schedules/{schedule_id}/swaps/{swap_id}", {
          params: { path: { schedule_id: scheduleId, swap_id: swapId } },
          body: { decision },
        }),
      ),
    onSuccess: () => invalidateSchedule(client, scheduleId),
  });
}

export function useIcalImport(scheduleId: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: IcalImportBody) =>
      unwrap(await api.POST("/schedules/{schedule_id}/ical-import", { params: { path: { schedule_id: scheduleId } }, body })),
    onSuccess: (_, body) => (body.dry_run ? undefined : invalidateSchedule(client, scheduleId)),
  });
}

export function useIcalLink(scheduleId: string) {
  const api = useApi();
  return useMutation({
    mutationFn: async () =>
      unwrap(await api.POST("/schedules/{schedule_id}/ical-link", { params: { path: { schedule_id: scheduleId } } })).url,
  });
}

/** The next weeks' shifts as iCalendar text (the export needs the bearer token, so no plain link). */
export function useIcalExport(scheduleId: string) {
  const api = useApi();
  return useMutation({
    mutationFn: async (days: number) =>
      unwrap(
        await api.GET("/schedules/{schedule_id}/ical", {
          params: { path: { schedule_id: scheduleId }, query: ahead(days) },
          parseAs: "text",
        }),
      ) as string,
  });
}
