import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Me } from "../../src/api/context";
import type { Integration, Route } from "../../src/api/services";
import { ServicePage } from "../../src/pages/ServicePage";
import { VIEWER, json, renderWith } from "./render";

const ADMIN: Me = { id: "u-0", kind: "user", display_name: "Ann", roles: ["OpenAlert.Admin"], teams: {} };
const SERVICE = { id: "svc-1", name: "Checkout", team_id: "t1", escalation_policy_id: "pol-1", description: "", external_id: null, created_at: null };
const INTEGRATION = {
  id: "int-1",
  name: "Prometheus",
  service_id: "svc-1",
  team_id: "t1",
  format: "alertmanager",
  key_prefix: "abc",
  enabled: true,
  on_refire: "new_incident",
  rate_limit_per_minute: 300,
  rate_limit_burst: 100,
  external_id: null,
  created_at: null,
  setup: null,
  settings: {
    azure_monitor_app_ids: [],
    generic_mapping: null,
    grafana_hmac_header: "X-Grafana-Alerting-Signature",
    grafana_hmac_secret: null,
    sentry_client_secret: null,
    heartbeat_interval_seconds: null,
  },
} satisfies Integration;
const route = (id: string, position: number): Route =>
  ({
    id,
    integration_id: "int-1",
    name: id,
    position,
    conditions: [{ field: "severity", op: "eq", value: "P1" }],
    match: "all",
    service_id: null,
    escalation_policy_id: null,
    page: true,
    severity: null,
    active: null,
    external_id: null,
  }) as Route;

function api(sent: { method: string; path: string; body: unknown }[] = []) {
  return async (req: Request) => {
    const path = new URL(req.url).pathname.replace("/api/v1", "");
    if (req.method !== "GET") sent.push({ method: req.method, path, body: await req.json().catch(() => null) });
    if (path === "/services/svc-1") return json(SERVICE);
    if (path === "/integrations") return json({ items: [INTEGRATION], continuation: null });
    if (path === "/integrations/int-1/routes" && req.method === "PUT") return json({ items: [route("r2", 0), route("r1", 1)], continuation: null });
    if (path === "/integrations/int-1/routes") return json({ items: [route("r1", 0), route("r2", 1)], continuation: null });
    if (path === "/escalation-policies") return json({ items: [{ id: "pol-1", name: "Primary", team_id: "t1" }], continuation: null });
    return json({ items: [], continuation: null });
  };
}

describe("ServicePage", () => {
  it("shows a Viewer the integrations and routes without any edit control", async () => {
    renderWith(<ServicePage />, { handler: api(), me: VIEWER, path: "/services/svc-1", route: "/services/:id" });
    expect(await screen.findByRole("heading", { name: "Prometheus" })).toBeTruthy();
    expect(await screen.findByText("1. r1")).toBeTruthy();
    expect(screen.getByText("Escalation policy: Primary")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Setup" })).toBeTruthy();
    for (const name of ["Add integration", "Edit", "Delete", "Rotate key", "Send a test alert", "Add route", "Settings"]) {
      expect(screen.queryByRole("button", { name })).toBeNull();
    }
    expect(screen.queryByRole("button", { name: "Move r1 down" })).toBeNull();
  });

  it("moves a route down by sending the new order to the API", async () => {
    const sent: { method: string; path: string; body: unknown }[] = [];
    renderWith(<ServicePage />, { handler: api(sent), me: ADMIN, path: "/services/svc-1", route: "/services/:id" });
    const routes = await screen.findByRole("list", { name: "Routes in order" });
    fireEvent.click(within(routes).getByRole("button", { name: "Move r1 down" }));
    await waitFor(() => expect(sent).toEqual([{ method: "PUT", path: "/integrations/int-1/routes", body: { route_ids: ["r2", "r1"] } }]));
    expect(await within(routes).findByText("1. r2")).toBeTruthy();
  });
});
