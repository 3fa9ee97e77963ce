// People: my contact methods, notification rules (and the server's preview of them), Teams
// connection and calendar link; teams, members, invitations, API keys and users for admins.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "./context";
import { unwrap } from "./client";
import type { components } from "./schema";

type S = components["schemas"];
export type ContactMethod = S["ContactMethodView"];
export type ContactKind = S["ContactMethodBody"]["kind"];
export type NotificationRules = S["NotificationRules"];
export type RulesPreview = S["RulesPreview"];
export type PersonPlan = S["PersonPlan"];
export type TeamsConnection = S["TeamsConnection"];
export type ApiKey = S["ApiKeyRead"];
export type ApiKeyScope = S["ApiKeyScope"];
export type TeamRole = S["TeamRole"];
export type Member = S["UserView"];
type Team = S["Team"];


const METHODS = ["me", "contact-methods"];
const RULES = ["me", "notification-rules"];

export function useContactMethods() {
  const api = useApi();
  return useQuery({
    queryKey: METHODS,
    queryFn: async () => unwrap(await api.GET("/me/contact-methods")).items,
  });
}

/** After any change to my methods, the saved rules' preview changes too. */
function useMethodsChanged() {
  const client = useQueryClient();
  return () => Promise.all([client.invalidateQueries({ queryKey: METHODS }), client.invalidateQueries({ queryKey: RULES })]);
}

export function useAddContactMethod() {
  const api = useApi();
  const changed = useMethodsChanged();
  return useMutation({
    mutationFn: async (body: { kind: ContactKind; address: string; label: string }) =>
      unwrap(await api.POST("/me/contact-methods", { body })),
    onSuccess: changed,
  });
}

export function useVerifyContactMethod() {
  const api = useApi();
  const changed = useMethodsChanged();
  return useMutation({
    mutationFn: async ({ id, code }: { id: string; code: string }) =>
      unwrap(await api.POST("/me/contact-methods/{method_id}/verify", { params: { path: { method_id: id } }, body: { code } })),
    onSuccess: changed,
  });
}

export function useDeleteContactMethod() {
  const api = useApi();
  const changed = useMethodsChanged();
  return useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.DELETE("/me/contact-methods/{method_id}", { params: { path: { method_id: id } } })),
    onSuccess: changed,
  });
}

export function useRules() {
  const api = useApi();
  return useQuery({ queryKey: RULES, queryFn: async () => unwrap(await api.GET("/me/notification-rules")) });
}

export function useSaveRules() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: NotificationRules) => unwrap(await api.PUT("/me/notification-rules", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: RULES }),
  });
}

/** The server's answer to "a page arrives now": for the rules being edited (`draft`), or for the
 * saved ones when `draft` is null. Keeps the last answer on screen while the next one loads. */
export function useRulesPreview(draft: NotificationRules | null) {
  const api = useApi();
  return useQuery({
    queryKey: [...RULES, "preview", draft],
    queryFn: async () =>
      draft
        ? unwrap(await api.POST("/me/notification-rules/preview", { body: draft }))
        : unwrap(await api.GET("/me/notification-rules/preview")),
    placeholderData: keepPreviousData,
    // "Now" moves: quiet hours begin and end.
    refetchInterval: 60_000,
  });
}

export function useTeamsConnection() {
  const api = useApi();
  return useQuery({ queryKey: ["me", "teams-connection"], queryFn: async () => unwrap(await api.GET("/me/teams-connection")) });
}

export function useCalendarLink() {
  const api = useApi();
  return useMutation({ mutationFn: async () => unwrap(await api.POST("/me/calendar-link")).url });
}

// --- administration --------------------------------------------------------------------------

function useInvalidate() {
  const client = useQueryClient();
  return (...keys: string[][]) => Promise.all(keys.map((queryKey) => client.invalidateQueries({ queryKey })));
}

export function useCreateTeam() {
  const api = useApi();
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (name: string) => unwrap(await api.POST("/teams", { body: { name, description: "", external_id: null } })),
    onSuccess: () => invalidate(["teams"]),
  });
}

export function useRenameTeam() {
  const api = useApi();
  const invalidate = useInvalidate();
  return useMutation({
    // PUT replaces the team: everything but the name is sent back as it was.
    mutationFn: async ({ team, name }: { team: Team; name: string }) =>
      unwrap(
        await api.PUT("/teams/{team_id}", {
          params: { path: { team_id: team.id } },
          body: { name, description: team.description ?? "", external_id: team.external_id ?? null },
        }),
      ),
    onSuccess: () => invalidate(["teams"]),
  });
}

export function useDeleteTeam() {
  const api = useApi();
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE("/teams/{team_id}", { params: { path: { team_id: id } } })),
    onSuccess: () => invalidate(["teams"], ["users"]),
  });
}

export function useMembers(teamId: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: ["teams", teamId, "members"],
    queryFn: async () =>
      unwrap(await api.GET("/teams/{team_id}/members", { params: { path: { team_id: teamId! }, query: { limit: 200 } } })).items,
    enabled: !!teamId,
  });
}

export function useSetMember(teamId: string) {
  const api = useApi();
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ userId, role }: { userId: string; role: TeamRole | null }) =>
      role
        ? unwrap(
            await api.PUT("/teams/{team_id}/members/{user_id}", {
              params: { path: { team_id: teamId, user_id: userId } },
              body: { role },
            }),
          )
        : unwrap(await api.DELETE("/teams/{team_id}/members/{user_id}", { params: { path: { team_id: teamId, user_id: userId } } })),
    onSuccess: () => invalidate(["teams", teamId, "members"], ["users"]),
  });
}

/** Invite by e-mail: the API adds a pending person (or finds the known one) as a member of the
 * team; a chosen role other than member is then set like any member's. */
export function useInvite(teamId: string) {
  const api = useApi();
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ email, name, role }: { email: string; name: string; role: TeamRole }) => {
      const person = unwrap(await api.POST("/users/pending", { body: { email, name, team_id: teamId } }));
      if (role !== "member") {
        unwrap(
          await api.PUT("/teams/{team_id}/members/{user_id}", {
            params: { path: { team_id: teamId, user_id: person.id } },
            body: { role },
          }),
        );
      }
      return person;
    },
    onSuccess: () => invalidate(["teams", teamId, "members"], ["users"]),
  });
}

export function useApiKeys() {
  const api = useApi();
  return useQuery({
    queryKey: ["api-keys"],
    queryFn: async () => unwrap(await api.GET("/api-keys", { params: { query: { limit: 200 } } })).items,
  });
}

export function useCreateApiKey() {
  const api = useApi();
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (body: { name: string; scopes: ApiKeyScope[]; team_ids: string[] | null; expires_at: string | null }) =>
      unwrap(await api.POST("/api-keys", { body })),
    onSuccess: () => invalidate(["api-keys"]),
  });
}

export function useRevokeApiKey() {
  const api = useApi();
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.POST("/api-keys/{key_id}/revoke", { params: { path: { key_id: id } } })),
    onSuccess: () => invalidate(["api-keys"]),
  });
}
