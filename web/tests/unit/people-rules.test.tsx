import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { RulesEditor } from "../../src/components/people/RulesEditor";
import { type Draft, type Rules, fromDraft, fromSteps, stepFields, toDraft, toSteps } from "../../src/components/people/rules";
import { json, renderWith } from "./render";

const RULES: Rules = {
  default: [
    { type: "notify", contact: "email" },
    { type: "notify", contact: "cm-1" },
    { type: "wait", minutes: 2 },
    { type: "wait", minutes: 3 },
    { type: "notify", contact: "sms" },
  ],
  important: [{ type: "notify", contact: "sms" }],
  quiet_hours: { timezone: "Europe/Berlin", ranges: [{ start: "22:00:00", end: "07:00:00", weekdays: [0, 1, 2, 3, 4] }] },
  notify_on_acknowledged: false,
  notify_on_resolved: true,
};

describe("rule sets as editor steps", () => {
  it("groups notifies at one moment into a step and sums the waits before it", () => {
    expect(toSteps(RULES.default)).toEqual([
      { after: 0, contacts: ["email", "cm-1"] },
      { after: 5, contacts: ["sms"] },
    ]);
  });

  it("gives back the API's list, a wait before each later step", () => {
    const { rules, positions } = fromSteps(toSteps(RULES.default));
    expect(rules).toEqual([
      { type: "notify", contact: "email" },
      { type: "notify", contact: "cm-1" },
      { type: "wait", minutes: 5 },
      { type: "notify", contact: "sms" },
    ]);
    expect(positions).toEqual([[0, 1], [2, 3]]);
  });

  it("keeps a step without contacts as its wait, and a zero delay as none", () => {
    expect(fromSteps([{ after: 0, contacts: ["email"] }, { after: 4, contacts: [] }, { after: 0, contacts: ["sms"] }]).rules).toEqual([
      { type: "notify", contact: "email" },
      { type: "wait", minutes: 4 },
      { type: "notify", contact: "sms" },
    ]);
  });

  it("round-trips the whole rules, quiet hours and status updates included", () => {
    const draft = toDraft(RULES);
    expect(draft.notifyOnResolved).toBe(true);
    expect(fromDraft(draft)).toEqual({ ...RULES, default: fromSteps(toSteps(RULES.default)).rules });
    expect(fromDraft(toDraft({ default: [], important: [], quiet_hours: null, notify_on_acknowledged: false, notify_on_resolved: false }))).toEqual({
      default: [],
      important: [],
      quiet_hours: null,
      notify_on_acknowledged: false,
      notify_on_resolved: false,
    });
  });

  it("names the server's fields of each editor step", () => {
    const draft: Draft = toDraft(RULES);
    expect(stepFields(draft, "default", 1)).toEqual(["default.2", "default.3"]);
    expect(stepFields(draft, "important", 0)).toEqual(["important.0"]);
  });
});

describe("the rules editor", () => {
  it("previews the draft on the server and puts its refusal on the step", async () => {
    const preview = {
      at: "2026-12-02T10:00:00Z",
      unmatched: [],
      default: { importance: "default", rule_set: "default", deliveries: [], note: null },
      important: {
        importance: "important",
        rule_set: "important",
        deliveries: [{ at: "2026-12-02T10:00:00Z", after_minutes: 0, methods: [{ id: "cm-1", kind: "sms", label: "" }], held_by_quiet_hours: false }],
        note: null,
      },
    };
    const posted: unknown[] = [];
    const { calls } = renderWith(<RulesEditor saved={RULES} methods={[]} readOnly={false} />, {
      handler: async (req) => {
        if (req.method === "POST") {
          posted.push(await req.json());
          return json(preview);
        }
        if (req.method === "PUT")
          return json(
            { title: "Invalid input", status: 422, errors: [{ field: "default.2.wait.minutes", message: "Input should be greater than 0" }] },
            { status: 422 },
          );
        return json(preview);
      },
    });
    expect(await screen.findByText(/After 0 min|At once/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText("Step 2: after (minutes)"), { target: { value: "-1" } });
    await waitFor(() => expect(posted.length).toBeGreaterThan(0));
    expect((posted.at(-1) as Rules).default[2]).toEqual({ type: "wait", minutes: -1 });
    fireEvent.submit(screen.getByRole("form", { name: "Notification rules" }));
    await waitFor(() => expect(calls.some((c) => c.method === "PUT")).toBe(true));
    // On the step the server named (default.2 is the second step's wait), not only somewhere.
    const step = screen.getByRole("listitem", { name: "Default rules step 2" });
    expect(await within(step).findByText("Input should be greater than 0")).toBeTruthy();
  });
});

describe("quiet hours", () => {
  it("are sent as the API's shape: a zone and windows with weekdays", async () => {
    const posted: Rules[] = [];
    const empty: Rules = { default: [], important: [], quiet_hours: null, notify_on_acknowledged: false, notify_on_resolved: false };
    const plan = { importance: "default", rule_set: "fallback", deliveries: [], note: "no usable contact method" };
    renderWith(<RulesEditor saved={empty} methods={[]} readOnly={false} />, {
      handler: async (req) => {
        if (req.method === "POST") posted.push((await req.json()) as Rules);
        return json({ at: "2026-12-02T10:00:00Z", unmatched: [], default: plan, important: { ...plan, importance: "important" } });
      },
    });
    fireEvent.click(await screen.findByRole("switch", { name: "Use quiet hours" }));
    fireEvent.click(screen.getByRole("checkbox", { name: "Sun" }));
    fireEvent.change(screen.getByLabelText("Window 1: until"), { target: { value: "06:30" } });
    await waitFor(() => expect(posted.at(-1)?.quiet_hours?.ranges[0]?.end).toBe("06:30"));
    const quiet = posted.at(-1)!.quiet_hours!;
    expect(quiet.timezone).toBeTruthy();
    expect(quiet.ranges).toEqual([{ start: "22:00", end: "06:30", weekdays: [0, 1, 2, 3, 4, 5] }]);
  });
});
