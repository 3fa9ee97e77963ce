import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Policy, PolicyBody } from "../../src/api/policies";
import { fromPolicy, moveStep, toBody } from "../../src/components/policy/draft";
import { PolicyPage } from "../../src/pages/PolicyPage";
import type { Me } from "../../src/api/context";
import { VIEWER, json, renderWith } from "./render";

const ADMIN: Me = { id: "u-1", kind: "user", display_name: "Ada", roles: ["OpenAlert.Admin"], teams: {} };

// Every step type the engine has, as the API answers a saved policy.
const saved: Policy = {
  id: "pol-1",
  name: "Everything",
  team_id: "team-1",
  version: 4,
  updated_at: "2026-12-01T10:00:00Z",
  external_id: null,
  ack_timeout_minutes: 30,
  source_acks_count: true,
  steps: [
    { type: "notify_users", user_ids: ["u-a", "u-b"], importance: "important", multi_ack: true },
    { type: "notify_schedule", schedule_id: "sch-1", which: "next", importance: "default", multi_ack: false },
    { type: "notify_team", team_id: "team-1", importance: "default", multi_ack: true },
    { type: "notify_round_robin", team_id: "team-1", importance: "important" },
    { type: "post_to_channel", channel_id: "19:abc@thread.tacv2" },
    { type: "call_webhook", webhook_id: "wh-1" },
    { type: "wait", minutes: 2.5 },
    { type: "time_window", timezone: "Europe/Berlin", outside: "wait", ranges: [{ weekdays: [4, 0], start: "09:00:00", end: "17:30:00" }] },
    { type: "alert_count", threshold: 3, window_minutes: 10 },
    { type: "repeat", times: 2 },
    { type: "resolve" },
  ],
};

describe("policy draft shaping", () => {
  it("round-trips every step type into the body PUT takes", () => {
    const body = toBody(fromPolicy(saved));
    const { id: _id, version: _v, updated_at: _u, ...expected } = saved;
    // Times come back as the inputs edit them (HH:MM), weekdays in order; the server reads both.
    const window = { type: "time_window", timezone: "Europe/Berlin", outside: "wait", ranges: [{ weekdays: [0, 4], start: "09:00", end: "17:30" }] };
    expect(body).toEqual({ ...expected, steps: expected.steps.map((s) => (s.type === "time_window" ? window : s)) });
  });

  it("sends typed numbers as numbers, an empty timeout as none, and anything else as typed for the server to judge", () => {
    const draft = fromPolicy(saved);
    draft.ack_timeout_minutes = " ";
    draft.steps[6] = { key: "w", type: "wait", minutes: "-5" };
    draft.steps[9] = { key: "r", type: "repeat", times: "" };
    draft.steps[8] = { key: "a", type: "alert_count", threshold: "many", window_minutes: "10" };
    const body = toBody(draft);
    expect(body.ack_timeout_minutes).toBeNull();
    expect(body.steps[6]).toEqual({ type: "wait", minutes: -5 });
    expect(body.steps[9]).toEqual({ type: "repeat", times: null });
    expect(body.steps[8]).toEqual({ type: "alert_count", threshold: "many", window_minutes: 10 });
  });

  it("moves a step within bounds", () => {
    expect(moveStep(["a", "b", "c"], 2, -1)).toEqual(["a", "c", "b"]);
    expect(moveStep(["a", "b", "c"], 0, -1)).toEqual(["a", "b", "c"]);
  });
});

function fakeApi(onSave: (method: string, path: string, body: PolicyBody, ifMatch: string | null) => Response) {
  return async (req: Request) => {
    const path = new URL(req.url).pathname.replace("/api/v1", "");
    if (path.endsWith("/preview")) return json({ at: "2026-12-02T10:00:00Z", policy_id: null, version: null, fired: [], notes: [], truncated: false });
    if (req.method === "GET" && path === "/escalation-policies/pol-1") return json(saved, { headers: { ETag: '"e-4"' } });
    if (req.method === "GET" && path.endsWith("/versions")) return json({ items: [{ version: 4, name: "Everything", updated_at: null, steps: 11 }], continuation: null });
    if (req.method === "GET" && path === "/teams") return json({ items: [{ id: "team-1", name: "Team one" }], continuation: null });
    if (req.method === "GET") return json({ items: [], continuation: null });
    return onSave(req.method, path, (await req.json()) as PolicyBody, req.headers.get("If-Match"));
  };
}

describe("PolicyPage", () => {
  it("creates a policy from the new-policy form with the team preselected", async () => {
    const saves: { method: string; path: string; body: PolicyBody }[] = [];
    const handler = fakeApi((method, path, body) => {
      saves.push({ method, path, body });
      return json({ ...body, id: "pol-2", version: 1, updated_at: null }, { status: 201 });
    });
    renderWith(<PolicyPage />, { handler, me: ADMIN, path: "/escalation-policies/new", route: "/escalation-policies/:id" });
    fireEvent.change(await screen.findByLabelText(/^Name/), { target: { value: " Night shift " } });
    await waitFor(() => expect((screen.getByLabelText("Team") as HTMLSelectElement).value).toBe("team-1"));
    fireEvent.change(screen.getByLabelText("New step"), { target: { value: "wait" } });
    fireEvent.click(screen.getByRole("button", { name: "Add step" }));
    const wait = screen.getByRole("group", { name: "Step 2: Wait" });
    fireEvent.change(within(wait).getByLabelText("Minutes to wait"), { target: { value: "7" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(saves).toHaveLength(1));
    expect(saves[0]).toEqual({
      method: "POST",
      path: "/escalation-policies",
      body: {
        name: "Night shift",
        team_id: "team-1",
        ack_timeout_minutes: null,
        source_acks_count: false,
        external_id: null,
        steps: [
          { type: "notify_users", user_ids: [], importance: "default", multi_ack: false },
          { type: "wait", minutes: 7 },
        ],
      },
    });
  });

  it("saves an edit with PUT (If-Match: the ETag it was read with) and shows the server's message on the step's field", async () => {
    const problem = {
      title: "Invalid input",
      status: 400,
      detail: "steps.6.wait.minutes: Input should be greater than 0",
      field: "steps.6.wait.minutes",
      errors: [{ field: "steps.6.wait.minutes", message: "Input should be greater than 0" }],
    };
    const saves: string[] = [];
    const handler = fakeApi((method, path, body, ifMatch) => {
      saves.push(`${method} ${path} ${ifMatch} ${JSON.stringify(body.steps[6])}`);
      return json(problem, { status: 400 });
    });
    renderWith(<PolicyPage />, { handler, me: ADMIN, path: "/escalation-policies/pol-1", route: "/escalation-policies/:id" });
    const wait = await screen.findByRole("group", { name: "Step 7: Wait" });
    const minutes = within(wait).getByLabelText("Minutes to wait");
    fireEvent.change(minutes, { target: { value: "-1" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await within(wait).findByText("Input should be greater than 0")).toBeTruthy();
    expect(minutes.getAttribute("aria-invalid")).toBe("true");
    expect(saves).toEqual(['PUT /escalation-policies/pol-1 "e-4" {"type":"wait","minutes":-1}']);
  });

  it("shows a viewer the policy in words, without the editor or restore", async () => {
    const handler = fakeApi(() => json({}, { status: 500 }));
    renderWith(<PolicyPage />, { handler, me: VIEWER, path: "/escalation-policies/pol-1", route: "/escalation-policies/:id" });
    expect(await screen.findByText("Repeat from step 1, 2 time(s)")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Save" })).toBeNull();
    fireEvent.click(await screen.findByRole("button", { name: "View version 4" }));
    expect(await screen.findByRole("dialog")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Restore this version" })).toBeNull();
  });
});
