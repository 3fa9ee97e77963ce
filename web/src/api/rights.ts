// Which controls to show the caller. This only hides: the API decides, and its 403 is shown.
import type { Me } from "./context";

export const isAdmin = (me: Me) => me.roles.includes("OpenAlert.Admin");

/** Whether the caller may change a team's configuration: the app Admin, or a Responder who is
 * that team's admin (a Viewer app role is read-only everywhere). `undefined` (a team not known
 * yet, e.g. while the object loads) is no team: nothing to change. */
export function canConfigure(me: Me, teamId: string | undefined): boolean {
  if (isAdmin(me)) return true;
  if (!teamId || !me.roles.includes("OpenAlert.Responder")) return false;
  return me.teams[teamId] === "admin";
}

/** The teams the caller may configure, e.g. to offer in a "new …" form. */
export function adminTeams(me: Me): string[] {
  return Object.keys(me.teams).filter((t) => canConfigure(me, t));
}

/** Whether the caller may configure any team at all (a "new …" button). */
export const canConfigureAny = (me: Me) => isAdmin(me) || adminTeams(me).length > 0;
