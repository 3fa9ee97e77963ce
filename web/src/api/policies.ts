// Escalation policies: list, read, save (each save a new version), saved versions, and the
// server's preview of who a policy would page and when. The engine's rules stay on the server.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "./context";
import { unwrap } from "./client";
import type { components } from "./schema";

export type Policy = components["schemas"]["Policy"];
export type PolicyBody = components["schemas"]["PolicyBody"];
export type PolicyStep = PolicyBody["steps"][number];
export type StepType = PolicyStep["type"];
export type PolicyPreview = components["schemas"]["PolicyPreview"];
export type FiredStep = components["schemas"]["FiredStep"];
export type PolicyVersion = components["schemas"]["PolicyVersion"];
export type ListedSchedule = components["schemas"]["ListedSchedule"];
export type WebhookView = components["schemas"]["WebhookView"];
const STALE = 60_000;


export function usePolicies() {
  const api = useApi();
  return useQuery({
    queryKey: ["policies", "list"],
    queryFn: async () => unwrap(await api.GET("/escalation-policies", { params: { query: { limit: 200 } } })).items,
  });
}

/** The policy and the ETag it was read with (sent back as If-Match, so a save never silently
 * replaces a version someone else saved meanwhile: the API answers 412 instead). */
export function usePolicy(id: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: ["policies", "one", id],
    queryFn: async () => {
      const result = await api.GET("/escalation-policies/{policy_id}", { params: { path: { policy_id: id! } } });
      return { policy: unwrap(result), etag: result.response.headers.get("ETag") };
    },
    enabled: !!id,
  });
}

export function usePolicyVersions(id: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: ["policies", "versions", id],
    queryFn: async () =>
      unwrap(await api.GET("/escalation-policies/{policy_id}/versions", { params: { path: { policy_id: id! } } })).items,
    enabled: !!id,
  });
}

export function usePolicyVersion(id: string, version: number | null) {
  const api = useApi();
  return useQuery({
    queryKey: ["policies", "version", id, version],
    queryFn: async () =>
      unwrap(
        await api.GET("/escalation-policies/{policy_id}/versions/{version}", {
          params: { path: { policy_id: id, version: String(version) } },
        }),
      ),
    enabled: version !== null,
    staleTime: Infinity, // a saved version never changes
  });
}

/** Create (no `saved`) or update the version read with `saved.etag` (a new version); it settles
 * once the lists, the policy (and its new ETag) and its versions are fetched again. */
export function useSavePolicy(saved: { id: string; etag: string | null } | null) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: PolicyBody) =>
      saved
        ? unwrap(
            await api.PUT("/escalation-policies/{policy_id}", {
              params: { path: { policy_id: saved.id } },
              body,
              headers: saved.etag ? { "If-Match": saved.etag } : {},
            }),
          )
        : unwrap(await api.POST("/escalation-policies", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["policies"] }),
  });
}

/** Who would be paged, and when, from `at` (ISO; null = now): the saved policy when `body` is
 * null, else the unsaved draft. The previous answer stays shown while the next one loads. */
export function usePolicyPreview(id: string | undefined, body: PolicyBody | null, at: string | null) {
  const api = useApi();
  const query = at ? { at } : {};
  return useQuery({
    queryKey: ["policies", "preview", id ?? null, body, at],
    queryFn: async () =>
      body
        ? unwrap(await api.POST("/escalation-policies/preview", { params: { query }, body }))
        : unwrap(await api.POST("/escalation-policies/{policy_id}/preview", { params: { path: { policy_id: id! }, query } })),
    enabled: !!body || !!id,
    placeholderData: keepPreviousData,
    // "Now" moves on: ask again now and then while the panel is open.
    refetchInterval: at ? false : 60_000,
  });
}

export function useWebhookChoices() {
  const api = useApi();
  return useQuery({
    queryKey: ["webhooks", "choices"],
    queryFn: async () => unwrap(await api.GET("/webhooks", { params: { query: { limit: 200 } } })).items,
    staleTime: STALE,
  });
}
