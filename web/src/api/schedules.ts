// Who is on call and my shifts: the API resolves rotations, overrides and zones; the console shows.
import { useQuery } from "@tanstack/react-query";
import { useApi } from "./context";
import { unwrap } from "./client";
import type { components } from "./schema";

export type ScheduleOnCall = components["schemas"]["ScheduleOnCall"];
export type OnCallShift = components["schemas"]["OnCallShift"];
export type MyShift = components["schemas"]["MyShift"];

export function useOnCall() {
  const api = useApi();
  return useQuery({
    queryKey: ["oncall"],
    queryFn: async () => unwrap(await api.GET("/oncall")),
    refetchInterval: 60_000,
  });
}

export function useMyShifts(days: number) {
  const api = useApi();
  return useQuery({
    queryKey: ["me", "shifts", days],
    queryFn: async () => unwrap(await api.GET("/me/shifts", { params: { query: { days } } })),
    refetchInterval: 5 * 60_000,
  });
}
