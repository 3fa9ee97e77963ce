// Which admin controls to show the caller. Only hides: the API decides (its 403 is shown).
import type { Me } from "../../../api/context";

export const isAdmin = (me: Me) => me.roles.includes("OpenAlert.Admin");

/** Team admins configure their teams, unless their app role is Viewer (read-only everywhere). */
export function canConfigureTeam(me: Me, teamId: string): boolean {
  if (isAdmin(me)) return true;
  return me.roles.includes("OpenAlert.Responder") && me.teams[teamId] === "admin";
}

/** The teams the caller administers (a non-Admin's API keys must be limited to some of them). */
export function adminTeams(me: Me): string[] {
  return Object.keys(me.teams).filter((t) => canConfigureTeam(me, t));
}
