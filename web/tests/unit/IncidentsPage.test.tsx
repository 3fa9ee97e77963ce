import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { IncidentsPage } from "../../src/pages/IncidentsPage";
import { json, renderWith, VIEWER, type Handler } from "./render";

const incident = (n: number, status = "triggered") => ({
  id: `inc-${n}`,
  number: n,
  title: `Disk full ${n}`,
  team_id: "t1",
  service_id: "s1",
  status,
  severity: "P2",
  created_at: "2026-12-02T10:00:00Z",
  updated_at: "2026-12-02T10:00:00Z",
});

const handler =
  (items: unknown[], continuation: string | null = null): Handler =>
  (req) => {
    const url = new URL(req.url);
    if (url.pathname.endsWith("/incidents")) return json({ items, continuation });
    return json({ items: [], continuation: null });
  };

describe("IncidentsPage", () => {
  it("lists incidents with links to their pages and asks for open ones by default", async () => {
    const { calls } = renderWith(<IncidentsPage />, { handler: handler([incident(7)]), path: "/incidents" });
    const link = await screen.findByRole("link", { name: "#7 Disk full 7" });
    expect(link.getAttribute("href")).toBe("/incidents/inc-7");
    const list = calls.find((c) => new URL(c.url).pathname.endsWith("/incidents"))!;
    expect(new URL(list.url).searchParams.get("status")).toBe("triggered,acknowledged,snoozed");
    expect(list.headers.get("Authorization")).toBe("Bearer tok");
  });

  it("shows the empty state", async () => {
    renderWith(<IncidentsPage />, { handler: handler([]), path: "/incidents" });
    expect(await screen.findByText("No incidents match these filters.")).toBeTruthy();
  });

  it("offers selection to responders but not to viewers", async () => {
    renderWith(<IncidentsPage />, { handler: handler([incident(1)]), path: "/incidents" });
    expect(await screen.findByRole("checkbox", { name: /Select #1/ })).toBeTruthy();
  });

  it("viewers get no selection boxes", async () => {
    renderWith(<IncidentsPage />, { handler: handler([incident(1)]), path: "/incidents", me: VIEWER });
    await screen.findByRole("link", { name: /#1/ });
    expect(screen.queryByRole("checkbox", { name: /Select #1/ })).toBeNull();
  });

  it("shows the API's problem detail when the list fails", async () => {
    const fail: Handler = () => json({ type: "t", title: "Bad", status: 400, detail: "status must be triggered…" }, { status: 400 });
    renderWith(<IncidentsPage />, { handler: fail, path: "/incidents" });
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("status must be triggered…"));
  });
});
