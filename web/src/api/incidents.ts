// Incident queries and actions over the typed client. Polling is conditional (ETag) so an idle
// list costs a 304 every few seconds.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "./context";
import { conditionalGet } from "./conditional";
import { unwrap } from "./client";
import type { components } from "./schema";

export type Incident = components["schemas"]["Incident"];
export type IncidentStatus = components["schemas"]["IncidentStatus"];
export type TimelineEntry = components["schemas"]["TimelineEntry"];
export type Delivery = components["schemas"]["DeliveryAttempt"];
export const STATUSES: IncidentStatus[] = ["triggered", "acknowledged", "snoozed", "resolved"];
export const SEVERITIES = ["P1", "P2", "P3", "P4", "P5"] as const;
export const POLL_MS = 4000;

export interface IncidentFilters {
  status: IncidentStatus[];
  severity: string[];
  team_id?: string;
  service_id?: string;
  q?: string;
  mine?: boolean;
}

export type ActionVerb =
  | "acknowledge"
  | "unacknowledge"
  | "resolve"
  | "reopen"
  | "snooze"
  | "escalate"
  | "reassign"
  | "responders"
  | "notes";

export interface ActionBody {
  note?: string;
  minutes?: number;
  users?: string[];
}

export type IncidentCounts = components["schemas"]["IncidentCounts"];
export type BulkResult = components["schemas"]["BulkResult"];

/** The list's query parameters; `status` left out for the counts, which are per status. */
function filterQuery(filters: IncidentFilters) {
  return {
    ...(filters.severity.length ? { severity: filters.severity.join(",") } : {}),
    ...(filters.team_id ? { team_id: filters.team_id } : {}),
    ...(filters.service_id ? { service_id: filters.service_id } : {}),
    ...(filters.q ? { q: filters.q } : {}),
    ...(filters.mine ? { assignee: "me" } : {}),
  };
}

export function useIncidentCounts(filters: IncidentFilters) {
  const api = useApi();
  const client = useQueryClient();
  const { status: _ignored, ...rest } = filters;
  const queryKey = ["incidents", "counts", rest] as const;
  return useQuery({
    queryKey,
    queryFn: () =>
      conditionalGet(client, queryKey, (headers) =>
        api.GET("/incidents/counts", { params: { query: filterQuery(filters) }, headers, cache: "no-store" }),
      ),
    refetchInterval: POLL_MS,
  });
}

/** Acknowledge or resolve many incidents at once; the API answers per id (partial success). */
export function useBulkAction() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ action, ids }: { action: "acknowledge" | "resolve"; ids: string[] }) =>
      unwrap(await api.POST("/incidents/bulk", { body: { action, ids, note: null } })),
    onSettled: () => client.invalidateQueries({ queryKey: ["incidents"] }),
  });
}

export function useIncidentList(filters: IncidentFilters, continuation: string | undefined) {
  const api = useApi();
  const client = useQueryClient();
  const queryKey = ["incidents", "list", filters, continuation ?? null] as const;
  return useQuery({
    queryKey,
    queryFn: () =>
      conditionalGet(client, queryKey, (headers) =>
        api.GET("/incidents", {
          params: {
            query: {
              ...filterQuery(filters),
              ...(filters.status.length ? { status: filters.status.join(",") } : {}),
              ...(continuation ? { continuation } : {}),
              limit: 50,
            },
          },
          headers,
          cache: "no-store",
        }),
      ),
    refetchInterval: POLL_MS,
  });
}

export function useIncident(id: string) {
  const api = useApi();
  const client = useQueryClient();
  const queryKey = ["incidents", "one", id] as const;
  return useQuery({
    queryKey,
    queryFn: () =>
      conditionalGet(client, queryKey, (headers) =>
        api.GET("/incidents/{incident_id}", { params: { path: { incident_id: id } }, headers, cache: "no-store" }),
      ),
    refetchInterval: POLL_MS,
  });
}

export function useTimeline(id: string) {
  const api = useApi();
  return useQuery({
    queryKey: ["incidents", "timeline", id],
    queryFn: async () =>
      unwrap(await api.GET("/incidents/{incident_id}/timeline", { params: { path: { incident_id: id }, query: { limit: 200 } } })).items,
    refetchInterval: POLL_MS,
  });
}

export function useAlerts(id: string) {
  const api = useApi();
  return useQuery({
    queryKey: ["incidents", "alerts", id],
    queryFn: async () =>
      unwrap(await api.GET("/incidents/{incident_id}/alerts", { params: { path: { incident_id: id }, query: { limit: 50 } } }))
        .items as Record<string, unknown>[],
  });
}

export function useDeliveries(id: string) {
  const api = useApi();
  return useQuery({
    queryKey: ["incidents", "deliveries", id],
    queryFn: async () =>
      unwrap(await api.GET("/incidents/{incident_id}/deliveries", { params: { path: { incident_id: id }, query: { limit: 100 } } }))
        .items,
    refetchInterval: POLL_MS * 2,
  });
}

/** One lifecycle action; the API applies the rules and answers problem+json when it refuses. */
export function useIncidentAction(id: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ verb, body }: { verb: ActionVerb; body?: ActionBody }) => {
      // One call site for every verb: the body's shape per verb is checked by the API (problem+json).
      const path = `/incidents/{incident_id}/${verb}` as "/incidents/{incident_id}/snooze";
      const payload = (body ?? {}) as never;
      return unwrap(await api.POST(path, { params: { path: { incident_id: id } }, body: payload }));
    },
    onSuccess: (incident) => client.setQueryData(["incidents", "one", id], incident),
    onSettled: () => client.invalidateQueries({ queryKey: ["incidents"] }),
  });
}
