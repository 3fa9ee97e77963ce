import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Me } from "../../src/api/context";
import { AdminPage } from "../../src/pages/AdminPage";
import { json, renderWith, VIEWER } from "./render";

const TEAMS = { items: [{ id: "t-1", name: "Payments", description: "", external_id: null, created_at: null }], continuation: null };
const MEMBERS = {
  items: [{ id: "u-9", name: "Carol", email: "carol@example.com", teams: { "t-1": "member" }, pending: true, app_roles: [] }],
  continuation: null,
};
const TEAM_ADMIN: Me = { id: "u-3", kind: "user", display_name: "Tea", roles: ["OpenAlert.Responder"], teams: { "t-1": "admin" } };

function handler(req: Request): Response {
  const path = new URL(req.url).pathname.replace("/api/v1", "");
  if (path === "/teams") return json(TEAMS);
  if (path === "/teams/t-1/members") return json(MEMBERS);
  if (path === "/users") return json(MEMBERS);
  if (path === "/services") return json({ items: [], continuation: null });
  if (path === "/api-keys") return json({ title: "Forbidden", status: 403, detail: "Viewers manage no API keys." }, { status: 403 });
  return json({ title: "Not found", status: 404 }, { status: 404 });
}

describe("administration", () => {
  it("shows a Viewer no controls, and the API's refusal as it is", async () => {
    renderWith(<AdminPage />, { handler, me: VIEWER, path: "/admin" });
    expect(await screen.findByText("Payments")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Create team" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Rename Payments" })).toBeNull();
    fireEvent.click(screen.getByRole("tab", { name: "API keys" }));
    expect(await screen.findByText("Viewers manage no API keys.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Create key" })).toBeNull();
  });

  it("lets a team admin manage their team's members but not create teams", async () => {
    const { calls } = renderWith(<AdminPage />, { handler, me: TEAM_ADMIN, path: "/admin?tab=members&team=t-1" });
    const role = await screen.findByLabelText("Team role of Carol");
    expect(screen.getByText("Invited, not signed in yet")).toBeTruthy();
    fireEvent.change(role, { target: { value: "admin" } });
    await waitFor(() => expect(calls.some((c) => c.method === "PUT" && c.url.endsWith("/teams/t-1/members/u-9"))).toBe(true));
    fireEvent.click(screen.getByRole("tab", { name: "Teams" }));
    expect(await screen.findByRole("button", { name: "Rename Payments" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Create team" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Delete Payments" })).toBeNull();
  });
});
