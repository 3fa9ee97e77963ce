// Routes of the console, inside the theme, query client and signed-in session.
import { FluentProvider } from "@fluentui/react-components";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";
import { Navigate, Route, Routes } from "react-router";
import { SessionContext, type Session } from "./api/context";
import { ProblemError } from "./api/problem";
import { AppShell } from "./components/AppShell";
import { IncidentsPage } from "./pages/IncidentsPage";
import { IncidentPage } from "./pages/IncidentPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { OnCallPage } from "./pages/OnCallPage";
import { MyShiftsPage } from "./pages/MyShiftsPage";
import { useThemePreference } from "./theme";

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // A refused request (4xx) will be refused again; retry only what may be transient.
        retry: (count, error) => !(error instanceof ProblemError && error.status < 500) && count < 2,
        refetchOnWindowFocus: true,
      },
    },
  });
}

export function App({ session }: { session: Session }) {
  const [client] = useState(makeQueryClient);
  const { theme, mode, preference, setPreference } = useThemePreference();
  return (
    <FluentProvider theme={theme} data-theme={mode} style={{ minHeight: "100vh" }}>
      <QueryClientProvider client={client}>
        <SessionContext.Provider value={session}>
          <Routes>
            <Route element={<AppShell mode={mode} preference={preference} onPreference={setPreference} />}>
              <Route index element={<Navigate to="/incidents" replace />} />
              <Route path="incidents" element={<IncidentsPage />} />
              <Route path="incidents/:id" element={<IncidentPage />} />
              <Route path="oncall" element={<OnCallPage />} />
              <Route path="shifts" element={<MyShiftsPage />} />
              <Route path="*" element={<NotFoundPage />} />
            </Route>
          </Routes>
        </SessionContext.Provider>
      </QueryClientProvider>
    </FluentProvider>
  );
}
