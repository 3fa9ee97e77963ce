// Schedules, who is on call, and shifts (the API resolves rotations; the console only shows them).
import { useQueries, useQuery } from "@tanstack/react-query";
import { useApi } from "./context";
import { unwrap } from "./client";
import type { components } from "./schema";

export type ListedSchedule = components["schemas"]["ListedSchedule"];
export type Shift = components["schemas"]["Shift"];
const DAY = 86_400_000;

export function useSchedules() {
  const api = useApi();
  return useQuery({
    queryKey: ["schedules"],
    queryFn: async () => unwrap(await api.GET("/schedules", { params: { query: { limit: 200 } } })).items,
    staleTime: 60_000,
  });
}

/** Each schedule's resolved shifts from now over `days` (one request per schedule). */
export function useShifts(schedules: ListedSchedule[], days: number) {
  const api = useApi();
  // Rounded to the minute so the key (and the cache) is stable across renders.
  const start = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const end = new Date(start.getTime() + days * DAY);
  return useQueries({
    queries: schedules.map((s) => ({
      queryKey: ["schedules", "final", s.id, start.toISOString(), days],
      queryFn: async () =>
        unwrap(
          await api.GET("/schedules/{schedule_id}/final", {
            params: { path: { schedule_id: s.id }, query: { start: start.toISOString(), end: end.toISOString() } },
          }),
        ).items,
      staleTime: 60_000,
      refetchInterval: 60_000,
    })),
  });
}

/** Who is on call now and the hand-offs ahead, from a schedule's resolved shifts. */
export function nowAndNext(shifts: Shift[], now: number = Date.now()): { now: Shift | null; next: Shift | null } {
  const sorted = [...shifts].sort((a, b) => a.start.localeCompare(b.start));
  const current = sorted.find((s) => Date.parse(s.start) <= now && now < Date.parse(s.end)) ?? null;
  const after = current ? Date.parse(current.end) : now;
  const next = sorted.find((s) => Date.parse(s.start) >= after && s.user !== null && s.user !== current?.user) ?? null;
  return { now: current, next };
}
