import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { RouteTestResult, SenderSetup } from "../../src/api/services";
import { CopyBlock } from "../../src/components/service/CopyBlock";
import { RouteTestResultView } from "../../src/components/service/RouteTestResultView";
import { SetupView } from "../../src/components/service/SetupView";
import { TestAlert } from "../../src/components/service/TestAlert";
import { RouteDialog } from "../../src/components/service/RouteDialog";
import { json, renderWith } from "./render";

const none = () => json({ items: [], continuation: null });

function clipboard(write: (text: string) => Promise<void>) {
  Object.defineProperty(navigator, "clipboard", { value: { writeText: vi.fn(write) }, configurable: true });
  return navigator.clipboard.writeText as ReturnType<typeof vi.fn>;
}

describe("CopyBlock", () => {
  it("shows the text read-only and copies it, saying Copied", async () => {
    const write = clipboard(async () => {});
    renderWith(<CopyBlock label="Integration key" text="oai_secret" inline />, { handler: none });
    expect(screen.getByRole("region", { name: "Integration key" }).textContent).toBe("oai_secret");
    fireEvent.click(screen.getByRole("button", { name: "Copy Integration key" }));
    expect(await screen.findByText("Copied")).toBeTruthy();
    expect(write).toHaveBeenCalledWith("oai_secret");
  });

  it("says so when the clipboard refuses", async () => {
    clipboard(async () => {
      throw new Error("denied");
    });
    renderWith(<CopyBlock label="URL" text="https://x" />, { handler: none });
    fireEvent.click(screen.getByRole("button", { name: "Copy URL" }));
    expect(await screen.findByText(/Could not copy/)).toBeTruthy();
  });

  it("renders every snippet of a sender setup with its own copy button", async () => {
    const write = clipboard(async () => {});
    const setup: SenderSetup = {
      url: "https://oa.example/api/integrations/<integration-key>",
      key_in: "the path",
      opsgenie_base_url: null,
      pagerduty_enqueue_url: null,
      routing_key: null,
      snippets: { alertmanager: "receivers: []\n", curl: "curl -X POST …\n" },
    };
    renderWith(<SetupView setup={setup} />, { handler: none });
    expect(screen.getByRole("heading", { name: "Alertmanager receiver" })).toBeTruthy();
    expect(screen.getByRole("region", { name: "curl" }).textContent).toBe("curl -X POST …\n");
    fireEvent.click(screen.getByRole("button", { name: "Copy Alertmanager receiver" }));
    await waitFor(() => expect(write).toHaveBeenCalledWith("receivers: []\n"));
  });
});

const RESULT: RouteTestResult = {
  integration_id: "int-1",
  alerts: [
    {
      title: "Disk full",
      severity: "P3",
      labels: { env: "staging" },
      decision: { route_id: "r2", service_id: "svc-1", escalation_policy_id: null, page: false, severity: "P5" },
      routes: [
        {
          route_id: "r1",
          name: "payments",
          position: 0,
          match: "all",
          matched: false,
          conditions: [{ field: "label:team", op: "eq", value: "payments", actual: null, result: false }],
        },
        {
          route_id: "r2",
          name: "staging",
          position: 5,
          match: "any",
          matched: true,
          conditions: [
            { field: "label:env", op: "eq", value: "staging", actual: "staging", result: true },
            { field: "severity", op: "in", value: ["P4", "P5"], actual: "P3", result: false },
          ],
        },
      ],
    },
  ],
};

describe("RouteTestResultView", () => {
  it("says which route the server chose and shows each condition's value and result", () => {
    const names = (id: string | null | undefined) => (id === "svc-1" ? "Checkout" : (id ?? "—"));
    renderWith(<RouteTestResultView result={RESULT} name={names} />, { handler: none });
    const verdict = screen.getByRole("status").textContent;
    expect(verdict).toContain("Takes route 2 “staging”");
    expect(verdict).toContain("Checkout");
    expect(verdict).toContain("P5");
    expect(verdict).toContain("does not page");
    const first = screen.getByRole("table", { name: "Conditions of route 1" });
    expect(first.textContent).toContain("label:team equals payments");
    expect(first.textContent).toContain("(nothing)");
    expect(first.textContent).toContain("✗ fails");
    const second = screen.getByRole("table", { name: "Conditions of route 2" });
    expect(second.textContent).toContain("severity is one of P4, P5");
    expect(second.textContent).toContain("✓ holds");
    expect(screen.getByText("Taken")).toBeTruthy();
    expect(screen.getByText("Not matched")).toBeTruthy();
  });

  it("says when no route matched", () => {
    const none_ = { ...RESULT, alerts: [{ ...RESULT.alerts[0]!, decision: { ...RESULT.alerts[0]!.decision, route_id: null, page: true } }] };
    renderWith(<RouteTestResultView result={none_} name={(id) => id ?? "—"} />, { handler: none });
    expect(screen.getByRole("status").textContent).toContain("No route matched");
  });
});

describe("TestAlert", () => {
  it("posts the test alert and links the incident that carries its dedup key", async () => {
    const sent = { envelope_id: "env-1", integration_id: "int-1", format: "alertmanager", dedup_key: "test-1", title: "[Test] Disk full" };
    let polls = 0;
    const handler = (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname.endsWith("/test-alert")) return json(sent, { status: 202 });
      expect(url.searchParams.get("q")).toBe("[Test] Disk full");
      polls += 1;
      // An older test of the same title first; then this one's incident.
      const items = [{ id: "inc-old", number: 1, title: sent.title, dedup_key: "test-0" }];
      if (polls > 1) items.push({ id: "inc-2", number: 2, title: sent.title, dedup_key: "test-1" });
      return json({ items, continuation: null });
    };
    renderWith(<TestAlert integrationId="int-1" editable />, { handler });
    fireEvent.click(screen.getByRole("button", { name: "Send a test alert" }));
    const link = await screen.findByRole("link", { name: "incident #2: [Test] Disk full" }, { timeout: 4_000 });
    expect(link.getAttribute("href")).toBe("/incidents/inc-2");
  });
});

describe("RouteDialog", () => {
  it("posts the conditions in the API's shape and shows its message on the row's value", async () => {
    const posted: unknown[] = [];
    const handler = async (req: Request) => {
      if (req.method === "GET") return none();
      posted.push(await req.json());
      return json(
        {
          title: "Invalid input",
          status: 400,
          detail: "conditions.0: bad pattern",
          field: "conditions.0",
          errors: [{ field: "conditions.0", message: "Value error, the pattern does not compile" }],
        },
        { status: 400 },
      );
    };
    renderWith(<RouteDialog integrationId="int-1" teamId="t1" position={3} open onClose={() => {}} />, { handler });
    fireEvent.change(screen.getByLabelText("Condition 1 field"), { target: { value: "label" } });
    fireEvent.change(screen.getByLabelText(/Condition 1 label name/), { target: { value: "env" } });
    fireEvent.change(screen.getByLabelText("Condition 1 operator"), { target: { value: "in" } });
    fireEvent.change(screen.getByLabelText(/Condition 1 value/), { target: { value: "prod, staging" } });
    fireEvent.click(screen.getByRole("button", { name: "Save route" }));
    expect(await screen.findByText("Value error, the pattern does not compile")).toBeTruthy();
    expect(posted).toEqual([
      expect.objectContaining({ position: 3, page: true, conditions: [{ field: "label:env", op: "in", value: ["prod", "staging"] }] }),
    ]);
  });
});
