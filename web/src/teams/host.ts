// The Teams host, through the Teams JS SDK: initialise, read the context, follow the theme.
import { app } from "@microsoft/teams-js";

export interface TeamsHost {
  context: app.Context;
  onThemeChange(handler: (theme: string) => void): void;
}

/** How long a frame waits for a Teams host to answer: teams-js itself gives up only after 60 s
 * when framed by a page that is not Teams (console.md §2). */
const CONNECT_TIMEOUT_MS = 8_000;

/** The Teams host, or null when the page is not inside one (opened directly, or framed by a
 * page that does not answer the Teams protocol). */
export async function connectTeams(): Promise<TeamsHost | null> {
  // Teams frames the tab (desktop, web) or runs it in a webview with a native bridge (mobile);
  // any other top-level page has no host to ask, and teams-js would mistake an opener for one.
  if (window.parent === window && !("nativeInterface" in window)) return null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("No answer from Microsoft Teams")), CONNECT_TIMEOUT_MS);
  });
  try {
    await Promise.race([app.initialize(), timeout]);
    const context = await Promise.race([app.getContext(), timeout]);
    return { context, onThemeChange: (handler) => app.registerOnThemeChangeHandler(handler) };
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/** Tell Teams the tab has loaded (its loading indicator, where the manifest asks for one). */
export function notifyLoaded(): void {
  void app.notifySuccess().catch(() => undefined);
}
