// The console as the Teams app's personal tab: Teams context, nested app auth, Teams theme.
// Loaded only on /tab (main.tsx), so the Teams SDK is not in the console's first bundle.
import { FluentProvider, teamsLightTheme } from "@fluentui/react-components";
import { createNestablePublicClientApplication } from "@azure/msal-browser";
import { StrictMode, useEffect, useState } from "react";
import type { Root } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { App } from "../App";
import { createApi, unwrap } from "../api/client";
import type { Session } from "../api/context";
import { msalConfig, wrapAuth, type Auth } from "../auth/msal";
import type { ConsoleConfig } from "../config";
import { TabPage, type TabStatus } from "../pages/TabPage";
import { connectTeams, notifyLoaded, type TeamsHost } from "./host";
import { TAB_BASE, outsideTeams, pageForSubEntity } from "./paths";
import { teamsTheme } from "./theme";

export async function startTab(root: Root, cfg: ConsoleConfig, startConsole: () => Promise<void>): Promise<void> {
  const framed = window.parent !== window;
  if (framed) root.render(<Standalone status="connecting" />);
  const teams = await connectTeams();
  if (!teams) {
    if (framed) {
      root.render(<Standalone status="not-in-teams" />);
      return;
    }
    // Opened in a browser: the same page of the plain console, with its usual sign-in.
    const { pathname, search, hash } = window.location;
    window.history.replaceState(null, "", outsideTeams(pathname) + search + hash);
    await startConsole();
    return;
  }
  // A fresh tab (Teams loads the content URL) opens the page the deep link names; a reload
  // inside the tab keeps the page it was on.
  if (window.location.pathname === TAB_BASE) {
    window.history.replaceState(null, "", TAB_BASE + pageForSubEntity(teams.context.page.subPageId));
  }
  // With a Teams host offering nested app auth this client gets tokens from the host (the
  // person's Teams session: no prompt); without, it is the standard client (console.md §2).
  const pca = await createNestablePublicClientApplication(msalConfig(cfg));
  const auth = await wrapAuth(pca, cfg, { interaction: "popup", loginHint: teams.context.user?.loginHint });
  const open = async () => {
    const session = await sessionOf(auth, cfg);
    root.render(<Tab teams={teams} session={session} />);
    notifyLoaded();
  };
  if (auth.account() || (await auth.silentSignIn())) {
    await open();
    return;
  }
  const signIn = async () => {
    await auth.signIn();
    await open();
  };
  root.render(<Tab teams={teams} signIn={signIn} />);
  notifyLoaded();
}

async function sessionOf(auth: Auth, cfg: ConsoleConfig): Promise<Session> {
  const api = createApi(cfg.apiBase, auth.token);
  const me = unwrap(await api.GET("/me"));
  return { api, me, signOut: auth.signOut };
}

/** Before Teams answers, or when it never does: its theme is not known. */
function Standalone({ status }: { status: TabStatus }) {
  return (
    <FluentProvider theme={teamsLightTheme} data-theme="light" style={{ minHeight: "100vh" }}>
      <TabPage status={status} />
    </FluentProvider>
  );
}

interface TabProps {
  teams: TeamsHost;
  session?: Session;
  signIn?: () => Promise<void>;
}

/** The tab in the Teams theme, following its changes; the console once signed in. */
function Tab({ teams, session, signIn }: TabProps) {
  const [themeName, setThemeName] = useState(teams.context.app.theme);
  useEffect(() => teams.onThemeChange(setThemeName), [teams]);
  const host = teamsTheme(themeName);
  if (!session) {
    return (
      <FluentProvider theme={host.theme} data-theme={host.mode} style={{ minHeight: "100vh" }}>
        <TabPage status="sign-in" onSignIn={signIn} />
      </FluentProvider>
    );
  }
  return (
    <StrictMode>
      <BrowserRouter basename={TAB_BASE}>
        <App session={session} hostTheme={host} />
      </BrowserRouter>
    </StrictMode>
  );
}
