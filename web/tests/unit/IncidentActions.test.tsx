import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { IncidentActions } from "../../src/components/IncidentActions";
import { ErrorBoundary } from "../../src/components/ErrorBoundary";
import { EscalationProgress, type Progress } from "../../src/components/EscalationProgress";
import { ProblemError } from "../../src/api/problem";
import type { Incident } from "../../src/api/incidents";
import { json, renderWith } from "./render";

const incident = (status: Incident["status"]): Incident =>
  ({
    id: "inc-1",
    number: 1,
    title: "Disk full",
    team_id: "t1",
    service_id: "s1",
    status,
    created_at: "2026-12-02T10:00:00Z",
    updated_at: "2026-12-02T10:00:00Z",
  }) as Incident;

const users = (req: Request) => (new URL(req.url).pathname.endsWith("/users") ? json({ items: [], continuation: null }) : null);

describe("IncidentActions", () => {
  it("snoozes for a preset's minutes through the API", async () => {
    const posted: { path: string; body: unknown }[] = [];
    const handler = async (req: Request) => {
      const u = users(req);
      if (u) return u;
      posted.push({ path: new URL(req.url).pathname, body: await req.json() });
      return json(incident("snoozed"));
    };
    renderWith(<IncidentActions incident={incident("triggered")} />, { handler });
    fireEvent.click(screen.getByRole("button", { name: "Snooze" }));
    fireEvent.click(await screen.findByRole("menuitem", { name: "1 hour" }));
    await waitFor(() => expect(posted).toEqual([{ path: "/api/v1/incidents/inc-1/snooze", body: { minutes: 60 } }]));
  });

  it("shows the API's problem detail when it refuses", async () => {
    const handler = (req: Request) =>
      users(req) ?? json({ type: "t", title: "Conflict", status: 409, detail: "Incident #1 is already resolved." }, { status: 409 });
    renderWith(<IncidentActions incident={incident("triggered")} />, { handler });
    fireEvent.click(screen.getByRole("button", { name: "Acknowledge" }));
    expect(await screen.findByText("Incident #1 is already resolved.")).toBeTruthy();
  });

  it("offers reopen, not acknowledge, on a resolved incident", () => {
    renderWith(<IncidentActions incident={incident("resolved")} />, { handler: (req) => users(req) ?? json({}) });
    expect(screen.getByRole("button", { name: "Reopen" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Acknowledge" })).toBeNull();
  });
});

describe("ErrorBoundary", () => {
  it("shows the problem detail of what broke the page", () => {
    const Boom = () => {
      throw new ProblemError({ title: "Not found", detail: "No incident inc-9." }, 404);
    };
    const quiet = console.error;
    console.error = () => {};
    try {
      renderWith(
        <ErrorBoundary>
          <Boom />
        </ErrorBoundary>,
        { handler: () => json({}) },
      );
    } finally {
      console.error = quiet;
    }
    expect(screen.getByRole("alert").textContent).toContain("No incident inc-9.");
  });
});

describe("EscalationProgress", () => {
  const progress: Progress = {
    incident_id: "inc-1",
    state: "holding",
    policy_id: "p",
    policy_version: 1,
    steps: [
      { position: 1, type: "notify_users", summary: "Notify Alice" },
      { position: 2, type: "wait", summary: "Wait 2 minutes" },
    ],
    current_step: 2,
    repeats_done: 0,
    next_step: 1,
    next_at: "2026-12-02T11:00:00Z",
    pages: [{ at: "2026-12-02T10:00:00Z", user_id: "a", user_name: "Alice", channel: "sms", status: "sent", finished_at: null }],
    history: [],
  };

  it("says a held escalation resumes, marks the current step and lists who was paged", () => {
    renderWith(<EscalationProgress progress={progress} />, { handler: () => json({}) });
    expect(screen.getByText(/^Resumes with step 1, Notify Alice/)).toBeTruthy();
    expect(screen.getByText("Wait 2 minutes").getAttribute("aria-current")).toBe("step");
    expect(screen.getByRole("list", { name: "Paged" }).textContent).toContain("Alice by sms · sent");
  });
});
