// Routes of the console, inside the theme, query client and signed-in session.
import { FluentProvider } from "@fluentui/react-components";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { lazy, useState } from "react";
import { Navigate, Route, Routes } from "react-router";
import { SessionContext, type Session } from "./api/context";
import { ProblemError } from "./api/problem";
import { AppShell } from "./components/AppShell";
import { IncidentsPage } from "./pages/IncidentsPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import type { HostTheme } from "./teams/theme";
import { useThemePreference } from "./theme";

// The landing page (the list) ships in the first bundle; the rest load on first visit, which keeps
// the initial JavaScript within its budget (docs/console.md).
const IncidentPage = lazy(() => import("./pages/IncidentPage").then((m) => ({ default: m.IncidentPage })));
const OnCallPage = lazy(() => import("./pages/OnCallPage").then((m) => ({ default: m.OnCallPage })));
const MyShiftsPage = lazy(() => import("./pages/MyShiftsPage").then((m) => ({ default: m.MyShiftsPage })));
const SchedulesPage = lazy(() => import("./pages/SchedulesPage").then((m) => ({ default: m.SchedulesPage })));
const SchedulePage = lazy(() => import("./pages/SchedulePage").then((m) => ({ default: m.SchedulePage })));
const PoliciesPage = lazy(() => import("./pages/PoliciesPage").then((m) => ({ default: m.PoliciesPage })));
const PolicyPage = lazy(() => import("./pages/PolicyPage").then((m) => ({ default: m.PolicyPage })));
const ServicesPage = lazy(() => import("./pages/ServicesPage").then((m) => ({ default: m.ServicesPage })));
const ServicePage = lazy(() => import("./pages/ServicePage").then((m) => ({ default: m.ServicePage })));
const HeartbeatsPage = lazy(() => import("./pages/HeartbeatsPage").then((m) => ({ default: m.HeartbeatsPage })));
const ProfilePage = lazy(() => import("./pages/ProfilePage").then((m) => ({ default: m.ProfilePage })));
const AdminPage = lazy(() => import("./pages/AdminPage").then((m) => ({ default: m.AdminPage })));

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

interface Props {
  session: Session;
  /** Inside Teams: the host's theme, followed instead of the person's pick (and the header
   * compact: no theme menu, no sign-out; Teams owns both). */
  hostTheme?: HostTheme;
}

export function App({ session, hostTheme }: Props) {
  const [client] = useState(makeQueryClient);
  const { theme, mode, preference, setPreference } = useThemePreference();
  return (
    <FluentProvider theme={hostTheme?.theme ?? theme} data-theme={hostTheme?.mode ?? mode} style={{ minHeight: "100vh" }}>
      <QueryClientProvider client={client}>
        <SessionContext.Provider value={session}>
          <Routes>
            <Route element={<AppShell mode={mode} preference={preference} onPreference={setPreference} embedded={!!hostTheme} />}>
              <Route index element={<Navigate to="/incidents" replace />} />
              <Route path="incidents" element={<IncidentsPage />} />
              <Route path="incidents/:id" element={<IncidentPage />} />
              <Route path="oncall" element={<OnCallPage />} />
              <Route path="shifts" element={<MyShiftsPage />} />
              <Route path="schedules" element={<SchedulesPage />} />
              <Route path="schedules/:id" element={<SchedulePage />} />
              <Route path="escalation-policies" element={<PoliciesPage />} />
              <Route path="escalation-policies/:id" element={<PolicyPage />} />
              <Route path="services" element={<ServicesPage />} />
              <Route path="services/:id" element={<ServicePage />} />
              <Route path="heartbeats" element={<HeartbeatsPage />} />
              <Route path="profile" element={<ProfilePage />} />
              <Route path="admin" element={<AdminPage />} />
              <Route path="*" element={<NotFoundPage />} />
            </Route>
          </Routes>
        </SessionContext.Provider>
      </QueryClientProvider>
    </FluentProvider>
  );
}
