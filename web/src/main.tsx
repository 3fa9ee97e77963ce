// Start-up: config, sign-in (MSAL redirect), who am I, then the app. The Teams tab (/tab) starts
// through src/teams/tab.tsx instead, loaded only there so the Teams SDK stays out of the
// console's first bundle.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { App } from "./App";
import { loadConfig, type ConsoleConfig } from "./config";
import { createAuth } from "./auth/msal";
import { createApi, unwrap } from "./api/client";
import { ProblemBar } from "./components/States";
import { isTabPath } from "./teams/paths";

const root = createRoot(document.getElementById("root")!);

async function startConsole(cfg: ConsoleConfig) {
  const auth = await createAuth(cfg);
  if (!auth.account() && !(await auth.silentSignIn())) {
    await auth.signIn();
    return;
  }
  const api = createApi(cfg.apiBase, auth.token);
  const me = unwrap(await api.GET("/me"));
  root.render(
    <StrictMode>
      <BrowserRouter>
        <App session={{ api, me, signOut: auth.signOut }} />
      </BrowserRouter>
    </StrictMode>,
  );
}

async function start() {
  const cfg = await loadConfig();
  if (isTabPath(window.location.pathname)) {
    const { startTab } = await import("./teams/tab");
    await startTab(root, cfg, () => startConsole(cfg));
    return;
  }
  await startConsole(cfg);
}

start().catch((error: unknown) => {
  root.render(
    <FluentProvider theme={webLightTheme}>
      <main style={{ padding: 16 }}>
        <h1>OpenAlert could not start</h1>
        <ProblemBar error={error} />
      </main>
    </FluentProvider>,
  );
});
