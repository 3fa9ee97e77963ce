import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { IncidentFilterBar } from "../../src/components/IncidentFilterBar";
import type { IncidentFilters } from "../../src/api/incidents";
import { json, renderWith } from "./render";

describe("IncidentFilterBar", () => {
  it("searches once the typing pauses, keeping the other filters", async () => {
    const changes: IncidentFilters[] = [];
    const value: IncidentFilters = { status: ["triggered"], severity: ["P1"] };
    renderWith(<IncidentFilterBar value={value} onChange={(f) => changes.push(f)} teams={[]} services={[]} />, {
      handler: () => json({}),
    });
    fireEvent.change(screen.getByRole("searchbox", { name: "Search titles" }), { target: { value: "disk" } });
    expect(changes).toEqual([]);
    await waitFor(() => expect(changes).toEqual([{ status: ["triggered"], severity: ["P1"], q: "disk" }]));
  });
});
