// Renders a component inside the app's providers, with an API client over a fake fetch.
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter, Route, Routes } from "react-router";
import { makeQueryClient } from "../../src/App";
import { createApi } from "../../src/api/client";
import { SessionContext, type Me } from "../../src/api/context";

export const RESPONDER: Me = { id: "u-1", kind: "user", display_name: "Ada", roles: ["OpenAlert.Responder"], teams: {} };
export const VIEWER: Me = { id: "u-2", kind: "user", display_name: "Vic", roles: ["OpenAlert.Viewer"], teams: {} };

export type Handler = (req: Request) => Response | Promise<Response>;

export function json(body: unknown, init: ResponseInit = {}): Response {
  const type = (init.status ?? 200) >= 400 ? "application/problem+json" : "application/json";
  return new Response(JSON.stringify(body), { ...init, headers: { "Content-Type": type, ...(init.headers ?? {}) } });
}

export function renderWith(ui: ReactNode, opts: { handler: Handler; me?: Me; path?: string; route?: string }) {
  const calls: Request[] = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(input, init);
    calls.push(req.clone());
    return opts.handler(req);
  };
  const api = createApi("http://console.test/api/v1", async () => "tok", fetchImpl as typeof fetch);
  const client = makeQueryClient();
  client.setDefaultOptions({ queries: { retry: false, refetchInterval: false } });
  const session = { api, me: opts.me ?? RESPONDER, signOut: async () => {} };
  const utils = render(
    <FluentProvider theme={webLightTheme}>
      <QueryClientProvider client={client}>
        <SessionContext.Provider value={session}>
          <MemoryRouter initialEntries={[opts.path ?? "/"]}>
            <Routes>
              <Route path={opts.route ?? "*"} element={ui} />
            </Routes>
          </MemoryRouter>
        </SessionContext.Provider>
      </QueryClientProvider>
    </FluentProvider>,
  );
  return { ...utils, calls, client };
}
