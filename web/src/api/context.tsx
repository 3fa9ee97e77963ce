// The signed-in session: the typed API client and who the caller is (GET /me).
import { createContext, useContext } from "react";
import type { Api } from "./client";
import type { components } from "./schema";

export type Me = components["schemas"]["MeView"];

export interface Session {
  api: Api;
  me: Me;
  signOut: () => Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession outside SessionContext");
  return s;
}

export const useApi = (): Api => useSession().api;

/** Whether the caller's app role may act on incidents; the API decides, this only hides buttons. */
export function canAct(me: Me): boolean {
  return me.roles.includes("OpenAlert.Admin") || me.roles.includes("OpenAlert.Responder");
}
