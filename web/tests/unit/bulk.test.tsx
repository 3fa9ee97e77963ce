import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { BulkBar } from "../../src/components/BulkBar";
import { StatusCounts } from "../../src/components/StatusCounts";
import { json, renderWith } from "./render";

describe("BulkBar", () => {
  it("sends the selected ids and reports what the API refused", async () => {
    const bodies: unknown[] = [];
    const handler = async (req: Request) => {
      bodies.push(await req.json());
      return json({
        action: "acknowledge",
        succeeded: 1,
        failed: 1,
        results: [
          { id: "a", outcome: "ok", incident: null, problem: null },
          { id: "b", outcome: "problem", incident: null, problem: { detail: "Incident b is resolved." } },
        ],
      });
    };
    let done = 0;
    renderWith(<BulkBar selected={new Set(["a", "b"])} onDone={() => done++} />, { handler });
    fireEvent.click(screen.getByRole("button", { name: "Acknowledge selected" }));
    expect(await screen.findByText(/1 done, 1 refused: b \(Incident b is resolved\.\)/)).toBeTruthy();
    expect(bodies).toEqual([{ action: "acknowledge", ids: ["a", "b"], note: null }]);
    expect(done).toBe(1);
  });
});

describe("StatusCounts", () => {
  it("shows counts per status, a capped count as N+, and asks without the status filter", async () => {
    const urls: string[] = [];
    const handler = (req: Request) => {
      urls.push(req.url);
      return json({ triggered: 3, acknowledged: 1000, snoozed: 0, resolved: 7, cap: 1000 });
    };
    renderWith(<StatusCounts filters={{ status: ["triggered"], severity: ["P1"], q: "disk" }} onPick={() => {}} />, { handler });
    await waitFor(() => expect(screen.getByRole("button", { name: /acknowledged/ }).textContent).toContain("1000+"));
    expect(screen.getByRole("button", { name: /triggered/ }).textContent).toContain("3");
    const q = new URL(urls[0]!).searchParams;
    expect(q.get("status")).toBeNull();
    expect(q.get("severity")).toBe("P1");
    expect(q.get("q")).toBe("disk");
  });
});
