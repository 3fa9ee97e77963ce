import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Schedule } from "../../src/api/scheduleEditor";
import { LayersEditor } from "../../src/components/schedule/layers/LayersEditor";
import { VIEWER, json, renderWith, type Handler } from "./render";

const SCHEDULE: Schedule = {
  id: "sch-1",
  name: "Primary",
  team_id: "team-1",
  time_zone: "Europe/Berlin",
  version: 3,
  external_id: null,
  ical_token_hash: null,
  overrides: [],
  swaps: [],
  layers: [
    {
      name: "Weekly",
      participants: ["u-a", "u-b"],
      start: "2027-03-22T09:00:00",
      frequency: "weekly",
      interval: 1,
      restrictions: [],
      rrule: null,
      hourly_clock: null,
      effective_from: null,
      effective_until: null,
    },
  ],
};

const PREVIEW = {
  start: "2027-03-22T08:00:00Z",
  end: "2027-04-05T07:00:00Z",
  shifts: [{ user: "u-a", start: "2027-03-22T08:00:00Z", end: "2027-04-05T07:00:00Z", source: "Weekly", gap: false }],
  gaps: 0,
  gap_hours: 0,
  hours: { "u-a": 335 },
};

function handler(save: (req: Request) => Response): Handler {
  return async (req) => {
    const url = new URL(req.url);
    if (url.pathname.endsWith("/users")) {
      return json({ items: [{ id: "u-a", name: "Ann" }, { id: "u-b", name: "Ben" }], continuation: null });
    }
    if (url.pathname.endsWith("/preview")) return json(PREVIEW);
    if (req.method === "PUT") return save(req);
    return json({ items: [], continuation: null });
  };
}

describe("LayersEditor", () => {
  it("saves with If-Match and says so when someone else saved first (412)", async () => {
    const { calls } = renderWith(<LayersEditor schedule={SCHEDULE} etag={'"e1"'} editable />, {
      handler: handler(() => json({ title: "Precondition failed", status: 412, detail: "stale" }, { status: 412 })),
    });
    expect(await screen.findByText(/No gaps\. On call: Ann 335 h\./)).toBeTruthy();
    fireEvent.change(screen.getByLabelText(/^Layer name/), { target: { value: "Weekly cover" } });
    fireEvent.click(screen.getByRole("button", { name: "Save layers" }));
    expect(await screen.findByText("Changed by someone else")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Reload" })).toBeTruthy();
    const put = calls.find((c) => c.method === "PUT")!;
    expect(put.headers.get("If-Match")).toBe('"e1"');
    const body = (await put.json()) as { layers: { name: string; start: string }[] };
    expect(body.layers[0]).toMatchObject({ name: "Weekly cover", start: "2027-03-22T09:00:00" });
    // Reloading clears the warning; the draft stays until a new version of the layers arrives.
    fireEvent.click(screen.getByRole("button", { name: "Reload" }));
    await waitFor(() => expect(screen.queryByText("Changed by someone else")).toBeNull());
    expect((screen.getByLabelText(/^Layer name/) as HTMLInputElement).value).toBe("Weekly cover");
  });

  it("shows a viewer the layers read-only and asks for no preview", async () => {
    const { calls } = renderWith(<LayersEditor schedule={SCHEDULE} etag={'"e1"'} editable={false} />, {
      handler: handler(() => json({}, { status: 500 })),
      me: VIEWER,
    });
    await waitFor(() => expect(screen.getByText("Ann")).toBeTruthy());
    expect(screen.queryByRole("button", { name: "Save layers" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Add person" })).toBeNull();
    expect((screen.getByLabelText(/^Layer name/) as HTMLInputElement).disabled).toBe(true);
    expect(calls.some((c) => c.url.endsWith("/preview") || c.url.includes("/preview?"))).toBe(false);
  });
});
