// Services, integrations, routes and heartbeats: the API decides (setup snippets, which route
// matches, heartbeat state); these hooks fetch and write, and invalidate what a write changes.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNames } from "./catalog";
import { useApi } from "./context";
import { usePolicies } from "./policies";
import { unwrap } from "./client";
import type { components } from "./schema";

type S = components["schemas"];
export type ServiceBody = S["ServiceBody"];
export type Policy = S["Policy"];
export type Integration = S["IntegrationRead"];
export type IntegrationBody = S["IntegrationBody"];
export type IntegrationCreated = S["IntegrationCreated"];
export type SourceFormat = Integration["format"];
export type SenderSetup = S["SenderSetup"];
export type Route = S["Route"];
export type RouteBody = S["RouteBody"];
export type RouteCondition = S["RouteCondition"];
export type RouteTestBody = S["RouteTestBody"];
export type RouteTestResult = S["RouteTestResult"];
export type AlertRouting = S["AlertRouting"];
export type HeartbeatStatus = S["HeartbeatStatus"];
export type TestAlertSent = S["TestAlertSent"];

/** Every source the API accepts, with the sender it stands for (the record keeps the list
 * complete: a source added to the API fails the typecheck until it is named here). */
export const SOURCES: Record<SourceFormat, string> = {
  alertmanager: "Prometheus Alertmanager",
  grafana: "Grafana Alerting",
  azure_monitor: "Azure Monitor action group",
  pagerduty: "PagerDuty Events v2 senders",
  opsgenie: "Opsgenie Alert API senders",
  datadog: "Datadog webhook",
  sentry: "Sentry internal integration",
  generic: "Generic JSON",
  heartbeat: "Heartbeat (cron pings)",
};


export function useService(id: string) {
  const api = useApi();
  return useQuery({
    queryKey: ["services", id],
    queryFn: async () => unwrap(await api.GET("/services/{service_id}", { params: { path: { service_id: id } } })),
  });
}

export function useSaveService(id?: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: ServiceBody) =>
      id
        ? unwrap(await api.PUT("/services/{service_id}", { params: { path: { service_id: id } }, body }))
        : unwrap(await api.POST("/services", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["services"] }),
  });
}

export function useDeleteService(id: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap(await api.DELETE("/services/{service_id}", { params: { path: { service_id: id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["services"] }),
  });
}

/** A team's integrations (the list filters by team; the page shows one service's). */
export function useIntegrations(teamId: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: ["integrations", teamId],
    enabled: !!teamId,
    queryFn: async () =>
      unwrap(await api.GET("/integrations", { params: { query: { team_id: teamId, limit: 200 } } })).items,
  });
}

export function useCreateIntegration() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: IntegrationBody) => unwrap(await api.POST("/integrations", { body })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["integrations"] });
      return client.invalidateQueries({ queryKey: ["heartbeats"] });
    },
  });
}

export function useRotateKey(id: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async () =>
      unwrap(await api.POST("/integrations/{integration_id}/rotate", { params: { path: { integration_id: id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["integrations"] }),
  });
}

export function useDeleteIntegration(id: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async () =>
      unwrap(await api.DELETE("/integrations/{integration_id}", { params: { path: { integration_id: id } } })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["heartbeats"] });
      return client.invalidateQueries({ queryKey: ["integrations"] });
    },
  });
}

/** The snippets with the key as a placeholder (the key itself is in no answer but the one that
 * issued it). */
export function useSetup(id: string, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: ["integrations", "setup", id],
    enabled,
    queryFn: async () =>
      unwrap(await api.GET("/integrations/{integration_id}/setup", { params: { path: { integration_id: id } } })),
  });
}

export function useSendTestAlert(id: string) {
  const api = useApi();
  return useMutation({
    mutationFn: async () =>
      unwrap(await api.POST("/integrations/{integration_id}/test-alert", { params: { path: { integration_id: id } } })),
  });
}

/** How long the page looks for a test alert's incident. */
export const TEST_ALERT_WAIT_MS = 60_000;

/** The incident a test alert opened, once the pipeline has processed it (found by its own
 * dedup key among incidents titled like it). */
export function useTestIncident(sent: TestAlertSent | undefined, sentAt: number) {
  const api = useApi();
  return useQuery({
    queryKey: ["incidents", "test-alert", sent?.envelope_id],
    enabled: !!sent,
    queryFn: async () => {
      const page = unwrap(await api.GET("/incidents", { params: { query: { q: sent!.title, limit: 50 } } }));
      return page.items.find((i) => i.dedup_key === sent!.dedup_key) ?? null;
    },
    // Every second until it shows, for at most a minute (then the page says where to look).
    refetchInterval: (query) => (query.state.data || query.state.dataUpdatedAt - sentAt >= TEST_ALERT_WAIT_MS ? false : 1_000),
  });
}

export function useRoutes(integrationId: string) {
  const api = useApi();
  return useQuery({
    queryKey: ["routes", integrationId],
    queryFn: async () =>
      unwrap(await api.GET("/integrations/{integration_id}/routes", { params: { path: { integration_id: integrationId } } }))
        .items,
  });
}

export function useSaveRoute(integrationId: string, routeId?: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: RouteBody) =>
      routeId
        ? unwrap(
            await api.PUT("/integrations/{integration_id}/routes/{route_id}", {
              params: { path: { integration_id: integrationId, route_id: routeId } },
              body,
            }),
          )
        : unwrap(
            await api.POST("/integrations/{integration_id}/routes", { params: { path: { integration_id: integrationId } }, body }),
          ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["routes", integrationId] }),
  });
}

export function useDeleteRoute(integrationId: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (routeId: string) =>
      unwrap(
        await api.DELETE("/integrations/{integration_id}/routes/{route_id}", {
          params: { path: { integration_id: integrationId, route_id: routeId } },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["routes", integrationId] }),
  });
}

export function useReorderRoutes(integrationId: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (routeIds: string[]) =>
      unwrap(
        await api.PUT("/integrations/{integration_id}/routes", {
          params: { path: { integration_id: integrationId } },
          body: { route_ids: routeIds },
        }),
      ).items,
    onSuccess: (routes) => client.setQueryData(["routes", integrationId], routes),
  });
}

export function useTestRoutes(integrationId: string) {
  const api = useApi();
  return useMutation({
    mutationFn: async (body: RouteTestBody) =>
      unwrap(
        await api.POST("/integrations/{integration_id}/routes/test", {
          params: { path: { integration_id: integrationId } },
          body,
        }),
      ),
  });
}

/** A service's recent incidents, to test routes against an alert one of them recorded. */
export function useRecentIncidents(serviceId: string, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: ["incidents", "recent", serviceId],
    enabled,
    queryFn: async () =>
      unwrap(await api.GET("/incidents", { params: { query: { service_id: serviceId, limit: 20 } } })).items,
  });
}

export function useHeartbeats() {
  const api = useApi();
  return useQuery({
    queryKey: ["heartbeats"],
    queryFn: async () => unwrap(await api.GET("/heartbeats", { params: { query: { limit: 200 } } })).items,
    refetchInterval: 30_000,
  });
}

/** id -> name for teams, services, people and escalation policies (the id while loading). */
export function useConfigNames(): (id: string | null | undefined) => string {
  const names = useNames();
  const policies = usePolicies().data ?? [];
  const policy = new Map(policies.map((p) => [p.id, p.name]));
  return (id) => (id && policy.has(id) ? policy.get(id)! : names(id));
}

export function useUpdateIntegration(id: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: IntegrationBody) =>
      unwrap(await api.PUT("/integrations/{integration_id}", { params: { path: { integration_id: id } }, body })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["heartbeats"] });
      return client.invalidateQueries({ queryKey: ["integrations"] });
    },
  });
}
