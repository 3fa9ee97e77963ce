import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { OverrideDialog } from "../../src/components/schedule/OverrideDialog";
import { localInputToIso, toLocalInput } from "../../src/time";
import { SwapList } from "../../src/components/schedule/ops/SwapList";
import { TakeOver } from "../../src/components/schedule/ops/TakeOver";
import { IcalImport } from "../../src/components/schedule/ops/IcalImport";
import type { Schedule } from "../../src/pages/schedule/types";
import { RESPONDER, VIEWER, json, renderWith } from "./render";

const schedule = { id: "sch-1", name: "Primary", team_id: "t1", time_zone: "Asia/Tokyo", layers: [], overrides: [], swaps: [] } as unknown as Schedule;
const members = [
  { id: "u-1", name: "Ada", email: null, pending: false, teams: {} },
  { id: "u-3", name: "Bea", email: null, pending: false, teams: {} },
];
const HOUR = 3_600_000;
const ADMIN = { ...RESPONDER, roles: ["OpenAlert.Admin"] };
// Inside dialogs, role queries pass `hidden: true`: under happy-dom, Fluent's focus manager
// (tabster) at times marks the open dialog itself aria-hidden while it settles, which no browser
// does; the browser spec checks the real dialog's roles and names.

type Route = (req: Request, url: URL) => Response | null | Promise<Response | null>;

/** A fake API: the schedule and its team's members, then the test's own routes. */
function api(...routes: Route[]) {
  return async (req: Request) => {
    const url = new URL(req.url);
    for (const r of routes) {
      const res = await r(req, url);
      if (res) return res;
    }
    if (url.pathname === "/api/v1/schedules/sch-1") return json(schedule);
    if (url.pathname === "/api/v1/teams/t1/members") return json({ items: members, continuation: null });
    return json({ title: "Not found", status: 404, detail: `No route ${req.method} ${url.pathname}` }, { status: 404 });
  };
}

describe("local times", () => {
  it("sends what the person typed with their offset, the same instant", () => {
    const d = new Date(2026, 11, 24, 9, 30);
    const iso = localInputToIso(toLocalInput(d));
    expect(iso).toMatch(/^2026-12-24T09:30:00[+-]\d\d:\d\d$/);
    expect(new Date(iso!).getTime()).toBe(d.getTime());
    expect(localInputToIso("")).toBeNull();
  });
});

describe("OverrideDialog", () => {
  const range = { start: new Date(2026, 11, 24, 9, 0), end: new Date(2026, 11, 24, 17, 0) };

  it("posts the picked person and range with offsets, then closes", async () => {
    const posted: unknown[] = [];
    const onClose = vi.fn();
    const handler = api(async (req, url) => {
      if (req.method !== "POST" || !url.pathname.endsWith("/overrides")) return null;
      posted.push(await req.json());
      return json({ id: "ovr-1", user: "u-3", start: "x", end: "y", source: "manual", swap_id: null }, { status: 201 });
    });
    renderWith(<OverrideDialog scheduleId="sch-1" range={range} onClose={onClose} />, { handler });
    const dialog = await screen.findByRole("dialog", { name: "Add override", hidden: true });
    expect(await within(dialog).findByText(/the schedule runs in Asia\/Tokyo/)).toBeTruthy();
    const who = within(dialog).getByLabelText(/Who is on call/) as HTMLSelectElement;
    await waitFor(() => expect(who.value).toBe("u-1")); // the caller, by default
    fireEvent.change(who, { target: { value: "u-3" } });
    fireEvent.click(await within(dialog).findByRole("button", { name: "Save override", hidden: true }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    const body = posted[0] as { user: string; start: string; end: string };
    expect(body.user).toBe("u-3");
    expect(new Date(body.start).getTime()).toBe(range.start.getTime());
    expect(new Date(body.end).getTime()).toBe(range.end.getTime());
    expect(body.start).toMatch(/[+-]\d\d:\d\d$/);
  });

  it("shows the API's refusal on the field it names and stays open", async () => {
    const onClose = vi.fn();
    const handler = api((req) =>
      req.method === "POST"
        ? json({ title: "Invalid input", status: 400, detail: "An override lasts at least 15 minutes.", field: "end" }, { status: 400 })
        : null,
    );
    renderWith(<OverrideDialog scheduleId="sch-1" range={range} onClose={onClose} />, { handler });
    const dialog = await screen.findByRole("dialog", { name: "Add override", hidden: true });
    await waitFor(() => expect((within(dialog).getByLabelText(/Who is on call/) as HTMLSelectElement).value).toBe("u-1"));
    fireEvent.click(await within(dialog).findByRole("button", { name: "Save override", hidden: true }));
    expect(await within(dialog).findByText("An override lasts at least 15 minutes.")).toBeTruthy();
    expect(within(dialog).queryByText("Invalid input")).toBeNull(); // on the field, not a second bar
    expect(onClose).not.toHaveBeenCalled();
  });

  it("is closed while there is no range", () => {
    renderWith(<OverrideDialog scheduleId="sch-1" range={null} onClose={() => {}} />, { handler: api() });
    expect(screen.queryByRole("dialog")).toBeNull();
  });
});

describe("TakeOver", () => {
  const end = new Date(Date.now() + 5 * HOUR).toISOString();
  const final = (user: string) => (_: Request, url: URL) =>
    url.pathname.endsWith("/final") ? json({ items: [{ user, start: new Date().toISOString(), end, source: "Daily" }], continuation: null }) : null;

  it("shows who is on call until when, confirms, and takes over to the shift's end", async () => {
    const posted: unknown[] = [];
    let holder = "u-3";
    const handler = api(
      async (req, url) => {
        if (!url.pathname.endsWith("/take-over")) return null;
        posted.push(await req.json());
        holder = "u-1";
        return json({ id: "ovr-2", user: "u-1", start: new Date().toISOString(), end, source: "manual", swap_id: null }, { status: 201 });
      },
      (req, url) => final(holder)(req, url),
    );
    renderWith(<TakeOver schedule={schedule} />, { handler, me: ADMIN });
    expect(await screen.findByText("Bea")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Take over now" }));
    const dialog = await screen.findByRole("dialog", { name: "Take over now?", hidden: true });
    expect(within(dialog).getByText(/instead of Bea/)).toBeTruthy();
    fireEvent.click(await within(dialog).findByRole("button", { name: "Take over", hidden: true }));
    expect(await screen.findByText(/You are on call until/)).toBeTruthy();
    expect(posted).toEqual([{ until: null }]);
    // Refetched from the API: now the caller holds the shift, so there is nothing to take over.
    expect(await screen.findByText("Ada")).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole("button", { name: "Take over now" })).toBeNull());
  });

  it("sends a chosen hand-back time with the viewer's offset", async () => {
    const posted: { until: string }[] = [];
    const handler = api(async (req, url) => {
      if (!url.pathname.endsWith("/take-over")) return null;
      posted.push(await req.json());
      return json({ title: "Invalid input", status: 400, detail: "until must be in the future.", field: "until" }, { status: 400 });
    }, final("u-3"));
    renderWith(<TakeOver schedule={schedule} />, { handler, me: ADMIN });
    fireEvent.click(await screen.findByRole("button", { name: "Take over now" }));
    const dialog = await screen.findByRole("dialog", { hidden: true });
    fireEvent.click(await within(dialog).findByRole("radio", { name: "A time I choose", hidden: true }));
    const at = within(dialog).getByLabelText(/Hand back at/);
    fireEvent.change(at, { target: { value: "2026-12-24T18:45" } });
    fireEvent.click(await within(dialog).findByRole("button", { name: "Take over", hidden: true }));
    expect(await within(dialog).findByText("until must be in the future.")).toBeTruthy();
    expect(posted[0]?.until).toMatch(/^2026-12-24T18:45:00[+-]\d\d:\d\d$/);
  });

  it("offers no take-over to a viewer, nor to a responder who is not the team's admin", async () => {
    for (const me of [VIEWER, RESPONDER]) {
      const { unmount } = renderWith(<TakeOver schedule={schedule} />, { handler: api(final("u-3")), me });
      expect(await screen.findByText("Bea")).toBeTruthy();
      expect(screen.queryByRole("button", { name: "Take over now" })).toBeNull();
      unmount();
    }
  });
});

describe("SwapList", () => {
  const later = (h: number) => new Date(Date.now() + h * HOUR).toISOString();
  const swap = (id: string, requester_id: string, taker_id: string | null) => ({
    id,
    requester_id,
    taker_id,
    start: later(24),
    end: later(30),
    status: "requested",
    created_at: later(0),
    decided_at: null,
  });

  it("offers each person the decisions that are theirs and sends them", async () => {
    const decided: unknown[] = [];
    const handler = api(async (req, url) => {
      if (url.pathname.endsWith("/swaps") && req.method === "GET")
        return json({ items: [swap("s1", "u-3", "u-1"), swap("s2", "u-3", null), swap("s3", "u-1", "u-3")], continuation: null });
      if (req.method === "POST" && url.pathname.includes("/swaps/")) {
        decided.push([url.pathname.split("/").pop(), await req.json()]);
        return json({ ...swap("s1", "u-3", "u-1"), status: "accepted" });
      }
      return null;
    });
    renderWith(<SwapList schedule={schedule} />, { handler });
    const rows = await screen.findAllByRole("row");
    const [asked, open, mine] = rows.slice(1) as [HTMLElement, HTMLElement, HTMLElement];
    expect(within(asked).getByRole("button", { name: /^Decline/ })).toBeTruthy();
    expect(within(open).getByText("Anyone in the team")).toBeTruthy();
    expect(within(open).queryByRole("button", { name: /^Decline/ })).toBeNull();
    expect(within(mine).getByRole("button", { name: /^Cancel swap/ })).toBeTruthy();
    fireEvent.click(within(open).getByRole("button", { name: /^Accept/ }));
    await waitFor(() => expect(decided).toEqual([["s2", { decision: "accept" }]]));
  });
});

describe("IcalImport", () => {
  it("previews with a dry run, then imports exactly that", async () => {
    const bodies: Record<string, unknown>[] = [];
    const created = [{ id: "ovr-9", user: "u-3", start: "2026-12-24T08:00:00Z", end: "2026-12-24T11:00:00Z", source: "ical", swap_id: null }];
    const handler = api(async (req, url) => {
      if (!url.pathname.endsWith("/ical-import")) return null;
      const body = (await req.json()) as Record<string, unknown>;
      bodies.push(body);
      const events = [
        { uid: "1", summary: "u-3", outcome: "imported", reason: null, occurrences: 1 },
        { uid: "2", summary: "who@example.com", outcome: "skipped", reason: "no known user matches 'who@example.com'", occurrences: 0 },
      ];
      return json({ imported: 1, merged: 0, skipped: 1, events, created });
    });
    renderWith(<IcalImport schedule={schedule} />, { handler });
    const file = new File(["BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"], "team.ics", { type: "text/calendar" });
    fireEvent.change(screen.getByLabelText(/Calendar file/), { target: { files: [file] } });
    const preview = screen.getByRole("button", { name: "Preview import" });
    await waitFor(() => expect((preview as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(preview);
    const table = await screen.findByRole("table", { name: "What will be created from team.ics" });
    expect(await within(table).findByText("Bea")).toBeTruthy();
    expect(screen.getByRole("table", { name: "Left out" }).textContent).toContain("no known user matches");
    fireEvent.click(screen.getByRole("button", { name: "Import 1 override" }));
    expect(await screen.findByText("Imported 1 override (0 already there, 1 skipped).")).toBeTruthy();
    expect(bodies.map((b) => [b.dry_run, b.url, b.days, typeof b.ics])).toEqual([
      [true, null, 90, "string"],
      [false, null, 90, "string"],
    ]);
  });
});
