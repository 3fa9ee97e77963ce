// Teams, services and people, for names and filter choices (cached; they change rarely).
import { useQuery } from "@tanstack/react-query";
import { useApi } from "./context";
import { unwrap } from "./client";
import type { components } from "./schema";

export type Team = components["schemas"]["Team"];
export type Service = components["schemas"]["Service"];
export type UserView = components["schemas"]["UserView"];
const STALE = 5 * 60_000;

export function useTeams() {
  const api = useApi();
  return useQuery({
    queryKey: ["teams"],
    queryFn: async () => unwrap(await api.GET("/teams", { params: { query: { limit: 200 } } })).items,
    staleTime: STALE,
  });
}

export function useServices() {
  const api = useApi();
  return useQuery({
    queryKey: ["services"],
    queryFn: async () => unwrap(await api.GET("/services", { params: { query: { limit: 200 } } })).items,
    staleTime: STALE,
  });
}

export function useUsers() {
  const api = useApi();
  return useQuery({
    queryKey: ["users"],
    queryFn: async () => unwrap(await api.GET("/users", { params: { query: { limit: 200 } } })).items,
    staleTime: STALE,
  });
}

/** id -> display name, falling back to the id while the list loads or for unknown ids. */
export function useNames(): (id: string | null | undefined) => string {
  const teams = useTeams().data ?? [];
  const services = useServices().data ?? [];
  const users = useUsers().data ?? [];
  const map = new Map<string, string>();
  for (const t of teams) map.set(t.id, t.name);
  for (const s of services) map.set(s.id, s.name);
  for (const u of users) map.set(u.id, u.name || u.email || u.id);
  return (id) => (id ? (map.get(id) ?? id) : "—");
}
