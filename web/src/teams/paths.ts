// Where the tab opens, from the Teams context; pure, so the unit tests cover it without Teams.

/** The tab's content URL (shared/msteams/tab.py); its pages live under it (`/tab/incidents/42`)
 * so a reload inside Teams stays the tab. */
export const TAB_BASE = "/tab";

export const isTabPath = (pathname: string) => pathname === TAB_BASE || pathname.startsWith(`${TAB_BASE}/`);

/** The console page (router path, under the tab's base) that a deep link's `subEntityId` names:
 * `incident:<id>` (the card's Open button) → `/incidents/<id>`; anything else → the list. */
export function pageForSubEntity(subEntityId: string | undefined): string {
  const m = /^incident:(.+)$/.exec(subEntityId ?? "");
  return m ? `/incidents/${encodeURIComponent(m[1]!)}` : "/incidents";
}

/** The same page in the plain console (the tab's prefix dropped), for /tab opened outside Teams. */
export const outsideTeams = (pathname: string) => pathname.slice(TAB_BASE.length) || "/incidents";
