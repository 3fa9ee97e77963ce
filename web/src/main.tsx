// Start-up: config, sign-in (MSAL redirect), who am I, then the app.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { App } from "./App";
import { loadConfig } from "./config";
import { createAuth } from "./auth/msal";
import { createApi, unwrap } from "./api/client";
import { ProblemBar } from "./components/States";

const root = createRoot(document.getElementById("root")!);

async function start() {
  const cfg = await loadConfig();
  const auth = await createAuth(cfg);
  if (!auth.account()) {
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
